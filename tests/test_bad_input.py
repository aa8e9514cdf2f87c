"""Inputs found by review that once gave a 500: now each gets a clear answer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from insightboard.fields import OUT_OF_RANGE
from meetings import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(team, facilitator, member):
    return services.create_meeting(team=team, title="Round", duration_minutes=30,
                                   starts_at=timezone.now() + dt.timedelta(hours=3))  # fmt: skip


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_extreme_dates_are_refused_next_to_the_field(client, facilitator, member, day):
    client.force_login(facilitator)

    away = client.post("/accounts/profile/away/", {"starts_on": day, "ends_on": day})
    new = client.post("/teams/sales/meetings/new/", {"title": "X", "date": day, "time": "09:00",
                                                      "duration_minutes": 30})  # fmt: skip
    listed = client.get("/meetings/", {"start": day, "end": day})

    assert away.status_code == new.status_code == listed.status_code == 200
    assert OUT_OF_RANGE in away.content.decode()
    assert OUT_OF_RANGE in new.content.decode()


@pytest.mark.parametrize("value", ["²", "٣", "12345678901234567890"])
def test_odd_digits_in_hidden_fields_do_not_break_the_presenter(
    client, facilitator, meeting, value
):
    attendance = meeting.attendances.first()
    client.force_login(facilitator)

    response = client.post(
        f"/teams/sales/meetings/{meeting.pk}/attendees/{attendance.pk}/presented/", {"at": value}
    )

    assert response.status_code == 302


def test_odd_digits_in_a_standing_agenda_are_read_as_plain_titles(client, facilitator):
    client.force_login(facilitator)

    response = client.post("/teams/sales/series/new/", {
        "title": "Weekly", "first_date": "2030-01-07", "start_time": "09:00", "duration_minutes": 30,
        "frequency": "weekly", "interval": 1, "weekdays": ["MO"], "ends": "never",
        "agenda_template": "Pipeline, ²",
    })  # fmt: skip

    assert response.status_code == 302
