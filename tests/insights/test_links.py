"""The one-tap link in a reminder: it opens the form for one meeting, for its
attendee, until the meeting ends; anything else gets the same clear page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from insights import links
from insights.models import Insight
from meetings import services
from tests.factories import AttendanceFactory, CustomerFactory, MeetingFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 6, 0, tzinfo=dt.UTC)
FAILURE = "This link doesn't work any more"


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def meeting(team, member, facilitator):
    return services.create_meeting(
        team=team, title="Monday round", starts_at=NOW + dt.timedelta(hours=3), duration_minutes=30
    )


def path_of(link: str) -> str:
    return link.removeprefix("http://localhost:8000")


def form_data():
    return {"customer": "Acme", "conversation_date": "2026-05-30", "channel": "call",
            "said": "They print the list every morning.", "so_what": "Offline view."}  # fmt: skip


def test_the_link_opens_the_form_without_logging_in(client, member, meeting):
    response = client.get(path_of(links.submit_link(member, meeting)))

    assert response.status_code == 200
    assert "Your fresh customer insight" in response.content.decode()
    assert "_auth_user_id" not in client.session  # signed in for this purpose only


def test_opening_the_link_changes_nothing(client, member, meeting):
    last_login = member.last_login

    client.get(path_of(links.submit_link(member, meeting)))
    client.get(path_of(links.submit_link(member, meeting)))  # a mail scanner, then the person

    member.refresh_from_db()
    assert member.last_login == last_login
    assert not Insight.objects.exists()


def test_posting_through_the_link_saves_the_insight_of_that_attendee(client, member, meeting):
    link = path_of(links.submit_link(member, meeting))

    response = client.post(link, form_data())

    assert response.status_code == 302
    assert response["Location"].startswith(link) and response["Location"].endswith("&saved=1")
    assert Insight.objects.get().author == member
    assert "Saved ✓" in client.get(response["Location"]).content.decode()


def test_a_link_for_one_meeting_does_not_open_another(client, member, meeting, team):
    other = services.create_meeting(team=team, title="Other", starts_at=NOW + dt.timedelta(days=1),
                                    duration_minutes=30)  # fmt: skip
    token = links.submit_link(member, meeting).split("?", 1)[1]

    response = client.get(reverse("insights:submit-link", args=[other.pk]) + "?" + token)

    assert response.status_code == 403
    assert FAILURE in response.content.decode()


OVER = "This meeting is over"


def test_the_link_works_until_the_meeting_closes_itself_then_says_it_is_over(
    client, member, meeting, time_machine
):
    link = path_of(links.submit_link(member, meeting))
    time_machine.move_to(meeting.closes_at - dt.timedelta(minutes=1))
    assert client.get(link).status_code == 200

    time_machine.shift(dt.timedelta(minutes=1))

    response = client.get(link)
    assert response.status_code == 410
    assert OVER in response.content.decode()


def test_the_link_stops_working_once_the_meeting_is_ended_early(client, member, meeting):
    link = path_of(links.submit_link(member, meeting))
    meeting.start()
    meeting.end()

    response = client.post(link, form_data())
    assert response.status_code == 410
    assert OVER in response.content.decode()
    assert not Insight.objects.exists()


def test_a_removed_attendee_cannot_use_their_link(client, member, meeting):
    link = path_of(links.submit_link(member, meeting))
    services.remove_attendee(attendance=meeting.attendances.get(user=member))

    assert client.get(link).status_code == 403


def test_an_inactive_user_cannot_use_their_link(client, member, meeting):
    link = path_of(links.submit_link(member, meeting))
    member.is_active = False
    member.save()

    assert client.get(link).status_code == 403


@pytest.mark.parametrize("token", ["", "t=nonsense", "t=" + "A" * 40])
def test_bad_links_get_the_same_clear_page(client, meeting, token):
    response = client.get(reverse("insights:submit-link", args=[meeting.pk]) + "?" + token)

    html = response.content.decode()
    assert response.status_code == 403
    assert FAILURE in html
    assert "Send me a fresh link" in html


def test_an_unknown_meeting_gets_the_same_page_not_a_404(client, member, meeting):
    token = links.submit_link(member, meeting).split("?", 1)[1]

    response = client.get(reverse("insights:submit-link", args=[999_999]) + "?" + token)

    assert response.status_code == 403
    assert FAILURE in response.content.decode()


def test_a_tampered_token_is_refused(client, member, meeting):
    link = path_of(links.submit_link(member, meeting))

    assert client.get(link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")).status_code == 403


def test_asking_for_a_fresh_link_mails_one_to_an_attendee(
    client, member, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("insights:fresh-link", args=[meeting.pk]), {"email": "BOB@example.com"}
        )

    assert "a fresh link is on its way" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]
    fresh = path_of(mail.outbox[0].body.split("\n\n")[2].strip())
    assert client.get(fresh).status_code == 200


def test_a_fresh_link_is_not_sent_to_strangers_and_the_answer_is_the_same(
    client, meeting, outsider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("insights:fresh-link", args=[meeting.pk]), {"email": "dave@example.com"}
        )

    assert "a fresh link is on its way" in response.content.decode()
    assert mail.outbox == []


def test_a_guest_attendee_can_use_their_link(client, outsider, meeting):
    AttendanceFactory(meeting=meeting, user=outsider, is_guest=True)

    response = client.post(path_of(links.submit_link(outsider, meeting)), form_data())

    assert response.status_code == 302
    assert Insight.objects.get().author == outsider


def test_links_of_past_meetings_never_open(client, member, team):
    past = MeetingFactory(team=team, starts_at=NOW - dt.timedelta(days=2))
    AttendanceFactory(meeting=past, user=member)

    response = client.get(path_of(links.submit_link(member, past)))

    assert response.status_code == 410
    assert OVER in response.content.decode()
    assert not Insight.objects.exists()


def test_asking_for_fresh_links_over_and_over_sends_only_a_few(
    client, member, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(6):
            response = client.post(
                reverse("insights:fresh-link", args=[meeting.pk]), {"email": "bob@example.com"}
            )

    assert "a fresh link is on its way" in response.content.decode()  # the same answer
    assert len(mail.outbox) == 3


def test_a_guest_does_not_see_the_host_teams_customers(client, outsider, meeting):
    CustomerFactory(team=meeting.team, name="Very Private Customer")
    AttendanceFactory(meeting=meeting, user=outsider, is_guest=True)

    html = client.get(path_of(links.submit_link(outsider, meeting))).content.decode()

    assert "Very Private Customer" not in html
