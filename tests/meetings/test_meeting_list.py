"""The meetings list: mine, upcoming or past, filterable, with my insight status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from meetings import services
from tests.factories import InsightFactory, MembershipFactory, SeriesFactory, UserFactory

pytestmark = pytest.mark.django_db


def meeting(team, title: str, days: float, **kwargs):
    return services.create_meeting(
        team=team, title=title, starts_at=timezone.now() + dt.timedelta(days=days),
        duration_minutes=30, **kwargs,
    )  # fmt: skip


def test_upcoming_lists_my_teams_meetings_soonest_first(client, team, other_team, member):
    meeting(team, "Second", 2)
    meeting(team, "First", 1)
    meeting(other_team, "Not mine", 1)
    meeting(team, "Last week", -7)
    client.force_login(member)

    html = client.get("/meetings/").content.decode()

    assert html.index("First") < html.index("Second")
    assert "Not mine" not in html and "Last week" not in html


def test_past_meetings_are_newest_first_and_show_my_status(client, team, member):
    old = meeting(team, "Two weeks ago", -14)
    recent = meeting(team, "Last week", -7)
    InsightFactory(meeting=recent, author=member)
    client.force_login(member)

    html = client.get("/meetings/", {"when": "past"}).content.decode()

    assert html.index("Last week") < html.index("Two weeks ago")
    assert "Yours is in" in html and "Yours is missing" in html
    assert old.pk


def test_filters_by_team_series_and_dates(client, team, member):
    series = SeriesFactory(team=team, title="Standup")
    in_series = meeting(team, "Standup", 3)
    in_series.series = series
    in_series.save()
    meeting(team, "Offsite", 10)
    client.force_login(member)

    by_series = client.get("/meetings/", {"series": series.pk}).content.decode()
    by_date = client.get(
        "/meetings/", {"start": (timezone.localdate() + dt.timedelta(days=8)).isoformat()}
    ).content.decode()

    assert "Standup" in by_series and "Offsite" not in by_series
    assert "Offsite" in by_date and ">Standup<" not in by_date


def test_another_teams_series_in_the_query_string_is_refused(client, team, other_team, member):
    theirs = SeriesFactory(team=other_team, title="Secret sync")
    client.force_login(member)

    html = client.get("/meetings/", {"series": theirs.pk}).content.decode()

    assert "Secret sync" not in html
    assert "Select a valid choice" in html


@pytest.mark.parametrize("size", [5, 40])
def test_the_list_costs_the_same_queries_whatever_the_size(
    client, team, member, size, django_assert_max_num_queries
):
    people = UserFactory.create_batch(5)
    for person in people:
        MembershipFactory(team=team, user=person)
    for day in range(size):
        m = meeting(team, f"Round {day}", day + 1)
        InsightFactory(meeting=m, author=people[day % 5])
    client.force_login(member)

    with django_assert_max_num_queries(9):
        assert client.get("/meetings/").status_code == 200
