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
from reminders.models import Message
from tests.factories import AttendanceFactory, CustomerFactory, MeetingFactory, TagFactory

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
    assert response["Location"].startswith(link) and response["Location"].endswith("&saved=first")
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


def test_requests_naming_an_address_mail_it_at_most_once_in_five_minutes(
    client, member, meeting, time_machine, django_capture_on_commit_callbacks
):
    fresh_link = reverse("insights:fresh-link", args=[meeting.pk])
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(6):
            response = client.post(fresh_link, {"email": "bob@example.com"})
    assert "a fresh link is on its way" in response.content.decode()  # the same answer
    assert len(mail.outbox) == 1

    time_machine.shift(dt.timedelta(minutes=6))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(fresh_link, {"email": " Bob@Example.com"})
    assert len(mail.outbox) == 2


def test_requests_naming_someone_never_stop_their_own_request_from_their_link(
    client, member, meeting, time_machine, django_capture_on_commit_callbacks
):
    """A stranger asks six times for Bob's address; a few minutes later Bob asks from
    the page his (expired) link opened, which carries it: his request is his, and is
    sent, whatever the requests naming him and whoever shares his network."""
    fresh_link = reverse("insights:fresh-link", args=[meeting.pk])
    own_link = links.submit_link(member, meeting)
    token = own_link.split("?t=")[1]
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(6):
            client.post(fresh_link, {"email": "bob@example.com"}, REMOTE_ADDR="203.0.113.66")
        for _ in range(25):  # more than a client may ask for by address
            client.post(fresh_link, {"email": "x@example.com"}, REMOTE_ADDR="203.0.113.5")
    time_machine.shift(dt.timedelta(minutes=3))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(fresh_link, {"email": "", "t": token}, REMOTE_ADDR="203.0.113.5")

    assert [m.to for m in mail.outbox] == [["bob@example.com"], ["bob@example.com"]]


def test_the_page_of_an_expired_link_asks_for_a_fresh_one_with_it(client, member, meeting):
    token = links.submit_link(member, meeting).split("?t=")[1]
    expired = token[:-2] + ("AA" if not token.endswith("AA") else "BB")  # as a tampered one
    page = client.get(reverse("insights:submit-link", args=[meeting.pk]) + f"?t={expired}")

    assert f'name="t" value="{expired}"' in page.content.decode()


