"""Insight workflows: submitting, starring, and the actions insights cause."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from meetings.models import Attendance, Meeting

from .models import Action, Insight

MEETING_OVER = "This meeting has ended: its insights can't change any more."


@transaction.atomic
def submit_insight(*, meeting: Meeting, author, data: dict) -> Insight:
    """Save an attendee's insight for a meeting: an upsert on (meeting, author), so a
    retried or doubled submission updates rather than duplicates. Whether it is late
    is decided when it is first saved; editing it later never changes that.

    Pending reminders are left alone: the dispatcher's last check, under the same
    attendance lock, finds the insight and skips them. No broker is needed."""
    now = timezone.now()
    meeting = Meeting.objects.select_related("team").get(pk=meeting.pk)  # fresh status
    if not meeting.accepts_insights(now):
        raise ValidationError(MEETING_OVER, code="meeting_over")
    # The same lock the reminder dispatcher's last check takes (reminders/dispatch.py).
    Attendance.objects.select_for_update().filter(meeting=meeting, user=author).first()
    fields = {**data, "team": meeting.team}
    tags = fields.pop("tags", None)
    first_save = {**fields, "submitted_at": now, "is_late": meeting.is_late(now)}
    try:
        with transaction.atomic():
            insight, _created = Insight.objects.update_or_create(
                meeting=meeting, author=author, defaults=fields, create_defaults=first_save
            )
    except IntegrityError:
        # A concurrent first submission won the insert: update theirs instead.
        insight = Insight.objects.get(meeting=meeting, author=author)
        for name, value in fields.items():
            setattr(insight, name, value)
        insight.save()
    if tags is not None:
        insight.tags.set(tags)
    return insight


@transaction.atomic
def star_insight(*, insight: Insight) -> None:
    """The insight of the meeting: one per meeting, so starring moves the star."""
    insight.meeting.guard_editable()
    insight.meeting.insights.filter(is_starred=True).exclude(pk=insight.pk).update(is_starred=False)
    Insight.objects.filter(pk=insight.pk).update(is_starred=not insight.is_starred)


def add_action(*, meeting: Meeting, title: str, owner: User, due_on: dt.date | None,
               insight: Insight | None = None, by: User) -> Action:  # fmt: skip
    """A follow-up captured in the meeting, usually caused by one insight."""
    meeting.guard_editable()
    return Action.objects.create(
        meeting=meeting, insight=insight, title=title, owner=owner, due_on=due_on, created_by=by
    )


def toggle_action(*, action: Action) -> Action:
    """Done or not done; open actions follow the series until they are done."""
    action.done_at = None if action.done_at else timezone.now()
    action.save(update_fields=["done_at"])
    return action


def mark_authors_attended(meeting: Meeting) -> int:
    """At the end of a meeting: whoever brought an insight was there."""
    return meeting.attendances.filter(
        status=Attendance.Status.EXPECTED,
        user_id__in=Insight.objects.filter(meeting=meeting).values("author_id"),
    ).update(status=Attendance.Status.ATTENDED)
