from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import Away, User
from insightboard import demo
from insights.models import Customer, Insight, RoundResult, Tag
from meetings.models import Attendance, Invitation, Meeting, Membership, Series, Team

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 27, 8, 7, tzinfo=dt.UTC)  # a Friday before Europe's DST change
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
