from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from meetings.models import Attendance
from tests.factories import AttendanceFactory, InsightFactory, MeetingFactory, UserFactory

pytestmark = pytest.mark.django_db


def meeting_with(team, attendees: int, submitted: int, **kwargs):
    meeting = MeetingFactory(team=team, **kwargs)
    people = UserFactory.create_batch(attendees)
    for person in people:
        AttendanceFactory(meeting=meeting, user=person)
    for person in people[:submitted]:
        InsightFactory(meeting=meeting, author=person)
    return meeting


def test_home_lists_my_upcoming_meetings_with_the_round_at_a_glance(client, team, member):
    meeting = meeting_with(team, attendees=4, submitted=2, title="Tuesday round")
    AttendanceFactory(meeting=meeting, user=member)
    client.force_login(member)

    response = client.get("/")

    html = response.content.decode()
    assert "Tuesday round" in html
    assert "2 of 5" in html
    assert "Yours is missing" in html


def test_excused_people_are_not_counted_as_expected(client, team, member):
    meeting = meeting_with(team, attendees=3, submitted=1)
    AttendanceFactory(meeting=meeting, user=member, status=Attendance.Status.EXCUSED)
    client.force_login(member)

    html = client.get("/").content.decode()

    assert "1 of 3" in html
    assert "You're excused" in html


def test_a_meeting_weeks_away_does_not_call_my_insight_missing_yet(client, team, member):
    """Submitting early is welcome, but nothing is "missing" before the first reminder."""
    team.reminder_offsets = [24 * 60, 15]
    team.save()
    meeting = MeetingFactory(team=team, starts_at=timezone.now() + dt.timedelta(weeks=7))
    AttendanceFactory(meeting=meeting, user=member)
    client.force_login(member)

    home = client.get("/").content.decode()
    page = client.get(meeting.get_absolute_url()).content.decode()

    assert "missing" not in home and "Your insight is missing" not in page
    assert "Add my insight" in home and "Add my insight" in page


def test_my_insight_is_missing_from_the_moment_the_first_reminder_is_due(
    client, team, member, time_machine
):
    team.reminder_offsets = [24 * 60, 15]
    team.save()
    starts = dt.datetime(2030, 6, 3, 8, tzinfo=dt.UTC)
    meeting = MeetingFactory(team=team, starts_at=starts)
    AttendanceFactory(meeting=meeting, user=member)
    client.force_login(member)

    time_machine.move_to(starts - dt.timedelta(hours=24, seconds=1), tick=False)
    assert "Yours is missing" not in client.get("/").content.decode()

    time_machine.move_to(starts - dt.timedelta(hours=24), tick=False)
    assert "Yours is missing" in client.get("/").content.decode()
    assert "Your insight is missing" in client.get(meeting.get_absolute_url()).content.decode()


def test_no_add_my_insight_on_a_meeting_i_am_excused_from(client, team, member):
    meeting = MeetingFactory(team=team)
    AttendanceFactory(meeting=meeting, user=member, status=Attendance.Status.EXCUSED)
    client.force_login(member)

    home = client.get("/").content.decode()
    page = client.get(meeting.get_absolute_url()).content.decode()

    assert "You're excused" in home and "You're excused" in page
    assert "Add my insight" not in home and "Add my insight" not in page
    assert "missing" not in home and "Your insight is missing" not in page


def test_an_insight_brought_while_excused_can_still_be_edited(client, team, member):
    meeting = MeetingFactory(team=team)
    AttendanceFactory(meeting=meeting, user=member, status=Attendance.Status.EXCUSED)
    InsightFactory(meeting=meeting, author=member)
    client.force_login(member)

    assert "Edit my insight" in client.get("/").content.decode()
    assert "Edit my insight" in client.get(meeting.get_absolute_url()).content.decode()


def test_home_shows_times_in_the_viewers_time_zone(client, team, member):
    member.time_zone = "America/New_York"
    member.save()
    start = dt.datetime(2030, 6, 3, 13, 30, tzinfo=dt.UTC)  # 09:30 in New York (EDT)
    AttendanceFactory(meeting=MeetingFactory(team=team, starts_at=start), user=member)
    client.force_login(member)

    assert "09:30" in client.get("/").content.decode()


def test_home_hides_meetings_i_am_not_invited_to(client, team, other_team, member):
    meeting_with(other_team, attendees=2, submitted=1, title="Engineering secret sync")
    client.force_login(member)

    assert "Engineering secret sync" not in client.get("/").content.decode()


@pytest.mark.parametrize("size", [5, 50])
def test_home_query_count_does_not_grow_with_attendees(
    client, team, member, size, django_assert_max_num_queries
):
    for offset in range(3):
        meeting = meeting_with(
            team, attendees=size, submitted=size // 2,
            starts_at=timezone.now() + dt.timedelta(days=offset + 1),
        )  # fmt: skip
        AttendanceFactory(meeting=meeting, user=member)
    client.force_login(member)

    with django_assert_max_num_queries(6):
        assert client.get("/").status_code == 200
