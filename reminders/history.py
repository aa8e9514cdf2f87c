"""A meeting's reminder history, for its agenda page (facilitators only)."""

from __future__ import annotations

from django.db.models import Q

from meetings.models import Meeting

from .models import Message


def history_by_person(meeting: Meeting) -> dict[int | None, list[Message]]:
    """Each attendee's messages about this meeting (sent, skipped and why, failed and
    why), in one query. A reminder still pending for an older time of a moved meeting
    is left out: it will never go (the dispatcher skips it as superseded)."""
    history: dict = {}
    rows = (
        Message.objects.filter(meeting=meeting)
        .exclude(Q(state=Message.State.PENDING) & ~Q(schedule_version=meeting.schedule_version))
        .order_by("due_at", "pk")
    )
    for message in rows:
        history.setdefault(message.user_id, []).append(message)
    return history
