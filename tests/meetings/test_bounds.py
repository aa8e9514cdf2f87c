"""How much one request can create: a series' standing agenda is copied into every
meeting it brings, and a series creates a bounded number of meetings at once. Bad
input gets a message next to the field, never a 500 and never half a save."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape

from meetings import services
from meetings.forms import STANDING_ITEM_TOO_LONG, TOO_MANY_STANDING_ITEMS, SeriesSettingsForm
from meetings.models import AGENDA_TITLE_MAX_LENGTH, MAX_STANDING_ITEMS, AgendaItem, Meeting, Series
from tests.factories import SeriesFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
EVERY_DAY = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def standing(count: int, title: str = "Item") -> str:
    return "\n".join(f"{title} {n}, 5" for n in range(1, count + 1))


def new_series(**changes) -> dict:
    data = {
        "title": "Daily round", "first_date": "2030-01-07", "start_time": "09:00",
        "duration_minutes": 30, "frequency": "weekly", "interval": 1, "weekdays": EVERY_DAY,
        "ends": "never",
    }  # fmt: skip
    return {**data, **changes}


# --- The standing agenda ------------------------------------------------------------


def test_a_standing_agenda_takes_up_to_the_limit_of_items():
    at_limit = SeriesSettingsForm({"agenda_template": standing(MAX_STANDING_ITEMS)})
    over = SeriesSettingsForm({"agenda_template": standing(MAX_STANDING_ITEMS + 1)})

    assert at_limit.is_valid()
    assert len(at_limit.cleaned_data["agenda_template"]) == MAX_STANDING_ITEMS == 20
    assert over.errors == {"agenda_template": [TOO_MANY_STANDING_ITEMS]}


def test_blank_lines_do_not_count_as_standing_items():
    form = SeriesSettingsForm({"agenda_template": "\n\n".join(["Pipeline, 10"] * 20) + "\n" * 50})

    assert form.is_valid()


def test_a_standing_item_title_takes_as_many_characters_as_an_agenda_item():
    at_limit = SeriesSettingsForm({"agenda_template": "x" * AGENDA_TITLE_MAX_LENGTH + ", 10"})
    over = SeriesSettingsForm({"agenda_template": "x" * (AGENDA_TITLE_MAX_LENGTH + 1) + ", 10"})

    assert at_limit.is_valid()
    assert at_limit.cleaned_data["agenda_template"][0]["title"] == "x" * 160
    assert AgendaItem._meta.get_field("title").max_length == AGENDA_TITLE_MAX_LENGTH
    assert over.errors == {"agenda_template": [STANDING_ITEM_TOO_LONG]}


def test_alice_cannot_schedule_a_daily_series_with_thousands_of_standing_items(
    client, facilitator, time_machine
):
    # The review's request: 56 meetings of 2,501 items each, 140,056 rows in one go.
    time_machine.move_to(dt.datetime(2030, 1, 7, tzinfo=UTC), tick=False)
    client.force_login(facilitator)

    response = client.post("/teams/sales/series/new/", new_series(agenda_template="x\n" * 2501))

    assert response.status_code == 200
    assert response.context["form"].errors == {"agenda_template": [TOO_MANY_STANDING_ITEMS]}
    assert escape(TOO_MANY_STANDING_ITEMS) in response.content.decode()
    assert not Series.objects.exists()
    assert not Meeting.objects.exists()


def test_alice_schedules_a_daily_series_with_a_full_standing_agenda(
    client, facilitator, time_machine
):
    time_machine.move_to(dt.datetime(2030, 1, 7, tzinfo=UTC), tick=False)
    client.force_login(facilitator)

    response = client.post("/teams/sales/series/new/", new_series(agenda_template=standing(20)))

    assert response.status_code == 302
    assert Meeting.objects.count() == 7 * 8  # a meeting a day, eight weeks ahead
    assert AgendaItem.objects.count() == 7 * 8 * (1 + 20)  # the round and the standing items


def test_too_long_a_standing_agenda_changes_nothing_in_the_series_or_its_meetings(
    client, series, facilitator
):
    before = list(AgendaItem.objects.order_by("pk").values_list("pk", "title"))
    client.force_login(facilitator)

    response = client.post(
        f"/teams/sales/series/{series.pk}/",
        {"agenda_template": standing(21), "apply_to_scheduled": "on"},
    )

    assert response.status_code == 200
    assert escape(TOO_MANY_STANDING_ITEMS) in response.content.decode()
    series.refresh_from_db()
    assert series.agenda_template == [{"title": "Pipeline", "minutes": 10}]
    assert list(AgendaItem.objects.order_by("pk").values_list("pk", "title")) == before


def test_a_standing_item_too_long_is_explained_next_to_the_field(client, series, facilitator):
    client.force_login(facilitator)

    response = client.post(f"/teams/sales/series/{series.pk}/", {"agenda_template": "x" * 161})

    assert response.status_code == 200
    assert response.context["form"].errors == {"agenda_template": [STANDING_ITEM_TOO_LONG]}
    assert escape(STANDING_ITEM_TOO_LONG) in response.content.decode()


def test_a_standing_agenda_saved_before_the_limit_brings_only_the_limit_to_new_meetings(
    series,
):
    # Old rows: nothing bounded the template before, so the copy into each meeting is.
    Series.objects.filter(pk=series.pk).update(
        agenda_template=[{"title": "y" * 500, "minutes": 5}] * 2501
    )
    series.refresh_from_db()

    [meeting] = services.materialise_series(
        series=series,
        start=dt.datetime(2026, 5, 4, tzinfo=UTC),
        end=dt.datetime(2026, 5, 5, tzinfo=UTC),
    )

    items = meeting.agenda_items.filter(kind=AgendaItem.Kind.ITEM)
    assert items.count() == MAX_STANDING_ITEMS
    assert {len(title) for title in items.values_list("title", flat=True)} == {160}


# --- How many meetings a series creates at once ---------------------------------------


def edit_following(client, meeting, day: str):
    return client.post(f"/teams/sales/meetings/{meeting.pk}/edit/", {
        "scope": "following", "title": "Weekly round", "date": day, "time": "10:00",
        "duration_minutes": 30,
    })  # fmt: skip


def test_moving_this_and_following_years_back_is_refused_next_to_the_date(
    client, series, facilitator
):
    # It used to bring back a meeting a week from then until now: hundreds, all over.
    meetings = list(series.meetings.order_by("starts_at"))
    client.force_login(facilitator)

    response = edit_following(client, meetings[2], "2016-03-16")

    assert response.status_code == 200
    assert response.context["form"].errors == {"date": [services.FOLLOWING_FROM_THE_PAST]}
    assert escape(services.FOLLOWING_FROM_THE_PAST) in response.content.decode()
    assert list(Meeting.objects.order_by("starts_at")) == meetings
    assert list(Series.objects.values_list("pk", "rule")) == [(series.pk, "FREQ=WEEKLY;BYDAY=MO")]


def test_this_and_following_may_start_today(client, series, facilitator):
    meetings = list(series.meetings.order_by("starts_at"))
    client.force_login(facilitator)

    response = edit_following(client, meetings[2], "2026-03-01")  # a Sunday, today

    assert response.status_code == 302
    new = Series.objects.exclude(pk=series.pk).get()
    assert new.first_date == dt.date(2026, 3, 1)


def test_a_meeting_whose_day_has_passed_can_still_change_this_and_following(series, time_machine):
    # Monday's 09:00 meeting, not yet closed by the sweep, edited after midnight.
    time_machine.move_to(dt.datetime(2026, 3, 2, 23, 30, tzinfo=UTC), tick=False)
    monday = series.meetings.order_by("starts_at").first()

    new = services.edit_series_from(
        meeting=monday, data={"first_date": dt.date(2026, 3, 2), "start_time": dt.time(10)}
    )

    assert new.meetings.order_by("starts_at").first().starts_at == dt.datetime(
        2026, 3, 2, 9, tzinfo=UTC
    )


def test_a_series_creates_at_most_the_limit_of_meetings_at_once(team):
    daily = SeriesFactory(team=team, rule="FREQ=DAILY", first_date=dt.date(2026, 1, 5))
    start = dt.datetime(2026, 1, 5, tzinfo=UTC)
    at_limit = start + dt.timedelta(days=services.MAX_MEETINGS_AT_ONCE)

    with pytest.raises(ValidationError) as error:
        services.materialise_series(series=daily, start=start, end=at_limit + dt.timedelta(days=1))
    created = services.materialise_series(series=daily, start=start, end=at_limit)

    assert error.value.messages == [services.TOO_MANY_MEETINGS % {"max": 112}]
    assert len(created) == services.MAX_MEETINGS_AT_ONCE == 112


def test_a_refused_series_window_creates_nothing(team):
    hourly = SeriesFactory(team=team, rule="FREQ=HOURLY", first_date=dt.date(2026, 1, 5))

    with pytest.raises(ValidationError):
        services.materialise_series(
            series=hourly,
            start=dt.datetime(2026, 1, 5, tzinfo=UTC),
            end=dt.datetime(2026, 1, 12, tzinfo=UTC),
        )

    assert not Meeting.objects.exists()


def test_turning_a_weekly_series_into_a_daily_one_is_within_the_limit(series):
    # The largest a form allows: a meeting a day up to eight weeks past the last Monday.
    monday = series.meetings.order_by("starts_at").first()

    new = services.edit_series_from(
        meeting=monday, data={"rule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU"}
    )

    # From Monday 2 March to eight weeks past the last Monday (20 April): 15 weeks.
    assert new.meetings.count() == 15 * 7 <= services.MAX_MEETINGS_AT_ONCE


def test_the_sweep_skips_a_series_asking_for_too_many_meetings_and_goes_on(
    team, time_machine, caplog
):
    time_machine.move_to(dt.datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False)
    hourly = SeriesFactory(team=team, rule="FREQ=HOURLY", first_date=dt.date(2026, 3, 2))
    weekly = SeriesFactory(team=team, rule="FREQ=WEEKLY;BYDAY=MO", first_date=dt.date(2026, 3, 2))

    assert services.materialise_all_series() == 8

    assert weekly.meetings.count() == 8
    assert not hourly.meetings.exists()
    assert f"Series {hourly.pk} was not materialised" in caplog.text