def test_a_double_tap_on_send_me_a_fresh_link_sends_one(
    client, member, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            client.post(
                reverse("insights:fresh-link", args=[meeting.pk]), {"email": "bob@example.com"}
            )

    assert len(mail.outbox) == 1


def test_a_guest_sees_the_organisations_customers_but_not_the_host_teams_tags(
    client, outsider, meeting
):
    CustomerFactory(name="Acme Logistics")
    TagFactory(team=meeting.team, name="team-private-tag")
    AttendanceFactory(meeting=meeting, user=outsider, is_guest=True)

    html = client.get(path_of(links.submit_link(outsider, meeting))).content.decode()

    assert '<option value="Acme Logistics">' in html
    assert "team-private-tag" not in html


# --- Meetings that are over: the link says so and offers the next meeting ---------

SENT_FOR_THIS_MEETING = "a fresh link is on its way"
LINK_SUBJECT = "Your link to add an insight to"


def end_by_hand(meeting, time_machine=None):
    meeting.start()
    meeting.end()


def close_by_itself(meeting, time_machine):
    time_machine.move_to(meeting.closes_at, tick=False)


OVER_WAYS = pytest.mark.parametrize("make_over", [end_by_hand, close_by_itself])


@pytest.fixture
def next_meeting(team, member, facilitator):
    return services.create_meeting(team=team, title="Thursday round",
                                   starts_at=NOW + dt.timedelta(days=3), duration_minutes=30)  # fmt: skip


def ask_for_fresh_link(client, meeting, email, capture):
    with capture(execute=True):
        return client.post(reverse("insights:fresh-link", args=[meeting.pk]), {"email": email})


def links_mailed() -> list:
    # Ending a meeting by hand also queues its summary; only the links matter here.
    return [m for m in mail.outbox if m.subject.startswith(LINK_SUBJECT)]


def link_in(message) -> str:
    return path_of(next(w for w in message.body.split() if w.startswith("http")))


def words_of(response) -> str:
    """The page's own words, without the per-request CSRF token of the layout."""
    html = response.content.decode()
    return html[html.index('<section class="narrow">') : html.index("</section>")]


@OVER_WAYS
def test_a_fresh_link_asked_from_a_meeting_that_is_over_is_for_the_next_meeting(
    client, member, meeting, next_meeting, make_over, time_machine,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    make_over(meeting, time_machine)

    response = ask_for_fresh_link(
        client, meeting, "bob@example.com", django_capture_on_commit_callbacks
    )

    html = response.content.decode()
    assert "That meeting is over" in html
    assert "Monday round" not in html and "Sales" not in html  # the page names nothing
    assert SENT_FOR_THIS_MEETING not in html
    [sent] = links_mailed()
    assert sent.to == ["bob@example.com"]
    assert "Thursday round" in sent.subject and "Monday round" not in sent.subject
    link = link_in(sent)
    assert link.startswith(reverse("insights:submit-link", args=[next_meeting.pk]) + "?")
    opened = client.get(link)
    assert opened.status_code == 200
    assert "Thursday round" in opened.content.decode()


@OVER_WAYS
def test_without_a_next_meeting_nothing_is_sent_and_the_page_promises_nothing(
    client, member, meeting, make_over, time_machine, django_capture_on_commit_callbacks
):
    make_over(meeting, time_machine)

    response = ask_for_fresh_link(
        client, meeting, "bob@example.com", django_capture_on_commit_callbacks
    )

    html = response.content.decode()
    assert not Message.objects.filter(kind=Message.Kind.FRESH_LINK).exists()
    assert links_mailed() == []
    assert "That meeting is over" in html
    assert "If you have another meeting of the same team coming up, a link" in html
    assert SENT_FOR_THIS_MEETING not in html


def test_a_meeting_closed_by_itself_without_a_next_meeting_sends_no_mail_at_all(
    client, member, meeting, time_machine, django_capture_on_commit_callbacks
):
    close_by_itself(meeting, time_machine)

    ask_for_fresh_link(client, meeting, "bob@example.com", django_capture_on_commit_callbacks)

    assert mail.outbox == []


@pytest.mark.parametrize("email", ["dave@example.com", "nobody@example.com"])
def test_a_stranger_asking_from_a_meeting_that_is_over_gets_the_attendees_page_and_nothing(
    client, member, outsider, meeting, next_meeting, email, django_capture_on_commit_callbacks
):
    end_by_hand(meeting)

    stranger = ask_for_fresh_link(client, meeting, email, django_capture_on_commit_callbacks)

    assert not Message.objects.filter(kind=Message.Kind.FRESH_LINK).exists()
    assert links_mailed() == []
    attendee = ask_for_fresh_link(
        client, meeting, "bob@example.com", django_capture_on_commit_callbacks
    )
    assert stranger.status_code == attendee.status_code == 200
    assert words_of(stranger) == words_of(attendee)
    assert [m.to for m in links_mailed()] == [["bob@example.com"]]


@OVER_WAYS
def test_a_link_opened_after_the_meeting_is_over_offers_a_link_for_the_next_one(
    client, member, meeting, next_meeting, make_over, time_machine,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    link = path_of(links.submit_link(member, meeting))
    make_over(meeting, time_machine)

    response = client.get(link)

    html = response.content.decode()
    assert response.status_code == 410
    assert OVER in html
    assert "Your next one is <strong>Thursday round</strong>" in html
    assert f'action="{reverse("insights:fresh-link", args=[meeting.pk])}"' in html
    assert 'name="email" value="bob@example.com"' in html
    assert "E-mail me a link for it" in html

    ask_for_fresh_link(client, meeting, "bob@example.com", django_capture_on_commit_callbacks)

    [sent] = links_mailed()
    assert client.get(link_in(sent)).status_code == 200


def test_a_link_opened_after_the_meeting_is_over_says_when_there_is_no_next_one(
    client, member, meeting
):
    link = path_of(links.submit_link(member, meeting))
    end_by_hand(meeting)

    html = client.get(link).content.decode()

    assert OVER in html
    assert "You have no other meeting of Sales coming up yet." in html
    assert "E-mail me a link for it" not in html


@pytest.mark.parametrize("bad", ["nonsense", "another meeting's", "a removed attendee's"])
def test_a_bad_link_of_a_meeting_that_is_over_reveals_nothing_about_it(
    client, member, meeting, next_meeting, bad
):
    token = {
        "nonsense": "t=nonsense",
        "another meeting's": links.submit_link(member, next_meeting).split("?", 1)[1],
        "a removed attendee's": links.submit_link(member, meeting).split("?", 1)[1],
    }[bad]
    if bad == "a removed attendee's":
        services.remove_attendee(attendance=meeting.attendances.get(user=member))
    end_by_hand(meeting)

    response = client.get(reverse("insights:submit-link", args=[meeting.pk]) + "?" + token)

    html = response.content.decode()
    assert response.status_code == 403
    assert FAILURE in html
    assert "Send me a fresh link" in html
    for secret in (OVER, "Monday round", "Thursday round", "Sales", "bob@example.com"):
        assert secret not in html


def test_asking_anonymously_reveals_neither_the_title_nor_the_team_of_a_meeting_that_is_over(
    client, meeting, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(meeting.closes_at, tick=False)

    html = ask_for_fresh_link(
        client, meeting, "nobody@example.com", django_capture_on_commit_callbacks
    ).content.decode()

    assert meeting.title not in html
    assert meeting.team.name not in html.split("<main", 1)[1]
