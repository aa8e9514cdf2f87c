"""Early warning: a team whose ritual is decaying is flagged on the dashboards, and its
admins and the organisation admins get one e-mail a week about it, through the outbox."""

from __future__ import annotations

import datetime as dt

import pytest

from insights import participation
from insights.models import RoundResult
from reminders import dispatch
from reminders.models import Message
from reminders.services import queue_early_warnings, warning_recipients, warnings_for
from tests.factories import MeetingFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 30)  # a Tuesday


def kept_weeks(team, pattern: str) -> None:
    """One meeting a week ending last week, oldest first: K kept, x not."""
    for weeks_ago, mark in enumerate(reversed(pattern), start=1):
        day = TODAY - dt.timedelta(weeks=weeks_ago)
        meeting = MeetingFactory(team=team, starts_at=dt.datetime.combine(day, dt.time(8), dt.UTC))
        RoundResult.objects.create(
            meeting=meeting, team=team, local_date=day, week=day - dt.timedelta(days=day.weekday()),
            expected=3, on_time=3 if mark == "K" else 1, late=0, missing=0 if mark == "K" else 2,
            excused=0, from_excused=0, kept=mark == "K",
        )  # fmt: skip


@pytest.fixture
def slipping(team, other_team, facilitator, member, team_admin, org_admin, time_machine):
    """Sales (Carol is its admin) kept the ritual once in its last four meetings;
    Engineering keeps it."""
    time_machine.move_to(dt.datetime.combine(TODAY, dt.time(9), dt.UTC), tick=False)
    kept_weeks(team, "KKKKxKxx")
    kept_weeks(other_team, "KKKK")


def test_a_team_below_the_threshold_over_its_last_four_meetings_is_flagged(
    slipping, team, other_team
):
    warnings = participation.decaying([team.pk, other_team.pk], TODAY)

    assert list(warnings) == [team.pk]
    assert warnings[team.pk].recent == 0.25
    assert "25 % of its last 4 meetings" in warnings[team.pk].reason


def test_a_team_well_under_its_own_average_is_flagged_too(team, settings):
    kept_weeks(team, "KKKKKKKKKxKx")  # 50 % lately, 83 % over twelve weeks

    assert team.pk in participation.decaying([team.pk], TODAY)
    settings.EARLY_WARNING_DROP = 0.5
    assert team.pk not in participation.decaying([team.pk], TODAY)


def test_too_few_meetings_make_no_trend(team):
    kept_weeks(team, "x")

    assert participation.decaying([team.pk], TODAY) == {}


def test_the_dashboards_flag_the_slipping_team(client, slipping, org_admin, facilitator):
    client.force_login(org_admin)
    html = client.get("/dashboard/").content.decode()
    client.force_login(facilitator)
    team_page = client.get("/teams/sales/dashboard/").content.decode()

    assert "The ritual needs attention in 1 team" in html
    table = html.split('<table class="figures">', 1)[1]
    assert "needs attention</span>" in table.split("Sales</a>", 1)[1].split("</th>", 1)[0]
    assert "needs attention</span>" not in table.split("Engineering</a>", 1)[1].split("</th>", 1)[0]
    assert "The ritual needs attention: ritual kept in 25 %" in team_page


def test_the_weekly_digest_goes_once_a_week_to_the_teams_admins_and_the_org_admins(
    slipping, deliver, time_machine
):
    assert queue_early_warnings(TODAY) == 2
    assert queue_early_warnings(TODAY) == 0  # the daily sweep again, the same week
    time_machine.shift(dt.timedelta(days=2))
    queue_early_warnings(TODAY + dt.timedelta(days=2))

    sent = [m for m in deliver() if m.subject.startswith("The insight ritual needs attention")]

    assert sorted(m.to[0] for m in sent) == ["carol@example.com", "olivia@example.com"]
    assert all("Sales" in m.subject and "Engineering" not in m.subject for m in sent)
    assert "ritual kept in 25 % of its last 4 meetings" in sent[0].body
    assert "/dashboard/" in sent[0].body

    time_machine.shift(dt.timedelta(weeks=1))
    assert queue_early_warnings(TODAY + dt.timedelta(weeks=1)) == 2  # a new week


def test_a_team_that_recovered_before_the_send_gets_no_digest(slipping, team, time_machine):
    queue_early_warnings(TODAY)
    RoundResult.objects.filter(team=team).update(kept=True)  # as if it had

    dispatch.tick(plan=False)

    states = set(
        Message.objects.filter(kind=Message.Kind.EARLY_WARNING).values_list("state", flat=True)
    )
    assert states == {Message.State.SKIPPED_CANCELLED}


def test_a_team_admin_is_sent_to_their_teams_dashboard_not_the_organisations(slipping, deliver):
    queue_early_warnings(TODAY)

    sent = {m.to[0]: m for m in deliver()}

    assert "/teams/sales/dashboard/" in sent["carol@example.com"].body
    assert "All teams:" not in sent["carol@example.com"].body
    assert "All teams: http://localhost:8000/dashboard/" in sent["olivia@example.com"].body


def test_who_hears_about_a_team_is_one_rule_asked_either_way(
    slipping, team, other_team, facilitator, member, team_admin, org_admin
):
    gone = UserFactory(email="gina@example.com", is_active=False)  # a team admin who left
    MembershipFactory(team=team, user=gone, role="admin")
    MembershipFactory(team=other_team, user=member, role="admin")
    warnings = participation.decaying([team.pk, other_team.pk], TODAY)
    told = warning_recipients(warnings)

    for person in (facilitator, member, team_admin, org_admin, gone):
        heard = [t.pk for t, _ in warnings_for(person, TODAY)]
        assert heard == told.get(person.pk, [])
    assert told == {team_admin.pk: [team.pk], org_admin.pk: [team.pk]}


def test_an_early_warning_e_mail_works_out_the_decaying_teams_once(slipping, deliver, monkeypatch):
    queue_early_warnings(TODAY)
    looks = []
    decaying = participation.decaying

    def counted(*args, **kwargs):
        looks.append(args)
        return decaying(*args, **kwargs)

    monkeypatch.setattr(participation, "decaying", counted)

    sent = [m for m in deliver() if m.subject.startswith("The insight ritual needs attention")]

    assert len(sent) == 2
    assert len(looks) == 2  # one per e-mail: the gate's look is what the e-mail says
