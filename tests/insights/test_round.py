"""One answer to "who brought an insight?" (insights/round.py), and every page and
message that shows a count gives the same one.

The fixture: Alice and Bob are expected and brought one (Bob's late), Dan is expected
and missing, Carol is excused and brought one anyway, Erin is excused, and Frank
brought one and was then removed from the meeting. So: 2 of 3, +1 from someone
excused; Frank's insight is kept but counts nowhere."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from insights.models import Insight
from insights.round import Outcome, counts, round_for, with_round_counts
from insights.services import submit_insight
from insights.summary import summary_for
from meetings import services
from meetings.models import Attendance, Meeting, TeamWebhook
from reminders import content, dispatch
from reminders.models import Message
from tests.factories import CustomerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 6, 0, tzinfo=dt.UTC)
START = NOW + dt.timedelta(hours=3)  # 11:00 in Brussels


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def bring(meeting, author, customer: str) -> Insight:
    data = {"customer": CustomerFactory(name=customer),
            "conversation_date": dt.date(2026, 5, 29), "said": f"{customer} said so.",
            "so_what": "It matters."}  # fmt: skip
    return submit_insight(meeting=meeting, author=author, data=data)


def excuse(meeting, user) -> None:
    services.excuse(attendance=meeting.attendances.get(user=user), reason="Customer visit")


@pytest.fixture
def people(team):
    names = {"dan": "Dan Missing", "erin": "Erin Excused", "frank": "Frank Removed"}
    found = {}
    for key, name in names.items():
        found[key] = UserFactory(email=f"{key}@example.com", name=name)
        MembershipFactory(team=team, user=found[key])
    return found


@pytest.fixture
def meeting(team, facilitator, member, team_admin, people, time_machine):
    meeting = services.create_meeting(team=team, title="Monday round", starts_at=START,
                                      duration_minutes=30, facilitator=facilitator)  # fmt: skip
    bring(meeting, facilitator, "Acme Logistics")
    bring(meeting, people["frank"], "Globex")
    services.remove_attendee(attendance=meeting.attendances.get(user=people["frank"]))
    excuse(meeting, team_admin)
    bring(meeting, team_admin, "Helios Energy")
    excuse(meeting, people["erin"])
    time_machine.move_to(START + dt.timedelta(minutes=1), tick=False)
    bring(meeting, member, "Initech")  # late
    time_machine.move_to(NOW, tick=False)
    return Meeting.objects.select_related("team").get(pk=meeting.pk)


def test_the_round_sorts_everyone_into_on_time_late_missing_or_excused(meeting):
    the_round = round_for(meeting)

    outcomes = {s.user.name: s.outcome for s in the_round.seats}
    assert outcomes == {
        "Alice Facilitator": Outcome.ON_TIME,
        "Bob Member": Outcome.LATE,
        "Carol Admin": Outcome.EXCUSED,
        "Dan Missing": Outcome.MISSING,
        "Erin Excused": Outcome.EXCUSED,
    }
    assert (the_round.submitted_count, the_round.expected_count) == (2, 3)
    assert [s.user.name for s in the_round.from_excused] == ["Carol Admin"]
    assert the_round.extra_count == 1
    assert Insight.objects.filter(meeting=meeting).count() == 4  # Frank's is kept


def test_the_list_counts_agree_with_the_round(meeting, member):
    [annotated] = with_round_counts(Meeting.objects.filter(pk=meeting.pk), user=member)
    the_round = round_for(meeting)

    assert (annotated.submitted_count, annotated.expected_count, annotated.extra_count) == (
        the_round.submitted_count, the_round.expected_count, the_round.extra_count,
    )  # fmt: skip
    assert counts(meeting) == (2, 3, 1)
    assert annotated.my_status == Attendance.Status.EXPECTED
    assert annotated.my_insight_id is not None


def test_an_excused_persons_insight_counts_the_same_on_every_page(client, team, member, team_admin):
    """The regression: the meetings list and home said "1 of 1" (they counted every
    insight) while the meeting page said "0 of 1"."""
    meeting = services.create_meeting(team=team, title="Tuesday round", starts_at=START,
                                      duration_minutes=30)  # fmt: skip
    excuse(meeting, team_admin)
    bring(meeting, team_admin, "Helios Energy")  # Carol, excused, brings one anyway
    client.force_login(member)  # Bob, expected, hasn't

    pages = {
        "home": client.get("/").content.decode(),
        "list": client.get("/meetings/").content.decode(),
        "meeting": client.get(meeting.get_absolute_url()).content.decode(),
        "round": client.get(meeting.url("meeting-round"), HTTP_HX_REQUEST="true").content.decode(),
    }

    for name, html in pages.items():
        assert "0 of 1" in html, name
        assert "1 of 1" not in html, name
        assert "+1 from someone excused" in html, name


def test_reminders_digest_chat_post_and_summary_give_the_same_count(
    client, meeting, facilitator, people, time_machine, dns
):
    TeamWebhook.objects.create(team=meeting.team, kind="slack", url="https://hooks.slack.com/x")
    time_machine.move_to(START - dt.timedelta(minutes=15), tick=False)
    dispatch.tick(plan=True)  # the final reminder to Dan (the only one missing)
    reminder = next(m for m in mail.outbox if m.to == ["dan@example.com"])
    chat = content.missing_text(Message.objects.get(kind=Message.Kind.MISSING), names=True)
    time_machine.move_to(START, tick=False)
    dispatch.tick(plan=True)  # the facilitator's digest
    digest = next(m for m in mail.outbox if m.subject.startswith("Who's ready"))

    assert "2 of 3 have brought theirs" in reminder.body
    assert "2 of 3 have brought a fresh customer insight" in chat
    assert "Still missing: Dan Missing." in chat
    assert "Brought one (2 of 3): Alice Facilitator, Bob Member (late)" in digest.body
    assert "Carol Admin (brought one anyway)" in digest.body

    summary = summary_for(meeting)
    assert [a.user.name for a in summary["missing"]] == ["Dan Missing"]
    assert [a.user.name for a in summary["excused"]] == ["Carol Admin", "Erin Excused"]
    client.force_login(facilitator)
    page = client.get(meeting.url("meeting-summary")).content.decode()
    assert "Globex" not in page  # Frank is no longer an attendee


def test_the_summary_heads_with_the_rounds_count(client, meeting, facilitator, deliver):
    meeting.end()
    client.force_login(facilitator)

    page = client.get(meeting.url("meeting-summary")).content.decode()
    [alice] = [m for m in deliver() if m.to == ["alice@example.com"]]

    assert "2 of 3</strong> brought an insight" in page
    assert "+1 from someone excused" in page
    assert "2 of 3 brought an insight, +1 from someone excused." in alice.body
    assert "2 of 3 brought an insight" in alice.subject


def test_an_excused_person_sees_their_insight_counted_apart_on_the_form(
    client, meeting, team_admin
):
    client.force_login(team_admin)  # Carol: excused, brought one anyway

    html = client.get(f"/teams/sales/meetings/{meeting.pk}/insight/").content.decode()

    assert "2 of 3</strong> have brought theirs" in html
    assert "yours included" not in html
    assert "+1 from someone excused" in html
    assert "You're excused from this one" in html
