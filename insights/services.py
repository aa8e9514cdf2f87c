"""Insight workflows."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from meetings.models import Attendance, Meeting

from .links import is_open
from .models import Insight, Reminder

MEETING_OVER = "This meeting has ended: its insights can't change any more."


@transaction.atomic
def submit_insight(*, meeting: Meeting, author, data: dict) -> Insight:
    """Save an attendee's insight for a meeting: an upsert on (meeting, author), so a
    retried or doubled submission updates rather than duplicates. Saved after the
    meeting started, it is kept and flagged late."""
    now = timezone.now()
    meeting = Meeting.objects.select_related("team").get(pk=meeting.pk)  # fresh status
    if not is_open(meeting, now):
        raise ValidationError(MEETING_OVER, code="meeting_over")
    # The same lock the reminder dispatcher's last check takes (reminders/dispatch.py).
    Attendance.objects.select_for_update().filter(meeting=meeting, user=author).first()
    fields = {**data, "team": meeting.team, "is_late": meeting.is_late_now(now)}
    tags = fields.pop("tags", None)
    try:
        with transaction.atomic():
            insight, _created = Insight.objects.update_or_create(
                meeting=meeting,
                author=author,
                defaults=fields,
                create_defaults={**fields, "submitted_at": now},
            )
    except IntegrityError:
        # A concurrent first submission won the insert: update theirs instead.
        insight = Insight.objects.get(meeting=meeting, author=author)
        for name, value in fields.items():
            setattr(insight, name, value)
        insight.save()
    if tags is not None:
        insight.tags.set(tags)
    # Someone who submits gets nothing more; no broker needed, same transaction.
    Reminder.objects.filter(
        meeting=meeting, user=author, state=Reminder.State.PENDING,
        kind__in=[Reminder.Kind.REMINDER, Reminder.Kind.SNOOZE],
    ).update(state=Reminder.State.SKIPPED_SUBMITTED)  # fmt: skip
    return insight


def round_counts(meeting: Meeting) -> tuple[int, int]:
    """(brought an insight, expected): "4 of 7 have brought theirs". The excused don't count."""
    expected = meeting.attendances.exclude(status=Attendance.Status.EXCUSED)
    submitted = meeting.insights.filter(author__in=expected.values("user")).count()
    return submitted, expected.count()
