"""The outbox listens to the lower apps' business events (meetings/signals.py,
accounts/signals.py) and queues what each one owes, in the event's transaction."""

from __future__ import annotations

from django.dispatch import receiver

from accounts.signals import password_reset_requested
from meetings.signals import invitation_sent, meeting_ended

from . import services


@receiver(meeting_ended, dispatch_uid="reminders.meeting_ended")
def on_meeting_ended(sender, meeting, **kwargs) -> None:
    """The summary to every attendee; how the reminders did, for the dashboards
    (after insights wrote the round's results: its receiver is connected first)."""
    services.record_nudges(meeting)
    services.queue_summaries(meeting)


@receiver(invitation_sent, dispatch_uid="reminders.invitation")
def invitation(sender, invitation, **kwargs) -> None:
    services.queue_invitation(invitation)


@receiver(password_reset_requested, dispatch_uid="reminders.password_reset")
def password_reset(sender, user, **kwargs) -> None:
    services.queue_password_reset(user)
