"""Inputs found by review that once gave a 500: now each gets a clear answer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.forms import ProfileForm, SignupForm
from insightboard.fields import OUT_OF_RANGE, SingleLineField
from insights.forms import ActionForm, InsightForm
from meetings import services
from meetings.forms import AgendaItemForm, MeetingForm, SeriesForm, TeamCreateForm, TeamSettingsForm
from meetings.models import Meeting, Series

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


# --- Line breaks in titles and names -----------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["Customer\nround", "Customer\r\nround", "Customer\rround", " Customer\t\x07round ",
     "Customer\u2028round", "Customer\x00\x1b\x85round"],
)  # fmt: skip
def test_a_single_line_field_turns_line_breaks_and_control_characters_into_one_space(typed):
    assert SingleLineField(max_length=20).clean(typed) == "Customer round"


def test_a_title_of_control_characters_only_is_still_required():
    with pytest.raises(ValidationError) as error:
        SingleLineField(max_length=20).clean("\r\n\x07")

    assert error.value.code == "required"


@pytest.mark.parametrize(
    ("form", "field"),
    [(MeetingForm, "title"), (MeetingForm, "location"), (SeriesForm, "title"),
     (SeriesForm, "location"), (AgendaItemForm, "title"), (TeamCreateForm, "name"),
     (TeamSettingsForm, "name"), (ProfileForm, "name"), (SignupForm, "name"),
     (InsightForm, "customer"), (InsightForm, "contact"), (ActionForm, "title")],
)  # fmt: skip
def test_every_title_and_name_a_form_takes_is_kept_on_one_line(form, field):
    # They end up in calendars, e-mail subjects and chat posts, where a line break breaks.
    assert isinstance(form.base_fields[field], SingleLineField)


def test_alice_schedules_a_meeting_whose_pasted_title_had_a_line_break(client, facilitator):
    client.force_login(facilitator)

    response = client.post("/teams/sales/meetings/new/", {
        "title": "Customer\r\nround", "date": "2030-01-07", "time": "09:00",
        "duration_minutes": 30, "location": "Room\n2",
    })  # fmt: skip

    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.title, meeting.location) == ("Customer round", "Room 2")


def test_alice_schedules_a_series_whose_pasted_title_had_a_line_break(client, facilitator):
    client.force_login(facilitator)

    response = client.post("/teams/sales/series/new/", {
        "title": "Weekly\rround", "first_date": "2030-01-07", "start_time": "09:00",
        "duration_minutes": 30, "frequency": "weekly", "interval": 1, "weekdays": ["MO"],
        "ends": "never",
    })  # fmt: skip

    assert response.status_code == 302
    assert Series.objects.get().title == "Weekly round"


def test_bobs_name_with_a_line_break_is_saved_on_one_line(client, member):
    client.force_login(member)

    response = client.post("/accounts/profile/", {
        "name": "Bob\nMember", "email": "bob@example.com", "time_zone": "Europe/Brussels",
    })  # fmt: skip

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.name == "Bob Member"
