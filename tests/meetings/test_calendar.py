"""Calendars: one meeting as a .ics download, and each person's private feed."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
from django.conf import settings
from django.urls import reverse

from meetings import services
from tests.factories import UserFactory
from tests.html import Page

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 7, 1, 8, tzinfo=UTC)
STARTS = dt.datetime(2026, 7, 6, 7, tzinfo=UTC)  # Monday 09:00 in Brussels


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def meeting(team, facilitator, member):
    return services.create_meeting(
        team=team, title="Customer round", starts_at=STARTS, duration_minutes=30,
        location="Room 2", facilitator=facilitator,
    )  # fmt: skip


@pytest.fixture
def other_meeting(other_team, outsider):
    return services.create_meeting(
        team=other_team, title="Engineering sync", starts_at=STARTS, duration_minutes=30
    )


def events(body: bytes) -> list:
    return icalendar.Calendar.from_ical(body).walk("VEVENT")


def ics_url(meeting) -> str:
    return reverse("meetings:meeting-ics", args=[meeting.team.slug, meeting.pk])


def feed_url(user) -> str:
    return reverse("meetings:calendar-feed", args=[user.calendar_token])


# RFC 5545 3.1: a content line starts with a property name; a folded line goes on
# with a space. Each ends with CRLF; no other CR or LF may appear in the file.
CONTENT_LINE = re.compile(rb"[A-Za-z0-9-]+[;:].*| .*")


def assert_content_lines(body: bytes) -> None:
    assert body.endswith(b"\r\n")
    for line in body[: -len(b"\r\n")].split(b"\r\n"):
        assert b"\r" not in line and b"\n" not in line, line
        assert len(line) <= 75, line
        assert CONTENT_LINE.fullmatch(line), line


# --- One meeting as a download -----------------------------------------------------


def test_meeting_download_is_one_event_at_the_right_time(client, meeting, member):
    client.force_login(member)

    response = client.get(ics_url(meeting))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert f'filename="meeting-{meeting.pk}.ics"' in response["Content-Disposition"]
    [event] = events(response.content)
    assert event.decoded("dtstart") == STARTS
    assert b"DTSTART:20260706T070000Z" in response.content  # UTC, no floating time
    assert event.decoded("dtend") == STARTS + dt.timedelta(minutes=30)
    assert str(event["summary"]) == "Customer round (Sales)"
    assert str(event["location"]) == "Room 2"
    assert str(event["status"]) == "CONFIRMED"


def test_meeting_download_links_to_the_meeting_and_names_the_insight_deadline(
    client, meeting, member
):
    client.force_login(member)

    [event] = events(client.get(ics_url(meeting)).content)

    detail = reverse("meetings:meeting-detail", args=["sales", meeting.pk])
    assert str(event["url"]) == settings.SITE_URL + detail
    description = str(event["description"])
    assert "Bring yours before Mon 06 Jul 09:00 (Europe/Brussels)" in description
    assert settings.SITE_URL + detail in description


def test_the_event_uid_is_stable_when_the_meeting_moves(client, meeting, member):
    client.force_login(member)
    [before] = events(client.get(ics_url(meeting)).content)

    services.update_meeting(meeting=meeting, data={"starts_at": STARTS + dt.timedelta(hours=2)})
    [after] = events(client.get(ics_url(meeting)).content)

    assert str(before["uid"]) == str(after["uid"]) == f"meeting-{meeting.pk}@insightboard"
    assert after.decoded("dtstart") == STARTS + dt.timedelta(hours=2)


LINE_BREAKS = ["\n", "\r\n", "\r"]


@pytest.mark.parametrize("line_break", LINE_BREAKS, ids=["LF", "CRLF", "CR"])
def test_a_title_with_a_line_break_downloads_as_an_escaped_event(
    client, team, facilitator, member, line_break
):
    # Titles saved before the forms kept them on one line are still out there.
    meeting = services.create_meeting(
        team=team, title=f"Customer{line_break}round", starts_at=STARTS, duration_minutes=30,
        location=f"Room{line_break}2",
    )  # fmt: skip
    client.force_login(member)

    response = client.get(ics_url(meeting))

    assert response.status_code == 200
    assert_content_lines(response.content)
    [event] = events(response.content)
    assert str(event["summary"]) == "Customer\nround (Sales)"
    assert str(event["location"]) == "Room\n2"


@pytest.mark.parametrize("line_break", LINE_BREAKS, ids=["LF", "CRLF", "CR"])
def test_a_title_with_a_line_break_stays_an_escaped_event_in_the_feed(
    client, team, facilitator, member, line_break
):
    services.create_meeting(
        team=team, title=f"Customer{line_break}round", starts_at=STARTS, duration_minutes=30
    )

    response = client.get(feed_url(member))

    assert response.status_code == 200
    assert_content_lines(response.content)
    [event] = events(response.content)
    assert str(event["summary"]) == "Customer\nround (Sales)"


@pytest.mark.parametrize("line_break", LINE_BREAKS, ids=["LF", "CRLF", "CR"])
def test_bobs_feed_still_works_when_his_name_has_a_line_break(client, meeting, member, line_break):
    member.name = f"Bob{line_break}Member"
    member.save(update_fields=["name"])

    response = client.get(feed_url(member))

    assert response.status_code == 200
    assert_content_lines(response.content)
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["x-wr-calname"]) == r"InsightBoard · Bob\nMember"  # RFC 5545 TEXT
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Customer round (Sales)"


def test_every_line_of_a_long_download_is_folded(client, team, facilitator, member):
    meeting = services.create_meeting(
        team=team, title="Quarterly; review, " * 6, starts_at=STARTS, duration_minutes=30,
        location="https://meet.example.com/" + "x" * 170,
    )  # fmt: skip
    client.force_login(member)

    response = client.get(ics_url(meeting))

    assert_content_lines(response.content)
    [event] = events(response.content)
    assert str(event["summary"]) == "Quarterly; review, " * 6 + " (Sales)"


def test_outsider_gets_404_on_the_meeting_download(client, meeting, outsider):
    client.force_login(outsider)

    assert client.get(ics_url(meeting)).status_code == 404


def test_the_meeting_download_needs_a_login(client, meeting):
    response = client.get(ics_url(meeting))

    assert response.status_code == 302
    assert "/login" in response["Location"]


# --- The private feed --------------------------------------------------------------------


def test_the_feed_lists_my_meetings_and_not_other_teams(client, meeting, other_meeting, member):
    response = client.get(feed_url(member))  # calendar apps don't log in

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert [str(e["uid"]) for e in events(response.content)] == [
        f"meeting-{meeting.pk}@insightboard"
    ]


def test_the_feed_leaves_out_meetings_i_was_removed_from(client, meeting, member):
    services.remove_attendee(attendance=meeting.attendances.get(user=member))

    assert events(client.get(feed_url(member)).content) == []


def test_the_feed_includes_meetings_i_am_a_guest_at(client, other_meeting, member):
    services.add_attendee(meeting=other_meeting, user=member)

    [event] = events(client.get(feed_url(member)).content)

    assert str(event["summary"]) == "Engineering sync (Engineering)"


def test_a_skipped_meeting_is_cancelled_in_the_feed(client, meeting, member):
    services.skip_meeting(meeting=meeting)

    [event] = events(client.get(feed_url(member)).content)

    assert str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == f"meeting-{meeting.pk}@insightboard"


def test_old_meetings_drop_out_of_the_feed(client, time_machine, meeting, member):
    time_machine.shift(dt.timedelta(days=40))

    assert events(client.get(feed_url(member)).content) == []


def test_an_unknown_token_is_404(client, meeting):
    response = client.get(reverse("meetings:calendar-feed", args=["not-a-real-token"]))

    assert response.status_code == 404


def test_resetting_the_token_retires_the_old_feed_address(client, meeting, member):
    old = feed_url(member)
    client.force_login(member)

    response = client.post(reverse("accounts:calendar-reset"))

    assert response.status_code == 302
    member.refresh_from_db()
    assert feed_url(member) != old
    client.logout()
    assert client.get(old).status_code == 404
    assert len(events(client.get(feed_url(member)).content)) == 1


def test_resetting_the_token_needs_a_post(client, member):
    client.force_login(member)
    token = member.calendar_token

    assert client.get(reverse("accounts:calendar-reset")).status_code == 405
    member.refresh_from_db()
    assert member.calendar_token == token


def test_an_inactive_persons_feed_is_404(client, meeting, member):
    member.is_active = False
    member.save()

    assert client.get(feed_url(member)).status_code == 404


def test_the_feed_is_private_to_caches(client, member):
    response = client.get(feed_url(member))

    assert "private" in response["Cache-Control"]


def test_each_person_has_a_different_token(member, facilitator):
    assert member.calendar_token != facilitator.calendar_token
    assert len(UserFactory().calendar_token) >= 40


def test_the_profile_offers_bob_his_feed_address_with_a_copy_button(client, member):
    client.force_login(member)

    html = client.get("/accounts/profile/").content.decode()

    page = Page(html)
    address = page.controls["calendar-address"]
    assert address["value"] == settings.SITE_URL + feed_url(member)
    assert "readonly" in address and "data-select-on-focus" in address
    # Shown by the script (static/js/copy.js); without it, the address alone.
    assert re.search(
        r'<button type="button"[^>]*data-copy="calendar-address"[^>]*hidden>Copy<', html
    )
    assert "js/copy.js" in html
