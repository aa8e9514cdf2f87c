"""Business events that the apps above accounts act on (see meetings/signals.py)."""

from __future__ import annotations

from django.dispatch import Signal

# Someone asked to reset their password. kwargs: user. reminders queues the e-mail,
# whose link is made when it is sent, so a mail outage never turns into a 500.
password_reset_requested = Signal()
