"""A series' own page: its standing agenda, rotation, and ending it."""

from __future__ import annotations

import datetime as dt

import pytest

from meetings import services
from meetings.models import AgendaItem, Meeting
from tests.factories import InsightFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def items(meeting):
    return list(meeting.agenda_items.order_by("position").values_list("title", flat=True))


def test_new_standing_agenda_reaches_scheduled_meetings_when_asked(client, series, facilitator):
    first = series.meetings.order_by("starts_at").first()
    services.add_agenda_item(meeting=first, title="Hiring update", minutes=5)
    client.force_login(facilitator)

    response = client.post(
        f"/teams/sales/series/{series.pk}/",
        {"agenda_template": "Follow-ups, 5\nDemo of the week, 15", "apply_to_scheduled": "on"},
        follow=True,
    )

    assert "8 scheduled meetings updated" in response.content.decode()
    assert items(first) == [
        "Fresh customer insights",
        "Hiring update",
        "Follow-ups",
        "Demo of the week",
    ]
    series.refresh_from_db()
    assert series.agenda_template == [{"title": "Follow-ups", "minutes": 5},
                                      {"title": "Demo of the week", "minutes": 15}]  # fmt: skip


def test_without_asking_only_future_materialised_meetings_get_it(client, series, facilitator):
    client.force_login(facilitator)

    client.post(f"/teams/sales/series/{series.pk}/", {"agenda_template": "Follow-ups, 5"})

    first = series.meetings.order_by("starts_at").first()
    assert items(first) == ["Fresh customer insights", "Pipeline"]


def test_ending_a_series_keeps_meetings_that_hold_insights(client, series, facilitator, member):
    meetings = list(series.meetings.order_by("starts_at"))
    InsightFactory(meeting=meetings[1], author=member)
    client.force_login(facilitator)

    client.post(f"/teams/sales/series/{series.pk}/end/")

    assert list(series.meetings.values_list("pk", "status")) == [
        (meetings[1].pk, Meeting.Status.CANCELLED)
    ]
    assert services.materialise_all_series() == 0  # nothing comes back
    assert not AgendaItem.objects.filter(meeting_id=meetings[0].pk).exists()


def test_members_cannot_change_a_series(client, series, member):
    client.force_login(member)

    assert client.post(f"/teams/sales/series/{series.pk}/end/").status_code == 403
    assert series.meetings.count() == 8


def test_another_teams_series_is_a_404(client, outsider, series):
    client.force_login(outsider)

    assert client.get(f"/teams/sales/series/{series.pk}/").status_code == 404


def test_this_and_following_keeps_a_skipped_meeting_that_holds_insights(series, member):
    meetings = list(series.meetings.order_by("starts_at"))
    InsightFactory(meeting=meetings[2], author=member)
    services.skip_meeting(meeting=meetings[2])

    services.edit_series_from(meeting=meetings[0], data={"start_time": dt.time(10)})

    assert member.insights.count() == 1


def test_a_new_team_time_zone_moves_its_series_without_twins(client, series, team_admin):
    before = series.meetings.count()
    client.force_login(team_admin)

    client.post("/teams/sales/settings/", {
        "name": "Sales", "time_zone": "America/New_York", "freshness_mode": "days",
        "freshness_days": 14, "reminder_offsets": "24h, 2h, 15m", "quiet_hours_start": "20:00",
        "quiet_hours_end": "08:00", "minutes_per_person": 2, "close_after_minutes": 60,
    })  # fmt: skip
    services.materialise_all_series()

    assert series.meetings.count() == before
    first = series.meetings.order_by("starts_at").first()
    assert first.starts_at.astimezone(first.team.zone).strftime("%H:%M") == "09:00"


def test_moving_a_meeting_into_an_away_period_excuses_the_person(series, member):
    from accounts.models import Away
    from meetings.models import Attendance

    meetings = list(series.meetings.order_by("starts_at"))
    Away.objects.create(user=member, starts_on=dt.date(2026, 3, 17), ends_on=dt.date(2026, 3, 17))

    services.update_meeting(
        meeting=meetings[1], data={"starts_at": dt.datetime(2026, 3, 17, 8, tzinfo=UTC)}
    )

    assert meetings[1].attendances.get(user=member).status == Attendance.Status.EXCUSED


def test_ending_a_meeting_survives_a_mail_server_that_is_down(
    client, series, facilitator, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens: refused
    meeting = series.meetings.order_by("starts_at").first()
    meeting.start()
    client.force_login(facilitator)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"/teams/sales/meetings/{meeting.pk}/end/")

    assert len(callbacks) == 1  # the summary was attempted
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ENDED
