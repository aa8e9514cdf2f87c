"""The planner: level-triggered. Every tick it looks at the scheduled meetings whose
next stage is coming due (one indexed range scan on Meeting.next_reminder_at) and
inserts the reminder rows owed, ON CONFLICT DO NOTHING. A missed tick delays; it
never loses. Two ticks at once insert the same rows once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from meetings.models import Meeting

from .models import Message

# Plan this far ahead of the due time, so the dispatcher finds rows ready.
PLAN_AHEAD = dt.timedelta(minutes=2)
BATCH = 200


def stages(meeting: Meeting) -> list[int]:
    """The meeting's reminder offsets in minutes, earliest stage first, then 0 for the
    facilitator's who's-ready digest at the start."""
    return [*sorted(set(meeting.team.reminder_offsets or []), reverse=True), 0]


def due(meeting: Meeting, offset: int) -> dt.datetime:
    return meeting.starts_at - dt.timedelta(minutes=offset)


def plan(now: dt.datetime | None = None) -> int:
    """Insert the rows owed for every meeting with a stage due by now + PLAN_AHEAD.
    Returns how many meetings were planned."""
    now = now or timezone.now()
    horizon = now + PLAN_AHEAD
    planned = 0
    while True:
        with transaction.atomic():
            meetings = list(
                Meeting.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    status=Meeting.Status.SCHEDULED,
                    next_reminder_at__isnull=False,
                    next_reminder_at__lte=horizon,
                )
                .select_related("team", "facilitator")
                .order_by("next_reminder_at")[:BATCH]
            )
            for meeting in meetings:
                _plan_meeting(meeting, horizon)
            planned += len(meetings)
        if len(meetings) < BATCH:
            return planned


def _plan_meeting(meeting: Meeting, horizon: dt.datetime) -> None:
    offsets = stages(meeting)
    reminder_offsets = offsets[:-1]
    final = meeting.team.final_reminder_offset if reminder_offsets else None
    due_now = [o for o in offsets if due(meeting, o) <= horizon]
    attendee_ids = list(meeting.attendances.values_list("user_id", flat=True))
    webhooks = list(meeting.team.webhooks.filter(is_active=True).values_list("kind", flat=True))
    rows = []

    def row(**fields) -> Message:
        offset = fields["offset"]
        return Message(
            meeting=meeting,
            schedule_version=meeting.schedule_version,
            due_at=due(meeting, offset),
            next_attempt_at=due(meeting, offset),
            is_final=offset == final,
            **fields,
        )

    for offset in due_now:
        if offset == 0:
            if meeting.facilitator_id:
                rows.append(row(user_id=meeting.facilitator_id, kind=Message.Kind.DIGEST, offset=0))
            continue
        rows += [
            row(user_id=uid, kind=Message.Kind.REMINDER, offset=offset) for uid in attendee_ids
        ]
        if offset == final:
            rows += [
                row(user=None, kind=Message.Kind.MISSING, offset=offset, channel=k)
                for k in webhooks
            ]
    Message.objects.bulk_create(rows, ignore_conflicts=True)

    later = [o for o in offsets if due(meeting, o) > horizon]
    meeting.next_reminder_at = due(meeting, later[0]) if later else None
    meeting.save(update_fields=["next_reminder_at"])
