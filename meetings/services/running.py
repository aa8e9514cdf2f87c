"""Running a meeting: the agenda, the insight round, actions, and the summary."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from accounts.models import User
from insightboard.mail import send_email

from ..models import Action, AgendaItem, Attendance, Meeting
from .schedule import _guard_open

log = logging.getLogger(__name__)

ROUND_STAYS_FIRST = "The insight round always opens the meeting."
NOT_STARTED = "Start the meeting first."
ALREADY_STARTED = "The meeting has already started."


# --- Agenda ----------------------------------------------------------------------


@transaction.atomic
def add_agenda_item(*, meeting: Meeting, title: str, minutes: int, owner: User | None = None,
                    notes: str = "") -> AgendaItem:  # fmt: skip
    _guard_open(meeting)
    last = meeting.agenda_items.aggregate(m=Max("position"))["m"] or 0
    return AgendaItem.objects.create(
        meeting=meeting, position=last + 1, title=title, minutes=minutes, owner=owner, notes=notes
    )


def update_agenda_item(*, item: AgendaItem, data: dict) -> AgendaItem:
    _guard_open(item.meeting)
    for field in ("title", "minutes", "owner", "notes"):
        if field in data and not (item.is_round and field == "title"):
            setattr(item, field, data[field])
    item.save()
    return item


@transaction.atomic
def move_agenda_item(*, item: AgendaItem, direction: int) -> None:
    """Swap with the neighbour above (-1) or below (+1); the round never moves."""
    _guard_open(item.meeting)
    if item.is_round:
        raise ValidationError(ROUND_STAYS_FIRST, code="round_first")
    items = list(item.meeting.agenda_items.select_for_update().order_by("position"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index + direction
    if target < 1 or target >= len(items):  # position 0 is the round's
        return
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items):
        other.position = position
    AgendaItem.objects.bulk_update(items, ["position"])


@transaction.atomic
def remove_agenda_item(*, item: AgendaItem) -> None:
    _guard_open(item.meeting)
    if item.is_round:
        raise ValidationError(ROUND_STAYS_FIRST, code="round_first")
    meeting = item.meeting
    item.delete()
    meeting.agenda_items.filter(position__gt=item.position).update(position=F("position") - 1)


def save_agenda_notes(*, item: AgendaItem, notes: str) -> AgendaItem:
    """Notes are taken while the meeting runs, and until it ends."""
    _guard_open(item.meeting)
    item.notes = notes
    item.save(update_fields=["notes"])
    return item


# --- Run mode --------------------------------------------------------------------


@transaction.atomic
def start_meeting(*, meeting: Meeting, now: dt.datetime | None = None) -> Meeting:
    """From now on, insights saved for this meeting are late."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ValidationError(ALREADY_STARTED, code="already_started")
    meeting.status = Meeting.Status.IN_PROGRESS
    meeting.started_at = now or timezone.now()
    meeting.save(update_fields=["status", "started_at"])
    return meeting


def mark_presented(*, attendance: Attendance, presented: bool = True) -> Attendance:
    _guard_open(attendance.meeting)
    attendance.presented_at = timezone.now() if presented else None
    attendance.save(update_fields=["presented_at"])
    return attendance


@transaction.atomic
def star_insight(*, insight) -> None:
    """The insight of the meeting: one per meeting, so starring moves the star."""
    _guard_open(insight.meeting)
    insight.meeting.insights.filter(is_starred=True).exclude(pk=insight.pk).update(is_starred=False)
    type(insight).objects.filter(pk=insight.pk).update(is_starred=not insight.is_starred)


def add_action(*, meeting: Meeting, title: str, owner: User, due_on: dt.date | None,
               insight=None, by: User) -> Action:  # fmt: skip
    _guard_open(meeting)
    return Action.objects.create(
        meeting=meeting, insight=insight, title=title, owner=owner, due_on=due_on, created_by=by
    )


def toggle_action(*, action: Action) -> Action:
    """Done or not done; open actions follow the series until they are done."""
    action.done_at = None if action.done_at else timezone.now()
    action.save(update_fields=["done_at"])
    return action


