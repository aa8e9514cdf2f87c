from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import Away, User
from insightboard import demo, seed
from insightboard.demo_data import HISTORY, SHARED_CUSTOMERS, TEAMS
from insights.models import Customer, Insight, RoundResult, Tag
from meetings.models import Attendance, Invitation, Meeting, Membership, Series, Team

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 27, 8, 7, tzinfo=dt.UTC)  # a Friday before Europe's DST change
BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
# When someone may run `make run`: the demo's clock must not show in its meetings.
LOAD_TIMES = {
    "Brussels morning": NOW,
    "New York afternoon, Brussels evening": dt.datetime(2026, 3, 27, 19, 40, tzinfo=dt.UTC),
    "the night Brussels moves its clocks": dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC),
}
MODELS = [
    User,
    Away,
    Team,
    Membership,
    Invitation,
    Series,
    Meeting,
    Attendance,
    Customer,
    Tag,
    Insight,
]


def snapshot() -> dict[str, list]:
    return {m.__name__: sorted(m.objects.values_list("pk", flat=True)) for m in MODELS}


def test_loading_the_demo_twice_gives_the_same_rows():
    demo.load(now=NOW)
    first = snapshot()

    demo.load(now=NOW + dt.timedelta(minutes=10))

    assert snapshot() == first


def test_demo_has_two_story_teams_and_four_with_history_each_with_a_facilitator():
    demo.load(now=NOW)

    for team in Team.objects.all():
        roles = list(team.memberships.values_list("role", flat=True))
        assert Membership.Role.FACILITATOR in roles
        assert roles.count(Membership.Role.MEMBER) >= 3
    assert Team.objects.count() == 2 + len(demo.HISTORY_TEAMS)
    assert User.objects.get(email=demo.ORG_ADMIN.email).is_staff


def test_the_demo_dashboard_is_alive_with_one_team_slipping(client):
    demo.load(now=NOW)
    client.force_login(User.objects.get(email=demo.ORG_ADMIN.email))

    with time_machine.travel(NOW, tick=False):
        html = client.get("/dashboard/").content.decode()

    slipping = html.split('class="warning-panel"', 1)[1].split("</section>", 1)[0]
    assert "Operations</a>: ritual kept" in slipping
    assert "Customer Success" not in slipping
    for name in ["Sales Benelux", "Product", *demo.HISTORY_TEAMS]:
        assert name in html


def test_loading_the_demo_again_keeps_its_history():
    demo.load(now=NOW)
    results = RoundResult.objects.count()

    demo.load(now=NOW + dt.timedelta(days=1))

    assert RoundResult.objects.count() == results


def test_demo_history_has_late_missing_and_excused_people():
    demo.load(now=NOW)
    past = Meeting.objects.filter(starts_at__lt=NOW, team__slug="sales")

    assert past.count() == demo.PAST_MEETINGS
    assert Insight.objects.filter(meeting__in=past, is_late=True).exists()
    assert (
        Attendance.objects.filter(meeting__in=past, status=Attendance.Status.EXCUSED).count() == 1
    )
    for meeting in past:
        assert meeting.insights.count() < meeting.attendances.count()  # someone is missing


def test_demo_has_a_meeting_within_the_hour_with_insights_still_missing():
    demo.load(now=NOW)

    upcoming = Meeting.objects.filter(team__slug="sales", starts_at__gt=NOW).first()

    assert NOW < upcoming.starts_at <= NOW + dt.timedelta(hours=1)
    assert 0 < upcoming.insights.count() < upcoming.attendances.count()


def test_demo_is_re_anchored_once_its_next_meeting_has_passed():
    demo.load(now=NOW)
    later = NOW + dt.timedelta(days=3)

    demo.load(now=later)

    upcoming = Meeting.objects.filter(team__slug="sales", starts_at__gt=later).first()
    assert upcoming.starts_at <= later + dt.timedelta(hours=1)
    assert Meeting.objects.filter(team__slug="sales", starts_at__lt=later).count() == (
        demo.PAST_MEETINGS
    )


def test_demo_schedules_the_weeks_ahead_like_the_beat_task_would():
    demo.load(now=NOW)

    ahead = Meeting.objects.filter(team__slug="sales", starts_at__gt=NOW)

    assert ahead.count() == 1 + 8  # the next meeting, then eight weeks of them
    assert all(m.agenda_items.count() == 3 for m in ahead)


def test_demo_passwords_work_for_every_printed_login(client):
    demo.load(now=NOW)

    for email, _name, _role in demo.logins():
        response = client.post("/accounts/login/", {"username": email, "password": demo.PASSWORD})
        assert response.status_code == 302, email
        client.post("/accounts/logout/")


def test_load_demo_command_prints_the_logins(capsys):
    call_command("load_demo")

    out = capsys.readouterr().out
    assert demo.PASSWORD in out
    assert "priya@example.com" in out


