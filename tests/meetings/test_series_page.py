"""A series' own page: its standing agenda, rotation, and ending it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.html import escape

from meetings import services
from meetings.models import AgendaItem, AgendaTime, Meeting, Series
from tests.factories import InsightFactory, UserFactory

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


def test_the_series_page_lists_the_meeting_under_way_as_now(
    client, series, facilitator, time_machine
):
    first, second = series.meetings.order_by("starts_at")[:2]
    time_machine.move_to(dt.datetime(2026, 3, 2, 8, 10, tzinfo=UTC), tick=False)  # 09:10 there
    client.force_login(facilitator)

    html = client.get(f"/teams/sales/series/{series.pk}/").content.decode()

    now = '<span class="badge badge-live">Now (in progress)</span> <a href="{}">'
    assert now.format(first.get_absolute_url()) in html
    assert now.format(second.get_absolute_url()) not in html
    assert f'<a href="{second.get_absolute_url()}">' in html


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
        response = client.post(
            f"/teams/sales/meetings/{meeting.pk}/end/", {"unpresented": "confirmed"}
        )

    assert len(callbacks) == 1  # the summary was attempted
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ENDED


# --- The standing agenda against the meetings' length ----------------------------


def test_a_standing_agenda_longer_than_the_meeting_is_a_warning_and_still_saves(
    client, series, facilitator
):
    """Alice and Bob: a 4-minute round, and 30 + 10 minutes of standing items."""
    client.force_login(facilitator)

    response = client.post(
        f"/teams/sales/series/{series.pk}/",
        {"agenda_template": "Pipeline, 10\nQuarterly review, 20"},
        follow=True,
    )

    html = response.content.decode()
    assert "Each meeting plans 34 of 30 min" in html
    assert escape(AgendaTime(round=4, items=30, length=30).warning) in html
    assert "The agenda runs 4 min over the meeting" in html
    series.refresh_from_db()
    assert series.agenda_template[1] == {"title": "Quarterly review", "minutes": 20}


def test_a_standing_agenda_that_fits_gives_no_warning(client, series, facilitator):
    client.force_login(facilitator)

    html = client.get(f"/teams/sales/series/{series.pk}/").content.decode()

    assert "Each meeting plans 14 of 30 min" in html
    assert "warning-note" not in html


def test_the_round_counts_the_series_guests_and_not_its_excluded(series, member, facilitator):
    guest = UserFactory()
    series.guests.add(guest)
    series.excluded.add(member)

    assert series.agenda_time() == AgendaTime(round=4, items=10, length=30)  # Alice and the guest


def test_a_new_series_that_runs_over_is_created_with_a_warning(client, team, facilitator):
    client.force_login(facilitator)

    response = client.post("/teams/sales/series/new/", {
        "title": "Long round", "first_date": "2026-03-02", "start_time": "09:00",
        "duration_minutes": 15, "frequency": "weekly", "interval": 1, "weekdays": ["MO"],
        "ends": "never", "agenda_template": "Pipeline, 15",
    }, follow=True)  # fmt: skip

    assert Series.objects.filter(title="Long round").exists()
    assert "The agenda runs 2 min over the meeting&#x27;s 15 min" in response.content.decode()


def test_a_longer_round_in_the_team_settings_warns_of_the_series_it_pushes_over(
    client, team, series, team_admin
):
    """Three people at 10 minutes each, and the 10-minute standing item: 10 min over."""
    client.force_login(team_admin)
    data = {
        "name": "Sales", "time_zone": "Europe/Brussels", "freshness_mode": "days",
        "freshness_days": 14, "reminder_offsets": "24h, 2h, 15m", "quiet_hours_start": "20:00",
        "quiet_hours_end": "08:00", "minutes_per_person": 10, "close_after_minutes": 60,
    }  # fmt: skip

    response = client.post("/teams/sales/settings/", data, follow=True)

    html = response.content.decode()
    assert "Team settings saved." in html
    assert "Weekly round: The agenda runs 10 min over the meeting&#x27;s 30 min" in html
    team.refresh_from_db()
    assert team.minutes_per_person == 10
