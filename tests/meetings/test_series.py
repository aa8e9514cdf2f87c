"""A series lives on the team's wall clock: 09:00 stays 09:00 across DST."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from meetings.models import Meeting
from meetings.services import materialise_all_series, materialise_series
from meetings.tasks import materialise_series as materialise_task
from tests.factories import MembershipFactory, SeriesFactory, TeamFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def local_times(starts, zone):
    return [s.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%a %d %b %H:%M") for s in starts]


@pytest.mark.parametrize(
    ("zone", "first_date", "utc_hours"),
    [
        # Brussels springs forward on Sunday 29 March 2026: 09:00 is 08:00 UTC, then 07:00 UTC.
        ("Europe/Brussels", dt.date(2026, 3, 23), [8, 7]),
        # New York springs forward on Sunday 8 March 2026: 09:00 is 14:00 UTC, then 13:00 UTC.
        ("America/New_York", dt.date(2026, 3, 2), [14, 13]),
    ],
)
def test_weekly_meeting_keeps_its_local_time_across_spring_forward(zone, first_date, utc_hours):
    series = SeriesFactory(
        team=TeamFactory(time_zone=zone), first_date=first_date, rule="FREQ=WEEKLY"
    )

    starts = series.occurrences(
        dt.datetime(2026, 3, 1, tzinfo=UTC),
        dt.datetime(2026, 3, 20, tzinfo=UTC) + dt.timedelta(days=20),
    )[:2]

    assert [s.hour for s in starts] == utc_hours
    assert {t[-5:] for t in local_times(starts, zone)} == {"09:00"}


def test_meeting_in_the_autumn_fall_back_week_stays_at_nine(db):
    team = TeamFactory(time_zone="Europe/Brussels")
    series = SeriesFactory(team=team, first_date=dt.date(2026, 10, 19), rule="FREQ=WEEKLY;BYDAY=MO")

    starts = series.occurrences(
        dt.datetime(2026, 10, 19, tzinfo=UTC), dt.datetime(2026, 11, 3, tzinfo=UTC)
    )

    assert local_times(starts, "Europe/Brussels") == [
        "Mon 19 Oct 09:00", "Mon 26 Oct 09:00", "Mon 02 Nov 09:00",
    ]  # fmt: skip
    assert [s.hour for s in starts] == [7, 8, 8]


def test_materialising_twice_creates_the_same_meetings_with_members_as_attendees(db):
    series = SeriesFactory(first_date=dt.date(2026, 1, 5))
    MembershipFactory.create_batch(3, team=series.team)
    window = (dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2026, 2, 1, tzinfo=UTC))

    first = materialise_series(series=series, start=window[0], end=window[1])
    again = materialise_series(series=series, start=window[0], end=window[1])

    assert [m.pk for m in first] == [m.pk for m in again]
    assert len(first) == 4  # Mondays 5, 12, 19, 26 January
    assert Meeting.objects.count() == 4
    assert all(m.attendances.count() == 3 for m in first)


def test_the_periodic_task_materialises_eight_weeks_ahead(db, time_machine):
    time_machine.move_to(dt.datetime(2026, 1, 1, 12, tzinfo=UTC))
    SeriesFactory(first_date=dt.date(2025, 12, 1))

    created = materialise_task()
    materialise_all_series()  # a second sweep finds nothing to add

    assert created == 8
    assert Meeting.objects.count() == 8
    assert Meeting.objects.order_by("starts_at").first().starts_at == dt.datetime(
        2026, 1, 5, 8, tzinfo=UTC
    )
