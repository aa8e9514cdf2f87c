"""Meeting workflows: one function per business event."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .models import Attendance, Meeting, Series

# How far ahead a series' meetings exist as rows (for calendars, reminders, excuses).
MATERIALISE_AHEAD = dt.timedelta(weeks=8)


@transaction.atomic
def materialise_series(*, series: Series, start: dt.datetime, end: dt.datetime) -> list[Meeting]:
    """Create the series' meetings in [start, end) that don't exist yet, each with
    the team's members as expected attendees. Run twice, it creates nothing more."""
    team = series.team
    member_ids = list(team.memberships.values_list("user_id", flat=True))
    meetings = []
    for occurrence in series.occurrences(start, end):
        meeting, created = Meeting.objects.get_or_create(
            series=series,
            occurrence_start=occurrence,
            defaults={
                "team": team,
                "title": series.title,
                "starts_at": occurrence,
                "ends_at": occurrence + dt.timedelta(minutes=series.duration_minutes),
                "location": series.location,
                "facilitator": series.facilitator,
            },
        )
        if created:
            Attendance.objects.bulk_create(
                [Attendance(meeting=meeting, user_id=user_id) for user_id in member_ids]
            )
        meetings.append(meeting)
    return meetings


def materialise_all_series(*, now: dt.datetime | None = None) -> int:
    """Create the missing meetings of every series up to MATERIALISE_AHEAD; returns how many
    meetings the window holds. Past occurrences are never back-filled."""
    now = now or timezone.now()
    total = 0
    for series in Series.objects.select_related("team"):
        total += len(materialise_series(series=series, start=now, end=now + MATERIALISE_AHEAD))
    return total
