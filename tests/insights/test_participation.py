"""Participation figures against a hand-built team (insights/participation.py).

Sales (Brussels) held six meetings, one a week, Mondays 00:30 local time (Sunday
22:30 UTC in summer, so each meeting's week is its team's week, not UTC's):

  week  Alice     Bob       Carol          ritual kept?
  1     on time   on time   on time        yes
  2     on time   late      -              no
  3     on time   missing   -              no
  4     on time   excused   -              yes (the excused don't count)
  5     excused   excused   -              not counted: nobody expected
  6     on time   on time   -              yes (the meeting closed itself)

Carol left the team after week 1; her insight still counts. A seventh meeting was
skipped and counts nowhere."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from insights import participation
from insights.models import Action, Insight, RoundResult, SeatResult
from insights.participation import Period, median
from insights.services import submit_insight
from meetings import services
from meetings.models import Membership
from reminders.figures import reminders_sent
from tests.factories import (
    AttendanceFactory,
    CustomerFactory,
    InsightFactory,
    MeetingFactory,
    MembershipFactory,
    TeamFactory,
    UserFactory,
    held,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
# Monday 1 June 2026, 00:30 in Brussels = Sunday 31 May, 22:30 UTC.
FIRST = dt.datetime(2026, 5, 31, 22, 30, tzinfo=UTC)
WEEKS = 6
NOW = dt.datetime(2026, 6, 30, 9, 0, tzinfo=UTC)


def bring(meeting, author, *, customer, days_before: int, channel="call"):
    day = meeting.starts_at.astimezone(meeting.team.zone).date()
    data = {"customer": customer, "conversation_date": day - dt.timedelta(days=days_before),
            "channel": channel, "said": "Something true.", "so_what": "It matters."}  # fmt: skip
    return submit_insight(meeting=meeting, author=author, data=data)


def excuse(meeting, user):
    services.excuse(attendance=meeting.attendances.get(user=user), reason="Away")


@pytest.fixture
def history(team, facilitator, member, team_admin, time_machine):
    """Alice (facilitator), Bob (member), Carol (team admin, leaves after week 1)."""
    acme = CustomerFactory(name="Acme")
    helios = CustomerFactory(name="Helios")
    meetings = []
    for week in range(WEEKS):
        start = FIRST + dt.timedelta(weeks=week)
        time_machine.move_to(start - dt.timedelta(days=1), tick=False)
        meeting = services.create_meeting(team=team, title=f"Round {week + 1}", starts_at=start,
                                          duration_minutes=30, facilitator=facilitator)  # fmt: skip
        meetings.append(meeting)
        if week == 0:
            bring(meeting, team_admin, customer=helios, days_before=3, channel="visit")
        if week in (0, 1, 2, 3, 5):
            bring(meeting, facilitator, customer=acme, days_before=week + 1)
        if week in (0, 5):
            bring(meeting, member, customer=helios, days_before=2, channel="email")
        if week in (3, 4):
            excuse(meeting, member)
        if week == 4:
            excuse(meeting, facilitator)
        if week == 1:
            time_machine.move_to(start + dt.timedelta(minutes=5), tick=False)
            bring(meeting, member, customer=acme, days_before=1)  # late
        if week == 5:
            time_machine.move_to(meeting.closes_at, tick=False)
            assert services.close_overdue_meetings() == 1
        else:
            meeting.start(now=start)
            meeting.end(now=start + dt.timedelta(minutes=30))
        if week == 0:
            services.change_role(membership=team.memberships.get(user=facilitator), role="admin")
            services.remove_member(membership=team.memberships.get(user=team_admin))
    skipped = services.create_meeting(team=team, title="Skipped", duration_minutes=30,
                                      starts_at=FIRST + dt.timedelta(days=2))  # fmt: skip
    skipped.cancel()
    time_machine.move_to(FIRST + dt.timedelta(weeks=WEEKS), tick=False)
    return meetings


PERIOD = Period(start=dt.date(2026, 6, 1), end=dt.date(2026, 7, 12))


def test_the_team_figures_follow_their_definitions(history, team):
    f = participation.team_figures(PERIOD, [team.pk])[team.pk]

    assert f.meetings == 6
    assert (f.kept, f.countable) == (3, 5)
    assert f.ritual_kept == pytest.approx(0.6)
    # Expected attendee-meetings: 3 + 2 + 2 + 1 + 0 + 2 = 10; on time 8, late 1.
    assert (f.expected, f.on_time, f.late) == (10, 8, 1)
    assert f.submission_rate == pytest.approx(0.9)
    assert f.on_time_rate == pytest.approx(0.8)
    assert f.late_rate == pytest.approx(0.1)
    assert f.customers == 2
    assert dict(f.channels) == {"call": 6, "email": 2, "visit": 1}
    # Freshness in days: Alice 1, 2, 3, 4, 6; Bob 2, 1, 2; Carol 3 -> median 2.
    assert f.freshness == 2
    assert f.insights == 9
    assert f.before_any_share == 1  # no reminder went out in this story
    assert reminders_sent(PERIOD, [team.pk]) == {}


def test_a_period_counts_the_meetings_of_its_days_on_the_teams_calendar(history, team):
    first_day_only = Period(start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 1))
    the_sunday_before = Period(start=dt.date(2026, 5, 31), end=dt.date(2026, 5, 31))

    assert participation.team_figures(first_day_only, [team.pk])[team.pk].meetings == 1
    assert participation.team_figures(the_sunday_before, [team.pk])[team.pk].meetings == 0


def test_the_weekly_trend_uses_the_teams_weeks(history, team):
    weeks = participation.weekly_trend(PERIOD, [team.pk])

    assert [w.week for w in weeks] == [
        dt.date(2026, 6, 1) + dt.timedelta(weeks=i) for i in range(6)
    ]
    assert [w.ritual_kept for w in weeks] == [1, 0, 0, 1, None, 1]
    assert weeks[1].submission_rate == 1  # late still brought one


def test_streaks_skip_excused_meetings_and_end_at_a_missed_one(
    history, team, facilitator, member, team_admin
):
    runs = participation.streaks(team_id=team.pk)

    assert (runs[facilitator.pk].current, runs[facilitator.pk].longest) == (5, 5)
    assert (runs[member.pk].current, runs[member.pk].longest) == (1, 2)
    assert (runs[team_admin.pk].current, runs[team_admin.pk].longest) == (1, 1)
    assert participation.streaks(user_id=member.pk)[member.pk].current == 1


def test_each_persons_figures_and_a_removed_member_still_counted(
    history, team, facilitator, member, team_admin
):
    people = {p.user_id: p for p in participation.people_figures(PERIOD, team.pk)}

    bob = people[member.pk]
    assert (bob.expected, bob.on_time, bob.late) == (4, 2, 1)
    assert bob.submission_rate == pytest.approx(0.75)
    assert bob.last_insight == dt.date(2026, 7, 6)
    assert bob.customers == 2
    assert people[team_admin.pk].expected == 1  # Carol left, her week 1 stays
    assert people[facilitator.pk].on_time == 5


def test_the_grid_has_each_persons_outcome_at_the_last_meetings(history, team, member):
    results, cells = participation.grid(team.pk, PERIOD, meetings=3)

    assert [r.meeting.title for r in results] == ["Round 6", "Round 5", "Round 4"]
    assert [cells[(member.pk, r.pk)] for r in results] == ["on_time", "excused", "excused"]


def test_the_organisation_counts_a_customer_two_teams_heard_once(
    history, team, other_team, time_machine
):
    time_machine.move_to(FIRST + dt.timedelta(days=2), tick=False)
    dave = UserFactory(email="dave@example.com")
    Membership.objects.create(team=other_team, user=dave)
    meeting = services.create_meeting(team=other_team, title="Other round", duration_minutes=30,
                                      starts_at=FIRST + dt.timedelta(days=3))  # fmt: skip
    helios = CustomerFactory(name="Helios")
    bring(meeting, dave, customer=helios, days_before=1)
    meeting.end()
    ids = [team.pk, other_team.pk]

    figures = participation.team_figures(PERIOD, ids)
    overall = participation.total(figures, participation.customers_heard(PERIOD, ids))

    assert overall.meetings == 7
    assert overall.expected == 11
    assert overall.customers == 2  # Helios, heard by both teams, is one customer


@pytest.mark.parametrize(
    ("histogram", "middle"),
    [({}, None), ({3: 1}, 3), ({1: 1, 3: 1}, 2), ({1: 2, 5: 1}, 1), ({2: 1, 4: 1, 9: 2}, 6.5)],
)
def test_the_median_of_a_histogram(histogram, middle):
    assert median(Counter(histogram)) == middle


def test_the_ladder_is_climbed_one_step_at_a_time(team, facilitator, member):
    today = dt.date(2026, 6, 30)
    assert participation.stages([team.pk], today)[team.pk].reached == 0
    assert "Schedule a regular meeting" in participation.stages([team.pk], today)[team.pk].next_step

    results = []
    for weeks_ago in range(1, 9):  # eight weeks, every round complete
        day = today - dt.timedelta(weeks=weeks_ago)
        meeting = MeetingFactory(team=team, starts_at=dt.datetime.combine(day, dt.time(8), UTC))
        results.append(RoundResult.objects.create(
            meeting=meeting, team=team, local_date=day, week=day - dt.timedelta(days=day.weekday()),
            expected=2, on_time=2, late=0, missing=0, excused=0, from_excused=0, kept=True,
        ))  # fmt: skip
    assert participation.stages([team.pk], today)[team.pk].reached == 3

    acme = CustomerFactory(name="Acme", tier="key")
    for number, result in enumerate(results[:4]):
        insight = InsightFactory(meeting=result.meeting, author=member, customer=acme)
        Action.objects.create(meeting=result.meeting, insight=insight, title=f"Follow up {number}",
                              owner=member, done_at=NOW if number % 2 else None)  # fmt: skip
    assert participation.stages([team.pk], today)[team.pk].reached == 4

    SeatResult.objects.create(
        result=results[0], team=team, user=member, local_date=results[0].local_date,
        week=results[0].week, outcome="on_time", customer=acme,
        insight=Insight.objects.filter(customer=acme).first(), freshness_days=1,
    )  # fmt: skip
    stage = participation.stages([team.pk], today)[team.pk]
    assert stage.reached == 5
    assert stage.next_step is None


def test_the_fixture_team_stands_on_the_second_step(history, team):
    stage = participation.stages([team.pk], dt.date(2026, 7, 13))[team.pk]

    assert stage.steps[:2] == [True, True]
    assert stage.reached == 2  # six weeks of meetings, and not all kept


def test_a_persons_rates_and_a_teams_are_one_definition():
    counts = {"expected": 4, "on_time": 2, "late": 1}
    person = participation.PersonFigures(
        user_id=1, last_insight=None, customers=0, streak=participation.Streak(), **counts
    )
    team = participation.Figures(**counts)

    for rate in ("brought", "submission_rate", "on_time_rate", "late_rate"):
        assert getattr(participation.PersonFigures, rate) is getattr(participation.Figures, rate)
        assert getattr(person, rate) == getattr(team, rate)
    assert (person.brought, person.submission_rate, person.late_rate) == (3, 0.75, 0.25)


def test_the_first_step_is_a_meeting_held_or_one_scheduled_to_come(
    team, other_team, time_machine, django_assert_num_queries
):
    time_machine.move_to(NOW, tick=False)
    today = NOW.date()
    MeetingFactory(team=team, starts_at=NOW + dt.timedelta(days=3))  # nothing held yet
    skipped = MeetingFactory(team=other_team, starts_at=NOW + dt.timedelta(days=3))
    skipped.cancel()
    new_teams = [TeamFactory() for _ in range(3)]
    for new_team in new_teams:
        MeetingFactory(team=new_team, starts_at=NOW + dt.timedelta(days=1))

    with django_assert_num_queries(5):
        few = participation.stages([team.pk, other_team.pk], today)
    with django_assert_num_queries(5):
        more = participation.stages([team.pk, other_team.pk, *(t.pk for t in new_teams)], today)

    assert few[team.pk].steps[0] and few[team.pk].reached == 1
    assert not few[other_team.pk].steps[0]  # a skipped meeting is not a scheduled one
    assert all(more[t.pk].reached == 1 for t in new_teams)
    assert "scheduled to come" in participation.LADDER_DEFINITIONS[0]


def upcoming(team, *, days: int):
    return services.create_meeting(team=team, title=f"In {days} days", duration_minutes=30,
                                   starts_at=NOW + dt.timedelta(days=days))  # fmt: skip


def test_the_milestone_counts_insights_already_brought_to_meetings_not_ended_yet(
    team, other_team, member, time_machine, django_assert_num_queries
):
    held(team, [member], weeks=3, bring=1, now=NOW, time_machine=time_machine)  # 3 in a row
    MembershipFactory(team=other_team, user=member)
    tomorrow = upcoming(team, days=1)
    excused = upcoming(team, days=2)
    friday = upcoming(other_team, days=3)
    bring(tomorrow, member, customer=CustomerFactory(), days_before=1)
    bring(excused, member, customer=CustomerFactory(), days_before=1)
    excuse(excused, member)
    assert participation.milestone_reached(member) is None  # 4: the excused one doesn't count

    bring(friday, member, customer=CustomerFactory(), days_before=1)

    with django_assert_num_queries(2):
        assert participation.milestone_reached(member) == 5


def test_an_insight_to_a_meeting_before_the_last_missed_one_does_not_extend_the_streak(
    team, member, time_machine
):
    forgotten = MeetingFactory(team=team, starts_at=NOW - dt.timedelta(weeks=5))  # never closed
    AttendanceFactory(meeting=forgotten, user=member)
    InsightFactory(meeting=forgotten, author=member)
    missed_before = NOW - dt.timedelta(weeks=3)  # one meeting, four weeks ago, missed
    held(team, [member], weeks=1, bring=0, now=missed_before, time_machine=time_machine)
    held(team, [member], weeks=3, bring=1, now=NOW, time_machine=time_machine)  # 3 in a row
    tomorrow = upcoming(team, days=1)
    bring(tomorrow, member, customer=CustomerFactory(), days_before=1)

    assert participation.streaks(user_id=member.pk)[member.pk].current == 3
    assert participation.milestone_reached(member) is None  # 4, not 5
    bring(upcoming(team, days=2), member, customer=CustomerFactory(), days_before=1)
    assert participation.milestone_reached(member) == 5
