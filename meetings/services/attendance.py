"""Who attends a meeting: attendees and guests, excuses, away periods, presenting.

An away period excuses its person from every meeting whose day, on their own
calendar, it covers, of any team or only of the team that set it (Away.covers). accounts.models.away_for is the one question "is
this person away for this meeting?"; the batch forms below apply the same rule to
many rows."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import AWAY_ENDS_BEFORE_START, AWAY_EXCUSE, Away, User

from ..models import Attendance, Meeting, Membership, Team
from .agenda import resize_round
from .rotation import stand_in

ALREADY_ATTENDING = "%(name)s is already on the list."


def excuse_away_attendees(meeting: Meeting) -> None:
    """Excuse the meeting's expected attendees whom an away period covers."""
    # A generous window in UTC days, then the exact check on each person's calendar.
    day_before = (meeting.starts_at - dt.timedelta(days=1)).date()
    day_after = (meeting.starts_at + dt.timedelta(days=1)).date()
    candidates = Away.objects.select_related("user").filter(
        user__attendances__meeting=meeting, starts_on__lte=day_after, ends_on__gte=day_before
    )
    for away in candidates:
        if away.covers(meeting.starts_at, team_id=meeting.team_id):
            meeting.attendances.filter(
                user_id=away.user_id, status=Attendance.Status.EXPECTED
            ).update(status=Attendance.Status.EXCUSED, excuse_reason=AWAY_EXCUSE, away=away)


def _replan(meeting: Meeting) -> None:
    if meeting.is_scheduled:
        meeting.replan_reminders()
        Meeting.objects.filter(pk=meeting.pk).update(next_reminder_at=meeting.next_reminder_at)


@transaction.atomic
def add_attendee(*, meeting: Meeting, user: User, whole_series: bool = False) -> Attendance:
    """Someone joins this meeting (or every meeting of its series); people from
    outside the team come as guests."""
    meeting.guard_editable()
    is_guest = not Membership.objects.filter(team_id=meeting.team_id, user=user).exists()
    attendance, created = Attendance.objects.get_or_create(
        meeting=meeting, user=user, defaults={"is_guest": is_guest}
    )
    if not created:
        raise ValidationError(ALREADY_ATTENDING, params={"name": user.name}, code="attending")
    excuse_away_attendees(meeting)
    if whole_series and meeting.series_id:
        series = meeting.series
        series.excluded.remove(user)
        if is_guest:
            series.guests.add(user)
        for later in series.meetings.filter(
            starts_at__gt=meeting.starts_at, status=Meeting.Status.SCHEDULED
        ):
            Attendance.objects.get_or_create(
                meeting=later, user=user, defaults={"is_guest": is_guest}
            )
            excuse_away_attendees(later)
    resize_round(meeting)
    _replan(meeting)
    return attendance


@transaction.atomic
def remove_attendee(*, attendance: Attendance, whole_series: bool = False) -> None:
    meeting = attendance.meeting
    meeting.guard_editable()
    if whole_series and meeting.series_id:
        series = meeting.series
        series.guests.remove(attendance.user)
        if Membership.objects.filter(team_id=meeting.team_id, user=attendance.user).exists():
            series.excluded.add(attendance.user)
        Attendance.objects.filter(
            meeting__series=series,
            meeting__starts_at__gt=meeting.starts_at,
            meeting__status=Meeting.Status.SCHEDULED,
            user=attendance.user,
        ).delete()
    # Their pending reminders are skipped at the dispatcher's last check (no attendee).
    attendance.delete()
    resize_round(meeting)


@transaction.atomic
def excuse(*, attendance: Attendance, reason: str) -> Attendance:
    attendance.meeting.guard_editable()
    attendance.status = Attendance.Status.EXCUSED
    attendance.excuse_reason = reason
    attendance.save(update_fields=["status", "excuse_reason"])
    resize_round(attendance.meeting)
    return attendance


@transaction.atomic
def unexcuse(*, attendance: Attendance) -> Attendance:
    attendance.meeting.guard_editable()
    attendance.status = Attendance.Status.EXPECTED
    attendance.excuse_reason = ""
    attendance.away = None
    attendance.save(update_fields=["status", "excuse_reason", "away"])
    resize_round(attendance.meeting)
    return attendance


def mark_presented(*, attendance: Attendance, presented: bool = True) -> Attendance:
    """The facilitator ticks off who has presented in the round."""
    attendance.meeting.guard_editable()
    attendance.presented_at = timezone.now() if presented else None
    attendance.save(update_fields=["presented_at"])
    return attendance


# --- Away -------------------------------------------------------------------------


@transaction.atomic
def mark_away(
    *,
    user,
    starts_on: dt.date,
    ends_on: dt.date,
    note: str = "",
    share_note: bool = False,
    team: Team | None = None,
    by,
) -> Away:
    """Someone will be away; meetings in the range excuse them: every meeting they
    have, or the team's only when the team's facilitator marks them away."""
    if ends_on < starts_on:
        raise ValidationError({"ends_on": AWAY_ENDS_BEFORE_START}, code="away_order")
    away = Away.objects.create(
        user=user, team=team, starts_on=starts_on, ends_on=ends_on, note=note,
        share_note=share_note, created_by=by,
    )  # fmt: skip
    excuse_away(away=away)
    return away


def excuse_away(*, away: Away) -> int:
    """Excuse the person from meetings not yet started whose day (on their own
    calendar) falls in the away period; returns how many were excused."""
    zone = away.user.zone
    # A generous UTC window, then the exact check on the person's calendar.
    window_start = dt.datetime.combine(away.starts_on, dt.time.min, zone) - dt.timedelta(days=1)
    window_end = dt.datetime.combine(away.ends_on, dt.time.max, zone) + dt.timedelta(days=1)
    attendances = Attendance.objects.select_related("meeting__series").filter(
        user_id=away.user_id,
        status=Attendance.Status.EXPECTED,
        meeting__status=Meeting.Status.SCHEDULED,
        meeting__starts_at__gt=timezone.now(),
        meeting__starts_at__range=(window_start, window_end),
    )
    excused = [
        a for a in attendances if away.covers(a.meeting.starts_at, team_id=a.meeting.team_id)
    ]
    for attendance in excused:
        attendance.status = Attendance.Status.EXCUSED
        attendance.excuse_reason = AWAY_EXCUSE
        attendance.away = away
    Attendance.objects.bulk_update(excused, ["status", "excuse_reason", "away"])
    for attendance in excused:
        if attendance.meeting.facilitator_id == away.user_id:
            stand_in(attendance.meeting)
    return len(excused)


@transaction.atomic
def cancel_away(*, away: Away) -> None:
    """The person is back after all: meetings the period excused expect them again."""
    Attendance.objects.filter(
        away=away,
        status=Attendance.Status.EXCUSED,
        meeting__status=Meeting.Status.SCHEDULED,
        meeting__starts_at__gt=timezone.now(),
    ).update(status=Attendance.Status.EXPECTED, excuse_reason="", away=None)
    away.delete()
