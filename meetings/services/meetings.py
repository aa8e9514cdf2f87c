"""Meetings one at a time: one-off meetings, and a single occurrence of a series
moved, edited or skipped."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..models import Attendance, Meeting, Team
from .agenda import create_agenda
from .attendance import excuse_away_attendees


@transaction.atomic
def create_meeting(
    *,
    team: Team,
    title: str,
    starts_at: dt.datetime,
    duration_minutes: int,
    location: str = "",
    facilitator: User | None = None,
) -> Meeting:
    """A one-off meeting with the team's members as attendees."""
    meeting = Meeting(
        team=team,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=duration_minutes),
        location=location,
        facilitator=facilitator,
    )
    meeting.replan_reminders()
    meeting.save()
    member_ids = list(team.memberships.values_list("user_id", flat=True))
    Attendance.objects.bulk_create([Attendance(meeting=meeting, user_id=u) for u in member_ids])
    create_agenda(meeting, len(member_ids), [])
    excuse_away_attendees(meeting)
    return meeting


@transaction.atomic
def update_meeting(*, meeting: Meeting, data: dict) -> Meeting:
    """Move or edit one meeting; for a series occurrence, only this one."""
    meeting.guard_editable()
    old_start = meeting.starts_at
    duration = data.pop("duration_minutes", None) or int(meeting.duration.total_seconds() // 60)
    for field, value in data.items():
        setattr(meeting, field, value)
    meeting.ends_at = meeting.starts_at + dt.timedelta(minutes=duration)
    moved = meeting.starts_at != old_start
    if moved:
        # Reminders planned for the old time are superseded (the dispatcher's last
        # check compares versions); new ones are planned for the new time.
        meeting.schedule_version += 1
        meeting.replan_reminders()
    meeting.save()
    if moved:
        # Away periods are about days: the new day may excuse others, or nobody.
        meeting.attendances.filter(away__isnull=False).update(
            status=Attendance.Status.EXPECTED, excuse_reason="", away=None
        )
        excuse_away_attendees(meeting)
    return meeting


def skip_meeting(*, meeting: Meeting) -> Meeting:
    """Skip one occurrence (or cancel a one-off); see Meeting.cancel."""
    meeting.cancel()
    return meeting


def close_overdue_meetings(*, now: dt.datetime | None = None) -> int:
    """The closing sweep: a meeting nobody ended by hand ends itself at its closes_at
    (the scheduled end plus the team's grace period). Meeting.end is a conditional
    update, so a sweep racing a facilitator's End, or another sweep, ends it once."""
    now = now or timezone.now()
    ended = 0
    for meeting in Meeting.objects.overdue(now).select_related("team"):
        if meeting.closes_at <= now and meeting.end(now=now):
            ended += 1
    return ended
