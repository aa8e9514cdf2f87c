"""The dashboards as people use them: who sees which, sorting, periods, CSV, and
query counts that don't grow with the number of teams, people and meetings."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.utils.html import escape

from insights import participation
from insights.models import RoundResult
from insights.services import record_missing_rounds
from meetings import services
from meetings.models import Membership
from tests.factories import TeamFactory, UserFactory, held

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.UTC)


def staffed(team, size: int) -> list:
    people = UserFactory.create_batch(size)
    for person in people:
        Membership.objects.create(team=team, user=person)
    return people


def rows_of(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # as a spreadsheet reads it
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def two_teams(team, other_team, facilitator, member, time_machine):
    """Sales keeps the ritual; Engineering's is dying (one of three brings one)."""
    held(team, [facilitator, member], weeks=3, bring=2, now=NOW, time_machine=time_machine)
    engineers = staffed(other_team, 3)
    held(other_team, engineers, weeks=3, bring=1, now=NOW, time_machine=time_machine)


def test_an_org_admin_lands_on_the_dashboard_with_each_teams_figures(client, org_admin, two_teams):
    client.force_login(org_admin)

    response = client.get("/", follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/dashboard/"
    assert "Is the ritual alive?" in html
    assert "Sales" in html and "Engineering" in html
    assert "100 %" in html and "33 %" in html  # Sales' submission rate, Engineering's
    assert "<svg" in html and "The numbers, week by week" in html


def test_members_and_facilitators_do_not_see_the_organisation_dashboard(
    client, member, facilitator
):
    for person in (member, facilitator):
        client.force_login(person)
        assert client.get("/dashboard/").status_code == 403


def test_a_member_keeps_their_own_home(client, member):
    client.force_login(member)

    assert client.get("/").status_code == 200


def test_the_teams_sort_by_any_column_and_teams_without_data_come_last(
    client, org_admin, two_teams
):
    TeamFactory(name="Aardvarks", slug="aardvarks")
    client.force_login(org_admin)

    table = '<table class="figures">'
    html = client.get("/dashboard/?sort=ritual_kept&dir=asc").content.decode().split(table)[1]
    by_name = client.get("/dashboard/?sort=team&dir=asc").content.decode().split(table)[1]

    assert html.index("Engineering") < html.index("Sales") < html.index("Aardvarks")
    assert by_name.index("Aardvarks") < by_name.index("Engineering") < by_name.index("Sales")


def test_a_period_between_dates_and_bad_dates_are_explained(client, org_admin, two_teams):
    client.force_login(org_admin)

    narrow = client.get("/dashboard/?period=dates&start=2026-06-20&end=2026-06-30")
    backwards = client.get("/dashboard/?period=dates&start=2026-06-30&end=2026-06-01")
    missing = client.get("/dashboard/?period=dates&start=2026-06-01")

    assert narrow.status_code == 200
    assert "20 Jun 2026 – 30 Jun 2026" in narrow.content.decode()
    assert "The first date must be on or before the last." in backwards.content.decode()
    assert "Give both dates." in missing.content.decode()


def test_the_teams_table_downloads_as_csv_with_a_total(client, org_admin, two_teams):
    client.force_login(org_admin)

    rows = rows_of(client.get("/dashboard/?export=teams&sort=team&dir=asc"))

    assert rows[0][:4] == ["team", "meetings held", "ritual kept %", "submission rate %"]
    assert [r[0] for r in rows[1:]] == ["Engineering", "Sales", "All teams"]
    assert rows[2][1:4] == ["3", "100.0", "100.0"]
    assert rows[1][1:4] == ["3", "0.0", "33.3"]
    assert rows[3][1] == "6"


# The share of expected attendees who brought an insight, and how many did: one name each.
RATE, COUNT = "submission rate", "brought an insight"


def names_shown(html: str) -> set[str]:
    """Column headers and stat labels, lower case, that speak of bringing an insight."""
    cells = re.findall(
        r'<(?:th scope="col"[^>]*|span class="stat-label")>(.*?)</(?:th|span)>', html
    )
    names = {re.sub(r"<[^>]+>", "", cell).strip().lower() for cell in cells}
    return {name for name in names if re.search("submi|brought|bring", name)}


def test_the_submission_rate_and_its_count_have_one_name_on_pages_csv_and_definitions(
    client, org_admin, two_teams
):
    client.force_login(org_admin)
    organisation = client.get("/dashboard/").content.decode()
    team = client.get("/teams/sales/dashboard/").content.decode()
    headers = {
        name.removesuffix(" %")
        for url in ("/dashboard/?export=teams", "/dashboard/?export=trend",
                    "/teams/sales/dashboard/?export=people")
        for name in rows_of(client.get(url))[0]
    }  # fmt: skip
    definitions = participation.definitions()

    assert names_shown(organisation) == {RATE}
    assert names_shown(team) == {RATE, COUNT}  # each person's count, and the rates
    assert {name for name in headers if re.search("submi|brought", name)} == {RATE, COUNT}
    assert definitions["brought"].lower().startswith(f"{COUNT}:")
    assert definitions["submission_rate"].lower().startswith(f"{RATE}: {COUNT}, over")
    assert escape(definitions["brought"]) in organisation and escape(definitions["brought"]) in team


def test_each_csv_file_is_named_after_its_period_and_a_teams_after_the_team(
    client, org_admin, two_teams
):
    client.force_login(org_admin)

    def filename(url: str) -> str:
        return client.get(url)["Content-Disposition"]

    twelve_weeks = "2026-04-13-to-2026-06-30"  # whole weeks, this one included
    assert filename("/dashboard/?export=teams") == (
        f'attachment; filename="teams-{twelve_weeks}.csv"'
    )
    assert filename("/dashboard/?export=trend") == (
        f'attachment; filename="weekly-trend-{twelve_weeks}.csv"'
    )
    team = "/teams/sales/dashboard/?start=2026-06-20&end=2026-06-30&export="
    assert filename(team + "people") == (
        'attachment; filename="sales-people-2026-06-20-to-2026-06-30.csv"'
    )
    assert filename(team + "grid") == (
        'attachment; filename="sales-attendance-grid-2026-06-20-to-2026-06-30.csv"'
    )
    assert filename(team + "trend") == (
        'attachment; filename="sales-weekly-trend-2026-06-20-to-2026-06-30.csv"'
    )


def test_a_facilitator_sees_their_teams_dashboard_but_not_another_teams(
    client, facilitator, member, two_teams
):
    client.force_login(facilitator)

    html = client.get("/teams/sales/dashboard/").content.decode()

    assert "Sales: is the ritual alive?" in html
    assert "Bob Member" in html and "Person × meeting" in html
    assert client.get("/teams/engineering/dashboard/").status_code == 404
    client.force_login(member)
    assert client.get("/teams/sales/dashboard/").status_code == 403


def test_the_people_grid_and_trend_download_as_csv(client, facilitator, member, two_teams):
    client.force_login(facilitator)

    people = rows_of(client.get("/teams/sales/dashboard/?export=people"))
    grid = rows_of(client.get("/teams/sales/dashboard/?export=grid"))
    trend = rows_of(client.get("/teams/sales/dashboard/?export=trend"))

    assert [r[0] for r in people[1:]] == ["Alice Facilitator", "Bob Member"]
    assert people[2][1:7] == ["3", "3", "100.0", "100.0", "3", "3"]
    assert grid[0][0] == "person" and len(grid[0]) == 4
    assert grid[2] == ["Bob Member", "On time", "On time", "On time"]
    assert len(trend) == 4


def test_my_record_shows_my_streak_history_and_customers(client, member, two_teams):
    client.force_login(member)

    html = client.get("/me/record/").content.decode()

    assert "My record" in html
    assert '<span class="stat-value">3</span>' in html
    assert "Sales round 0" in html
    assert "Next milestone: 5" in html


def test_my_record_says_the_same_streak_as_the_celebration(
    client, team, facilitator, member, time_machine
):
    held(team, [facilitator, member], weeks=4, bring=2, now=NOW, time_machine=time_machine)
    meeting = services.create_meeting(team=team, title="Fifth", duration_minutes=30,
                                      starts_at=NOW + dt.timedelta(days=1))  # fmt: skip
    client.force_login(member)
    client.post(f"/teams/sales/meetings/{meeting.pk}/insight/", {
        "customer": "Acme", "conversation_date": "2026-06-29", "channel": "call",
        "said": "They print it.", "so_what": "Paper matters."})  # fmt: skip

    html = client.get("/me/record/").content.decode()

    assert '<span class="stat-value">5</span><span class="stat-label">meetings in a row' in html
    assert "Next milestone: 10" in html


def test_the_fifth_meeting_in_a_row_is_celebrated_when_the_insight_is_saved(
    client, team, facilitator, member, time_machine
):
    held(team, [facilitator, member], weeks=4, bring=2, now=NOW, time_machine=time_machine)
    meeting = services.create_meeting(team=team, title="Fifth", duration_minutes=30,
                                      starts_at=NOW + dt.timedelta(days=1))  # fmt: skip
    client.force_login(member)
    url = f"/teams/sales/meetings/{meeting.pk}/insight/"
    data = {"customer": "Acme", "conversation_date": "2026-06-29", "channel": "call",
            "said": "They print it.", "so_what": "Paper matters."}  # fmt: skip

    saved = client.post(url, data, follow=True).content.decode()
    edited = client.post(url, {**data, "said": "Typo fixed."}, follow=True).content.decode()

    assert "5 meetings in a row" in saved
    assert "Saved" in edited and "in a row" not in edited  # celebrated once, not at each edit


@pytest.mark.parametrize("size", [2, 6])
def test_the_dashboards_cost_the_same_queries_whatever_the_size(
    client, org_admin, team, facilitator, member, size, time_machine,
    django_assert_max_num_queries,
):  # fmt: skip
    Membership.objects.create(team=team, user=org_admin, role="admin")
    for index in range(size):
        extra = TeamFactory(name=f"Team {index}", slug=f"team-{index}")
        held(extra, staffed(extra, size), weeks=size, bring=1, now=NOW, time_machine=time_machine)
    held(team, [facilitator, member, *staffed(team, size)], weeks=size, bring=2,
         now=NOW, time_machine=time_machine)  # fmt: skip
    client.force_login(org_admin)

    with django_assert_max_num_queries(18):
        assert client.get("/dashboard/").status_code == 200
    with django_assert_max_num_queries(22):  # the ladder asks for scheduled meetings too
        assert client.get("/teams/sales/dashboard/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/me/record/").status_code == 200


def test_dates_typed_in_are_used_without_choosing_between_dates(client, org_admin, two_teams):
    client.force_login(org_admin)

    html = client.get("/dashboard/?period=12w&start=2026-06-20&end=2026-06-30").content.decode()

    assert "20 Jun 2026 – 30 Jun 2026" in html


def test_the_grid_shows_only_the_periods_meetings(client, facilitator, two_teams):
    client.force_login(facilitator)

    rows = rows_of(
        client.get("/teams/sales/dashboard/?start=2026-06-20&end=2026-06-30&export=grid")
    )

    assert len(rows[0]) == 2  # the person, and the one meeting of 23 June


def test_meetings_that_ended_before_results_existed_are_recorded_once(team, member, time_machine):
    held(team, [member], weeks=2, bring=1, now=NOW, time_machine=time_machine)
    RoundResult.objects.all().delete()  # as if they had ended in an earlier version

    assert record_missing_rounds() == 2
    assert record_missing_rounds() == 0
    assert RoundResult.objects.filter(team=team).count() == 2


def test_figures_are_kept_until_a_meeting_ends(client, org_admin, team, member, two_teams,
                                               time_machine):  # fmt: skip
    client.force_login(org_admin)
    held_six = '<span class="stat-value">6</span><span class="stat-label">meetings held</span>'
    assert held_six in client.get("/dashboard/").content.decode()
    assert held_six in client.get("/dashboard/").content.decode()  # from the cache

    meeting = services.create_meeting(team=team, title="One more", duration_minutes=30,
                                      starts_at=NOW - dt.timedelta(days=2))  # fmt: skip
    meeting.end()

    html = client.get("/dashboard/").content.decode()
    assert '<span class="stat-value">7</span><span class="stat-label">meetings held</span>' in html
