"""Business events that the apps above meetings act on.

Dependencies run one way (accounts ← meetings ← insights ← reminders), so meetings
can't call into insights or the outbox; it announces, inside the transaction of
the change, and they listen (each app's `receivers.py`, connected in its AppConfig).
A receiver's writes commit or roll back with the event."""

from __future__ import annotations

from django.dispatch import Signal

# A meeting ended, by hand or by the closing sweep (Meeting.end). kwargs: meeting.
# insights marks who brought an insight as attended; reminders queues the summary.
meeting_ended = Signal()

# An invitation was created or sent again with a new key. kwargs: invitation.
# reminders queues the e-mail (and drops any unsent one for the old key).
invitation_sent = Signal()
