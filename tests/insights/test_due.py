"""The quick due dates a follow-up action is offered in the presenter view."""

from __future__ import annotations

import datetime as dt

import pytest

from insights.due import due_choices, end_of_week
from insights.forms import ActionForm
from meetings import services
from tests.factories import SeriesFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 7, 6)


@pytest.mark.parametrize(
    ("today", "label", "friday"),
    [(MONDAY, "End of this week", dt.date(2026, 7, 10)),
     (MONDAY + dt.timedelta(days=2), "End of this week", dt.date(2026, 7, 10)),  # Wednesday
     (MONDAY + dt.timedelta(days=3), "End of next week", dt.date(2026, 7, 17)),  # Thursday
     (MONDAY + dt.timedelta(days=4), "End of next week", dt.date(2026, 7, 17)),  # Friday
     (MONDAY + dt.timedelta(days=6), "End of next week", dt.date(2026, 7, 17))],  # Sunday
)  # fmt: skip
def test_the_end_of_the_week_is_a_friday_at_least_two_days_away(today, label, friday):
    choice = end_of_week(today)

    assert (choice.label, choice.date) == (label, friday)


def test_a_one_off_meeting_offers_the_end_of_the_week_first_and_two_weeks(team):
    meeting = services.create_meeting(team=team, title="One-off", duration_minutes=30,
                                      starts_at=dt.datetime(2026, 7, 6, 7, tzinfo=dt.UTC))  # fmt: skip

    choices = due_choices(meeting, today=MONDAY)

    assert [(c.label, c.date) for c in choices] == [
        ("End of this week", dt.date(2026, 7, 10)), ("In two weeks", dt.date(2026, 7, 20)),
    ]  # fmt: skip


def test_the_next_meeting_is_the_series_next_one_that_takes_place_on_the_teams_calendar(
    team, time_machine
):
    time_machine.move_to(dt.datetime(2026, 7, 6, 6, tzinfo=dt.UTC), tick=False)
    # 00:30 in Brussels on Tuesdays: still Monday evening in UTC.
    series = SeriesFactory(team=team, first_date=MONDAY, rule="FREQ=WEEKLY;BYDAY=MO,TU",
                           start_time=dt.time(0, 30))  # fmt: skip
    meetings = services.materialise_series(
        series=series, start=dt.datetime(2026, 7, 5, tzinfo=dt.UTC),
        end=dt.datetime(2026, 7, 15, tzinfo=dt.UTC),
    )  # fmt: skip
    first, skipped, following = meetings[:3]
    skipped.cancel()

    choices = due_choices(first, today=MONDAY)

    assert ("Next meeting", dt.date(2026, 7, 13)) in [(c.label, c.date) for c in choices]
    assert following.starts_at.date() == dt.date(2026, 7, 12)  # in UTC, a day earlier


def test_the_choices_are_in_date_order_with_the_end_of_the_week_still_the_default(
    team, time_machine
):
    thursday = MONDAY + dt.timedelta(days=3)
    time_machine.move_to(dt.datetime(2026, 7, 9, 6, tzinfo=dt.UTC), tick=False)
    series = SeriesFactory(team=team, first_date=thursday, rule="FREQ=WEEKLY;BYDAY=TH",
                           start_time=dt.time(9))  # fmt: skip
    meeting = services.materialise_series(
        series=series, start=dt.datetime(2026, 7, 8, tzinfo=dt.UTC),
        end=dt.datetime(2026, 7, 20, tzinfo=dt.UTC),
    )[0]  # fmt: skip

    choices = due_choices(meeting, today=thursday)
    form = ActionForm(meeting=meeting)

    assert [(c.label, c.date) for c in choices] == [
        ("Next meeting", dt.date(2026, 7, 16)), ("End of next week", dt.date(2026, 7, 17)),
        ("In two weeks", dt.date(2026, 7, 23)),
    ]  # fmt: skip
    assert form.fields["due"].initial == dt.date(2026, 7, 17)
