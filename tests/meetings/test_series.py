"""A series lives on the team's wall clock: 09:00 stays 09:00 across DST."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from accounts.models import Away
from meetings import services
from meetings.models import Attendance, Meeting
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


# --- Rotation passes over whoever is away -----------------------------------------

# Mondays 09:00 in Brussels: 2, 9, 16, 23 and 30 March 2026.
MARCH = (dt.datetime(2026, 3, 1, tzinfo=UTC), dt.datetime(2026, 4, 1, tzinfo=UTC))


@pytest.fixture
def rotating(team, facilitator, member, team_admin):
    """Alice, Bob and Carol take turns (by name), Alice first."""
    return SeriesFactory(
        team=team, first_date=dt.date(2026, 3, 2), rule="FREQ=WEEKLY;BYDAY=MO",
        facilitator=facilitator, rotate_facilitator=True,
    )  # fmt: skip


def facilitators(series) -> list[str]:
    meetings = materialise_series(series=series, start=MARCH[0], end=MARCH[1])
    return [m.facilitator.name.split()[0] for m in meetings]


def test_rotation_passes_over_the_person_whose_turn_falls_in_their_away_period(rotating, member):
    services.mark_away(
        user=member, starts_on=dt.date(2026, 3, 7), ends_on=dt.date(2026, 3, 13), by=member
    )

    assert facilitators(rotating) == ["Alice", "Carol", "Alice", "Bob", "Carol"]


def test_the_rotation_goes_on_from_the_stand_in_in_later_weeks_made_later(rotating, member):
    # As the daily sweep does: a week or so at a time. The turn after Carol's is
    # Alice's, then Bob's again: he is neither owed an extra turn nor dropped.
    Away.objects.create(user=member, starts_on=dt.date(2026, 3, 9), ends_on=dt.date(2026, 3, 9))
    split = dt.datetime(2026, 3, 10, tzinfo=UTC)

    before = materialise_series(series=rotating, start=MARCH[0], end=split)
    after = materialise_series(series=rotating, start=split, end=MARCH[1])

    assert [m.facilitator.name.split()[0] for m in before + after] == [
        "Alice", "Carol", "Alice", "Bob", "Carol",
    ]  # fmt: skip


def test_the_first_facilitator_away_on_the_first_day_hands_it_to_the_next_in_turn(
    rotating, facilitator
):
    Away.objects.create(
        user=facilitator, starts_on=dt.date(2026, 3, 2), ends_on=dt.date(2026, 3, 2)
    )

    assert facilitators(rotating) == ["Bob", "Carol", "Alice", "Bob", "Carol"]


def test_an_away_period_on_another_day_does_not_change_the_rotation(rotating, member):
    # Away on Tuesday 10 March only: his Monday turn stands.
    Away.objects.create(user=member, starts_on=dt.date(2026, 3, 10), ends_on=dt.date(2026, 3, 13))

    assert facilitators(rotating) == ["Alice", "Bob", "Carol", "Alice", "Bob"]


def test_the_away_days_are_on_the_facilitators_own_calendar(rotating, member):
    # 09:00 in Brussels on Monday 9 March is still Sunday 8 March in Honolulu.
    member.time_zone = "Pacific/Honolulu"
    member.save(update_fields=["time_zone"])
    Away.objects.create(user=member, starts_on=dt.date(2026, 3, 9), ends_on=dt.date(2026, 3, 9))

    assert facilitators(rotating)[1] == "Bob"


def test_when_everyone_is_away_the_person_whose_turn_it_is_keeps_it(
    rotating, facilitator, member, team_admin
):
    for person in (facilitator, member, team_admin):
        Away.objects.create(user=person, starts_on=dt.date(2026, 3, 9), ends_on=dt.date(2026, 3, 9))

    assert facilitators(rotating) == ["Alice", "Bob", "Carol", "Alice", "Bob"]


def test_the_away_facilitator_is_still_excused_from_the_meeting_they_were_passed_over_for(
    rotating, member
):
    Away.objects.create(user=member, starts_on=dt.date(2026, 3, 9), ends_on=dt.date(2026, 3, 9))

    second = materialise_series(series=rotating, start=MARCH[0], end=MARCH[1])[1]

    assert second.attendances.get(user=member).status == Attendance.Status.EXCUSED


def test_someone_who_goes_away_after_their_meeting_was_made_hands_it_to_the_next_in_turn(
    rotating, member, time_machine
):
    """Meetings exist eight weeks ahead, so holidays are mostly booked after them."""
    time_machine.move_to(dt.datetime(2026, 2, 20, tzinfo=UTC), tick=False)
    meetings = materialise_series(series=rotating, start=MARCH[0], end=MARCH[1])
    assert [m.facilitator.name.split()[0] for m in meetings][:3] == ["Alice", "Bob", "Carol"]

    services.mark_away(user=member, starts_on=dt.date(2026, 3, 9), ends_on=dt.date(2026, 3, 9),
                       by=member)  # fmt: skip

    week_two = Meeting.objects.get(pk=meetings[1].pk)
    assert week_two.facilitator.name == "Carol Admin"
    assert week_two.attendances.get(user=member).status == Attendance.Status.EXCUSED


def test_a_fixed_facilitator_who_goes_away_keeps_their_meeting(
    team, facilitator, member, time_machine
):
    time_machine.move_to(dt.datetime(2026, 2, 20, tzinfo=UTC), tick=False)
    fixed = SeriesFactory(team=team, first_date=dt.date(2026, 3, 2), rule="FREQ=WEEKLY;BYDAY=MO",
                          facilitator=facilitator)  # fmt: skip
    first = materialise_series(series=fixed, start=MARCH[0], end=MARCH[1])[0]

    services.mark_away(user=facilitator, starts_on=dt.date(2026, 3, 2),
                       ends_on=dt.date(2026, 3, 2), by=facilitator)  # fmt: skip

    assert Meeting.objects.get(pk=first.pk).facilitator == facilitator
