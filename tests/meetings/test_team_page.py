"""The team page as facilitators and members use it: the team's recurring meetings
with their rule in words and their next meeting, and who to ask for an invitation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.html import escape

from meetings import recurrence, services
from meetings.models import Series
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
TEAM_PAGE = "/teams/sales/"


def new_series(team, title: str, rule: str = "FREQ=WEEKLY;BYDAY=MO") -> Series:
    return services.create_series(team=team, data={
        "title": title, "rule": rule, "first_date": dt.date(2026, 3, 2),
        "start_time": dt.time(9), "duration_minutes": 30,
    })  # fmt: skip


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False)


# --- Series on the team page ----------------------------------------------------


def test_a_facilitator_sees_each_series_in_words_with_its_next_meeting(
    client, team, facilitator, clock
):
    series = new_series(team, "Monday customer round", "FREQ=WEEKLY;BYDAY=MO,TH")
    first = series.meetings.order_by("starts_at").first()
    client.force_login(facilitator)

    html = client.get(TEAM_PAGE).content.decode()

    assert "Monday customer round" in html
    assert "Every Monday and Thursday · 09:00 for 30 min" in html
    assert f'href="/teams/sales/series/{series.pk}/"' in html
    assert f'href="{first.get_absolute_url()}">Mon 2 Mar, 09:00</a>' in html
    assert 'href="/teams/sales/series/new/">New series</a>' in html


@pytest.mark.parametrize(
    ("moment", "started_early", "word"),
    [
        (dt.datetime(2026, 3, 2, 7, 50, tzinfo=UTC), False, "Next"),  # 08:50 in Brussels
        (dt.datetime(2026, 3, 2, 7, 50, tzinfo=UTC), True, "Now (in progress)"),
        (dt.datetime(2026, 3, 2, 8, 10, tzinfo=UTC), False, "Now (in progress)"),  # 09:10
    ],
)
def test_a_series_meeting_already_under_way_is_listed_as_now_not_next(
    client, team, facilitator, time_machine, moment, started_early, word
):
    time_machine.move_to(dt.datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False)
    series = new_series(team, "Monday customer round")
    first = series.meetings.order_by("starts_at").first()
    time_machine.move_to(moment, tick=False)
    if started_early:
        first.start()
    client.force_login(facilitator)

    html = client.get(TEAM_PAGE).content.decode()

    assert f'{word}: <a class="series-next" href="{first.get_absolute_url()}">' in html


def test_a_member_gets_the_series_meetings_not_its_settings(client, team, member, clock):
    series = new_series(team, "Monday customer round")
    client.force_login(member)

    html = client.get(TEAM_PAGE).content.decode()

    assert f'href="/meetings/?team=sales&amp;series={series.pk}"' in html
    assert f"/teams/sales/series/{series.pk}/" not in html
    assert "New series" not in html


def test_an_ended_series_leaves_the_team_page(client, team, facilitator, clock):
    ended = new_series(team, "Old round")
    services.end_series(series=ended)
    new_series(team, "New round")
    client.force_login(facilitator)

    html = client.get(TEAM_PAGE).content.decode()

    assert "New round" in html
    assert "Old round" not in html


def test_a_series_whose_coming_meetings_are_all_skipped_stays_and_says_so(
    client, team, facilitator, clock
):
    series = new_series(team, "Monday customer round")
    for meeting in series.meetings.all():
        meeting.cancel()
    client.force_login(facilitator)

    html = client.get(TEAM_PAGE).content.decode()

    assert "Monday customer round" in html
    assert "No meeting ahead" in html


def test_a_team_without_series_invites_its_facilitator_to_set_one_up(client, team, facilitator):
    client.force_login(facilitator)

    assert "No recurring meeting yet." in client.get(TEAM_PAGE).content.decode()


def test_the_team_page_query_count_does_not_grow_with_series(
    client, team, facilitator, clock, django_assert_max_num_queries
):
    client.force_login(facilitator)
    counts = []
    for titles in (["A"], ["B", "C", "D", "E"]):
        for title in titles:
            new_series(team, title)
        with django_assert_max_num_queries(20) as captured:
            assert client.get(TEAM_PAGE).status_code == 200
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]


# --- Who invites ----------------------------------------------------------------


def test_a_facilitator_is_told_who_can_invite_by_name(
    client, team, facilitator, team_admin, org_admin
):
    UserFactory(name="Former Admin", is_staff=True, is_active=False)
    client.force_login(facilitator)

    html = client.get(TEAM_PAGE).content.decode()

    assert (
        escape(
            "Team admins and organisation admins invite people: ask Carol Admin (team admin) "
            "or Olivia Orgadmin (organisation admin)."
        )
        in html
    )
    assert "Former Admin" not in html
    assert "Send invitations" not in html


def test_a_member_is_told_too(client, team, member, team_admin):
    client.force_login(member)

    assert "ask Carol Admin (team admin)." in client.get(TEAM_PAGE).content.decode()


def test_a_team_admin_gets_the_invitation_form_and_no_hint(client, team, team_admin, org_admin):
    client.force_login(team_admin)

    html = client.get(TEAM_PAGE).content.decode()

    assert "Send invitations" in html
    assert "invite people: ask" not in html


# --- A rule in words ------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=WEEKLY;BYDAY=MO,TH", "Every Monday and Thursday"),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "Every Monday, Wednesday and Friday"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "Every other week on Tuesday"),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=TU", "Every 3 weeks on Tuesday"),
        ("FREQ=WEEKLY", "Weekly"),
        ("FREQ=MONTHLY;BYDAY=+2TU", "Monthly on the second Tuesday"),
        (
            "FREQ=MONTHLY;INTERVAL=3;BYDAY=-1FR;COUNT=6",
            "Every 3 months on the last Friday, 6 meetings",
        ),
        ("FREQ=WEEKLY;UNTIL=20260629T235959;BYDAY=MO", "Every Monday, until 29 Jun 2026"),
    ],
)
def test_a_rule_reads_as_people_say_it(rule, words):
    assert recurrence.describe(rule) == words
