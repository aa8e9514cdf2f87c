"""What insights does when a meeting event happens (meetings/signals.py)."""

from __future__ import annotations

from django.dispatch import receiver

from meetings.signals import meeting_ended

from .services import mark_authors_attended


@receiver(meeting_ended, dispatch_uid="insights.authors_attended")
def authors_attended(sender, meeting, **kwargs) -> None:
    mark_authors_attended(meeting)
