"""Meetings close themselves: a meeting nobody ends by hand ends at its scheduled end
plus the team's grace period (a beat sweep): attendance recorded, the summary sent
once, its insight links closed. Ending by hand and by the sweep at once does it once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from insightboard.settings import CELERY_BEAT_SCHEDULE
from insights import links
from insights.services import submit_insight
from meetings import services
from meetings.models import Attendance, Meeting
from reminders.models import Message
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def meeting(team, facilitator, member, time_machine):
    time_machine.move_to(START - dt.timedelta(hours=1), tick=False)
    return services.create_meeting(team=team, title="Monday round", starts_at=START,
                                   duration_minutes=30, facilitator=facilitator)  # fmt: skip


def summaries() -> list[tuple[str, str]]:
    return sorted(
        Message.objects.filter(kind=Message.Kind.SUMMARY).values_list("user__email", "state")
    )


def test_a_meeting_nobody_ended_ends_itself_after_the_grace_period(
    meeting, facilitator, member, time_machine, deliver
):
    submit_insight(meeting=meeting, author=member, data={
        "customer": CustomerFactory(), "conversation_date": dt.date(2026, 5, 29),
        "said": "They print it.", "so_what": "Paper matters."})  # fmt: skip
    assert meeting.closes_at == START + dt.timedelta(minutes=30 + 60)

    time_machine.move_to(meeting.closes_at - dt.timedelta(seconds=1), tick=False)
    assert services.close_overdue_meetings() == 0
    time_machine.move_to(meeting.closes_at, tick=False)
    assert services.close_overdue_meetings() == 1

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ENDED
    assert meeting.ended_at == meeting.closes_at
    statuses = dict(meeting.attendances.values_list("user__name", "status"))
    assert statuses == {"Alice Facilitator": Attendance.Status.ABSENT,
                        "Bob Member": Attendance.Status.ATTENDED}  # fmt: skip
    assert sorted(m.to[0] for m in deliver()) == ["alice@example.com", "bob@example.com"]


def test_its_links_stop_working_and_a_second_sweep_sends_nothing_more(
    client, meeting, member, time_machine, deliver
):
    link = links.submit_link(member, meeting).removeprefix("http://localhost:8000")
    time_machine.move_to(meeting.closes_at, tick=False)

    services.close_overdue_meetings()
    services.close_overdue_meetings()
    deliver()
    deliver()

    assert client.get(link).status_code == 410
    assert [state for _, state in summaries()] == [Message.State.SENT] * 2


def test_the_grace_period_is_the_teams_setting(meeting, team, time_machine):
    team.close_after_minutes = 0
    team.save()
    time_machine.move_to(meeting.ends_at, tick=False)

    assert services.close_overdue_meetings() == 1


def test_skipped_and_ended_meetings_are_left_alone(meeting, team, facilitator, time_machine):
    skipped = services.create_meeting(team=team, title="Skipped", starts_at=START,
                                      duration_minutes=30)  # fmt: skip
    skipped.cancel()
    meeting.start()
    meeting.end()
    time_machine.move_to(START + dt.timedelta(days=1), tick=False)

    assert services.close_overdue_meetings() == 0
    assert Meeting.objects.get(pk=skipped.pk).status == Meeting.Status.CANCELLED


def test_the_sweep_runs_from_beat():
    entry = CELERY_BEAT_SCHEDULE["close-overdue-meetings"]
    assert entry["task"] == "meetings.close_overdue"
    assert entry["options"]["expires"] < entry["schedule"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ending_by_hand_and_by_the_sweep_at_once_does_the_work_once(
    team, facilitator, member, time_machine
):
    time_machine.move_to(START - dt.timedelta(hours=1), tick=False)
    meeting = services.create_meeting(team=team, title="Raced", starts_at=START,
                                      duration_minutes=30, facilitator=facilitator)  # fmt: skip
    time_machine.move_to(meeting.closes_at, tick=False)
    barrier = threading.Barrier(2)
    results = []

    def by_hand():
        barrier.wait()
        results.append(Meeting.objects.select_related("team").get(pk=meeting.pk).end())
        connection.close()

    def by_sweep():
        barrier.wait()
        results.append(services.close_overdue_meetings() == 1)
        connection.close()

    threads = [threading.Thread(target=by_hand), threading.Thread(target=by_sweep)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False, True]
    assert len(summaries()) == 2  # one per attendee, once