def test_history_two_weeks_old_is_made_again_from_now():
    demo.load(now=NOW)

    demo.load(now=NOW + dt.timedelta(days=30))

    history = Team.objects.filter(name__in=demo.HISTORY_TEAMS)
    newest = RoundResult.objects.filter(team__in=history).latest("local_date")
    assert newest.local_date > (NOW + dt.timedelta(days=14)).date()  # was before NOW
    assert sorted(history.values_list("slug", flat=True)) == [
        "customer-success",
        "engineering",
        "marketing",
        "operations",
    ]


def test_no_demo_insight_was_brought_after_now():
    demo.load(now=NOW)

    assert not Insight.objects.filter(submitted_at__gt=NOW).exists()


@pytest.mark.parametrize("now", LOAD_TIMES.values(), ids=LOAD_TIMES.keys())
def test_every_teams_meetings_fall_between_8_and_18_on_its_own_clock(now):
    demo.load(now=now)

    meetings = Meeting.objects.select_related("team")
    assert meetings.filter(team__slug="sales", starts_at__gt=now).exists()
    for meeting in meetings:
        start, end = (m.astimezone(meeting.team.zone) for m in (meeting.starts_at, meeting.ends_at))
        where = (meeting.team.name, f"{start:%a %d %b %H:%M %Z}")
        assert start.date() == end.date(), where
        assert dt.time(8) <= start.time() and end.time() <= dt.time(18), where


def test_the_new_york_team_meets_at_ten_new_york_time_in_its_own_room():
    demo.load(now=NOW)  # 04:07 in New York

    product = Meeting.objects.filter(team__slug="product")

    assert product.count() > demo.PAST_MEETINGS
    assert {m.starts_at.astimezone(NEW_YORK).time() for m in product} == {dt.time(10)}
    assert {m.location for m in product} == {TEAMS["product"]["location"]}
    assert "Schelde" not in TEAMS["product"]["location"]


def test_late_in_brussels_the_next_sales_meeting_is_at_its_usual_time_the_next_morning():
    night = dt.datetime(2026, 3, 26, 22, 10, tzinfo=dt.UTC)  # Thursday 23:10 in Brussels
    demo.load(now=night)
    first = snapshot()

    upcoming = Meeting.objects.filter(team__slug="sales", starts_at__gt=night).first()

    assert upcoming.starts_at == dt.datetime(2026, 3, 27, 9, 30, tzinfo=BRUSSELS)
    assert 0 < upcoming.insights.count() < upcoming.attendances.count()
    demo.load(now=night + dt.timedelta(minutes=10))
    assert snapshot() == first


def test_no_room_is_shared_by_teams_in_different_cities():
    demo.load(now=NOW)

    cities_of_room = defaultdict(set)
    for location, zone in Meeting.objects.values_list("location", "team__time_zone"):
        room = location.split(" / ")[0]  # "/ video link in the invite"
        assert room, "every demo meeting has a room"
        cities_of_room[room].add(zone)

    assert {room: zones for room, zones in cities_of_room.items() if len(zones) > 1} == {}
    assert len(cities_of_room) == Team.objects.count()  # in fact, each team has its own


def test_a_customer_is_heard_by_one_team_unless_shared_on_purpose():
    demo.load(now=NOW)

    teams_of = defaultdict(set)
    for customer, team in Insight.objects.values_list("customer__name", "team__name"):
        teams_of[customer].add(team)

    shared = {customer: teams for customer, teams in teams_of.items() if len(teams) > 1}
    assert shared == SHARED_CUSTOMERS


def test_each_team_tells_its_own_customers_stories():
    demo.load(now=NOW)
    stories = {spec["name"]: {(s.customer, s.said) for s in spec["stories"]}
               for spec in TEAMS.values()}  # fmt: skip
    stories.update(
        {name: {(customer, said) for customer, said, _ in c.sayings} for name, c in HISTORY.items()}
    )

    told = defaultdict(list)
    for team, customer, said in Insight.objects.values_list("team__name", "customer__name", "said"):
        assert (customer, said) in stories[team], (team, customer, said)
        told[team].append(said)

    for spec in TEAMS.values():  # the story teams tell each story once
        assert len(told[spec["name"]]) == len(set(told[spec["name"]])), spec["name"]
    saids = [said for team in told for said in set(told[team])]
    assert len(saids) == len(set(saids)), "no story is told by two teams"


def test_an_earlier_demos_history_is_made_again_with_rooms_and_its_own_customers():
    # What earlier demos seeded: no rooms, generic customers shared by neighbours.
    seed.seed(teams=len(demo.HISTORY_TEAMS), people_per_team=6, weeks=demo.HISTORY_WEEKS,
              now=NOW, prefix="history", names=demo.HISTORY_TEAMS)  # fmt: skip
    assert Customer.objects.filter(name="Tyrell Logistics").exists()

    demo.load(now=NOW)

    assert not Meeting.objects.filter(location="").exists()
    assert not Customer.objects.filter(name="Tyrell Logistics").exists()
    assert Customer.objects.filter(name="Acme Logistics").exists()  # ours, heard again
