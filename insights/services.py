"""Insight workflows: submitting, starring, and the actions insights cause."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from meetings.models import Attendance, Meeting

from .customers import refresh_last_heard
from .models import Action, Insight, RoundResult, SeatResult
from .round import round_for

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
    Attendance.lock(meeting, author)
    fields = {**data, "team": meeting.team}
    tags = fields.pop("tags", None)
    first_save = {**fields, "submitted_at": now, "is_late": meeting.is_late(now)}
    before = Insight.objects.filter(meeting=meeting, author=author).values_list(
        "customer_id", flat=True
    )
    customers = {fields["customer"].pk, *before}
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
    refresh_last_heard(customers)
    return insight


@transaction.atomic
def star_insight(*, insight: Insight) -> Insight | None:
    """The insight of the meeting: one per meeting, so starring moves the star.
    Starring it again takes the star off. Returns the insight the star moved from,
    if any, so the facilitator can be told."""
    insight.meeting.guard_editable()
    others = insight.meeting.insights.filter(is_starred=True).exclude(pk=insight.pk)
    moved_from = others.select_related("author").first()
    others.update(is_starred=False)
    insight.is_starred = not insight.is_starred
    Insight.objects.filter(pk=insight.pk).update(is_starred=insight.is_starred)
    return moved_from


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


@transaction.atomic
def record_round(meeting: Meeting) -> RoundResult:
    """Write down how the meeting's round ended, once it has ended: one RoundResult
    and a SeatResult per attendee, from the round's one definition. Run again, it
    writes the same rows (the dashboards read only these)."""
    the_round = round_for(meeting)
    day = meeting.starts_at.astimezone(meeting.team.zone).date()
    week = day - dt.timedelta(days=day.weekday())
    RoundResult.objects.filter(meeting=meeting).delete()
    result = RoundResult.objects.create(
        meeting=meeting, team=meeting.team, local_date=day, week=week,
        expected=the_round.expected_count, on_time=the_round.submitted_count - len(the_round.late),
        late=len(the_round.late), missing=len(the_round.missing),
        excused=len(the_round.excused), from_excused=the_round.extra_count,
        kept=the_round.expected_count > 0 and not the_round.late and not the_round.missing,
    )  # fmt: skip
    SeatResult.objects.bulk_create([_seat_result(result, seat) for seat in the_round.seats])
    return result


def record_missing_rounds() -> int:
    """Results for meetings that ended without them (ended before the dashboards
    existed, or loaded from elsewhere). Safe to run again: it finds none."""
    missing = Meeting.objects.filter(status=Meeting.Status.ENDED, result__isnull=True)
    count = 0
    for meeting in missing.select_related("team").iterator():
        record_round(meeting)
        count += 1
    return count


def _seat_result(result: RoundResult, seat) -> SeatResult:
    insight = seat.insight
    return SeatResult(
        result=result, team_id=result.team_id, user=seat.user, local_date=result.local_date,
        week=result.week, outcome=seat.outcome.value, insight=insight,
        customer_id=insight.customer_id if insight else None,
        channel=insight.channel if insight else "",
        freshness_days=insight.freshness_days if insight else None,
        nudge=SeatResult.Nudge.BEFORE_ANY if insight else SeatResult.Nudge.NONE,
    )  # fmt: skip
