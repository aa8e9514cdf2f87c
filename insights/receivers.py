"""What insights does when a meeting event happens (meetings/signals.py)."""

from __future__ import annotations

from django.dispatch import receiver

from meetings.signals import meeting_ended

from .services import mark_authors_attended, record_round


@receiver(meeting_ended, dispatch_uid="insights.round_ended")
def round_ended(sender, meeting, **kwargs) -> None:
    """Who brought an insight attended; how the round ended is written down for the
    dashboards. (Connected before reminders' receivers, which complete the record.)"""
    mark_authors_attended(meeting)
    record_round(meeting)