@transaction.atomic
def end_meeting(*, meeting: Meeting, now: dt.datetime | None = None) -> Meeting:
    """Lock the meeting, record who attended, and mail the summary to the attendees."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.IN_PROGRESS:
        raise ValidationError(NOT_STARTED, code="not_started")
    now = now or timezone.now()
    meeting.status = Meeting.Status.ENDED
    meeting.ended_at = now
    meeting.save(update_fields=["status", "ended_at"])
    # Whoever presented or brought an insight was there; the rest still expected were not.
    authors = meeting.insights.values("author_id")
    expected = meeting.attendances.filter(status=Attendance.Status.EXPECTED)
    expected.filter(presented_at__isnull=False).update(status=Attendance.Status.ATTENDED)
    expected.filter(user_id__in=authors).update(status=Attendance.Status.ATTENDED)
    expected.update(status=Attendance.Status.ABSENT)
    # robust: a mail failure after the commit must not turn the ended meeting into a 500.
    transaction.on_commit(lambda: send_summary(meeting_id=meeting.pk), robust=True)
    return meeting


def open_actions_for(meeting: Meeting):
    """Open actions from earlier meetings of the series: they follow it until done."""
    if meeting.series_id is None:
        return Action.objects.none()
    return (
        Action.objects.open()
        .filter(meeting__series_id=meeting.series_id, meeting__starts_at__lt=meeting.starts_at)
        .select_related("owner", "insight__author", "meeting")
    )


def summary_context(meeting: Meeting) -> dict:
    attendances = list(meeting.attendances.select_related("user").order_by("user__name"))
    insights = list(
        meeting.insights.select_related("author", "customer").order_by(
            "-is_starred", "author__name"
        )
    )
    authors = {i.author_id for i in insights}
    return {
        "meeting": meeting,
        "insights": insights,
        "presented": [a for a in attendances if a.presented_at],
        "missing": [
            a for a in attendances
            if a.status != Attendance.Status.EXCUSED and a.user_id not in authors
        ],
        "excused": [a for a in attendances if a.status == Attendance.Status.EXCUSED],
        "actions": list(meeting.actions.select_related("owner", "insight__author")),
        "notes": [i for i in meeting.agenda_items.all() if i.notes.strip()],
    }  # fmt: skip


def send_summary(*, meeting_id: int) -> int:
    """One e-mail per attendee who wants summaries; marks the meeting so it's sent once."""
    claimed = Meeting.objects.filter(pk=meeting_id, summary_sent_at__isnull=True).update(
        summary_sent_at=timezone.now()
    )
    if not claimed:
        return 0
    meeting = Meeting.objects.select_related("team").get(pk=meeting_id)
    context = summary_context(meeting)
    recipients = [
        a.user
        for a in meeting.attendances.select_related("user")
        if a.user.is_active and a.user.meeting_summaries
    ]
    sent = 0
    for person in recipients:
        try:
            send_email("meeting_summary", {**context, "recipient": person}, to=[person.email])
        except Exception:  # one bad address or a hiccup must not cost the others theirs
            log.exception("summary of meeting %s to %s failed", meeting_id, person.pk)
        else:
            sent += 1
    return sent


@dataclass
class RoundSeat:
    attendance: Attendance
    insight: object | None  # insights.Insight

    @property
    def user(self) -> User:
        return self.attendance.user


@dataclass
class InsightRound:
    """The opening round at a glance: who brought an insight, who is missing, who is excused."""

    seats: list[RoundSeat]

    @property
    def expected(self) -> list[RoundSeat]:
        return [s for s in self.seats if s.attendance.status != Attendance.Status.EXCUSED]

    @property
    def submitted(self) -> list[RoundSeat]:
        return [s for s in self.seats if s.insight is not None]

    @property
    def missing(self) -> list[RoundSeat]:
        return [s for s in self.expected if s.insight is None]

    @property
    def excused(self) -> list[RoundSeat]:
        return [s for s in self.seats if s.attendance.status == Attendance.Status.EXCUSED]

    @property
    def submitted_expected(self) -> int:
        return sum(1 for s in self.expected if s.insight is not None)

    def seat_of(self, user) -> RoundSeat | None:
        return next((s for s in self.seats if s.attendance.user_id == user.pk), None)

    @property
    def presenters(self) -> list[RoundSeat]:
        """The presenter view's order: everyone expected (or who brought one anyway), by name."""
        return [
            s for s in self.seats
            if s.attendance.status != Attendance.Status.EXCUSED or s.insight is not None
        ]  # fmt: skip


def insight_round(meeting: Meeting) -> InsightRound:
    """Two queries whatever the team size: attendees with their users, insights with theirs."""
    attendances = list(meeting.attendances.select_related("user").order_by("user__name", "pk"))
    insights = {
        i.author_id: i
        for i in meeting.insights.select_related("author", "customer").prefetch_related("tags")
    }
    for insight in insights.values():
        insight.meeting = meeting  # freshness needs the meeting's day; no extra query
    return InsightRound(seats=[RoundSeat(a, insights.get(a.user_id)) for a in attendances])
