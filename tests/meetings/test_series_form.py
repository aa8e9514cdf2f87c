"""The series form as a facilitator sees it: each control inside the block that
shows only when it applies, weekdays as toggle chips, and after a failed save the
page opens at the first field to fix."""

from __future__ import annotations

import pytest

from meetings.forms import (
    ENDS_NEEDED,
    FIRST_DATE_NEEDED,
    FREQUENCY_NEEDED,
    INTERVAL_NEEDED,
    LENGTH_NEEDED,
    PICK_A_WEEKDAY,
    SERIES_TITLE_NEEDED,
    START_TIME_NEEDED,
    UNTIL_NEEDED,
)
from meetings.models import Series
from tests.html import Page

pytestmark = pytest.mark.django_db

NEW_SERIES = "/teams/sales/series/new/"
VALID = {
    "title": "Weekly customer round", "first_date": "2026-03-02", "start_time": "09:00",
    "duration_minutes": 30, "frequency": "weekly", "interval": 1, "weekdays": ["MO"],
    "ends": "never",
}  # fmt: skip


def test_each_control_sits_in_the_block_that_shows_when_it_applies(client, team, facilitator):
    client.force_login(facilitator)

    page = Page(client.get(NEW_SERIES).content.decode())

    assert "series-form" in page.around("id_title")
    for day in range(7):
        assert "when-weekly" in page.around(f"id_weekdays_{day}")
    assert "when-monthly" in page.around("id_month_week")
    assert "when-monthly" in page.around("id_month_weekday")
    assert "when-until" in page.around("id_until")
    assert "when-count" in page.around("id_count")
    # What always applies is in no such block.
    for always in ("id_frequency_0", "id_interval", "id_ends_0", "id_first_date"):
        assert not {"when-weekly", "when-monthly", "when-until", "when-count"} & set(
            page.around(always)
        )


def test_weekdays_frequency_and_ends_are_toggle_chips(client, team, facilitator):
    client.force_login(facilitator)

    page = Page(client.get(NEW_SERIES).content.decode())

    for control in ("id_weekdays_0", "id_weekdays_6", "id_frequency_1", "id_ends_2"):
        assert "toggle-chip" in page.around(control)


def test_the_time_field_names_the_teams_zone(client, team, facilitator):
    client.force_login(facilitator)

    assert "Europe/Brussels time" in client.get(NEW_SERIES).content.decode()


@pytest.mark.parametrize(
    ("changes", "first_invalid", "message"),
    [
        ({"weekdays": []}, "id_weekdays_0", PICK_A_WEEKDAY),
        ({"ends": "until"}, "id_until", UNTIL_NEEDED),
        # Two errors: the page lands on the first in the form's order.
        ({"title": "", "ends": "until"}, "id_title", SERIES_TITLE_NEEDED),
    ],
)
def test_after_a_failed_save_the_page_opens_at_the_first_field_to_fix(
    client, team, facilitator, changes, first_invalid, message
):
    client.force_login(facilitator)

    response = client.post(NEW_SERIES, {**VALID, **changes})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Page(response.content.decode()).focused() == [first_invalid]
    assert not Series.objects.exists()


def test_each_empty_required_field_asks_for_what_it_needs_in_plain_words(client, team, facilitator):
    client.force_login(facilitator)
    empty = dict.fromkeys(
        ("title", "first_date", "start_time", "duration_minutes", "frequency", "interval", "ends"),
        "",
    )

    html = client.post(NEW_SERIES, {**VALID, **empty}).content.decode()

    for message in (SERIES_TITLE_NEEDED, FIRST_DATE_NEEDED, START_TIME_NEEDED, LENGTH_NEEDED,
                    FREQUENCY_NEEDED, INTERVAL_NEEDED, ENDS_NEEDED):  # fmt: skip
        assert message in html
    assert "This field is required." not in html
    assert not Series.objects.exists()


def test_a_fresh_form_takes_no_focus(client, team, facilitator):
    client.force_login(facilitator)

    assert Page(client.get(NEW_SERIES).content.decode()).focused() == []
