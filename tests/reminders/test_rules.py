"""Message rules, one sweep at a time (the real-service reliability tests are in
tests/reminders/). Time is moved with time-machine; each sweep is `dispatch.tick()`."""

from __future__ import annotations

import datetime as dt
import email

import pytest
from django.core import mail

from accounts.models import Away
from insights.services import submit_insight
from meetings import services
from meetings.models import Attendance, Membership
from meetings.webhook_targets import NOT_SLACK_OR_TEAMS
from reminders import dispatch, planner
from reminders.models import Message
from tests.conftest import A_PUBLIC_ADDRESS
from tests.factories import CustomerFactory, MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
S = Message.State
# Monday 1 June 2026, 10:00 in Brussels (CEST, UTC+2).
START = dt.datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    def at(moment: dt.datetime):
        time_machine.move_to(moment, tick=False)
        return moment

    at(START - dt.timedelta(days=3))
    return at


@pytest.fixture
def meeting(team, facilitator, member, clock):
    team.reminder_offsets = [24 * 60, 120, 15]
    team.quiet_hours_start, team.quiet_hours_end = dt.time(20), dt.time(8)
    team.save()
    return services.create_meeting(team=team, title="Monday round", starts_at=START,
                                   duration_minutes=30, facilitator=facilitator)  # fmt: skip


def sweep(now: dt.datetime) -> dispatch.Sweep:
    return dispatch.tick(now=now)


def rows(user, **filters):
    return list(
        Message.objects.filter(user=user, **filters)
        .order_by("due_at")
        .values_list("offset", "state")
    )


def sent_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def test_each_stage_reaches_an_attendee_without_an_insight(meeting, member, clock):
    for offset in (24 * 60, 120, 15):
        sweep(clock(START - dt.timedelta(minutes=offset)))

    assert rows(member, kind="reminder") == [(1440, S.SENT), (120, S.SENT), (15, S.SENT)]
    assert len(sent_to("bob@example.com")) == 3


def test_running_a_sweep_twice_sends_nothing_twice(meeting, member, clock):
    now = clock(START - dt.timedelta(hours=2))
    sweep(now)
    sweep(now)

    assert len(sent_to("bob@example.com")) == 1


def test_someone_who_submits_in_between_gets_nothing_more(meeting, member, clock):
    sweep(clock(START - dt.timedelta(hours=24)))
    clock(START - dt.timedelta(hours=3))
    submit_insight(meeting=meeting, author=member, data={
        "customer": CustomerFactory(), "conversation_date": dt.date(2026, 5, 29),
        "said": "They asked for SSO.", "so_what": "Enterprise blocker."})  # fmt: skip
    for offset in (120, 15):
        sweep(clock(START - dt.timedelta(minutes=offset)))

    assert len(sent_to("bob@example.com")) == 1
    assert {state for _o, state in rows(member, kind="reminder")[1:]} == {S.SKIPPED_SUBMITTED}


def test_excused_and_away_attendees_are_not_reminded(meeting, member, facilitator, clock):
    services.excuse(attendance=meeting.attendances.get(user=facilitator), reason="Visit")
    Away.objects.create(user=member, starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 6, 5))

    sweep(clock(START - dt.timedelta(hours=2)))

    assert mail.outbox == []
    assert {s for _o, s in rows(member)} | {s for _o, s in rows(facilitator, kind="reminder")} == {
        S.SKIPPED_EXCUSED
    }


def test_stages_due_at_once_send_only_the_latest(team, member, facilitator, clock):
    # Created an hour before it starts: the 24 h and 2 h stages are both overdue.
    clock(START - dt.timedelta(hours=1))
    meeting = services.create_meeting(
        team=team, title="Late invite", starts_at=START, duration_minutes=30
    )

    sweep(clock(START - dt.timedelta(hours=1)))

    assert rows(member, meeting=meeting) == [(1440, S.SKIPPED_COALESCED), (120, S.SENT)]
    assert len(sent_to("bob@example.com")) == 1


def test_after_an_outage_overdue_stages_coalesce_into_one(meeting, member, clock):
    # Nothing ran for a day; the sweep at 20 min before finds 24 h and 2 h overdue.
    sweep(clock(START - dt.timedelta(minutes=20)))

    assert rows(member) == [(1440, S.SKIPPED_COALESCED), (120, S.SENT)]


def test_no_reminder_is_ever_sent_after_the_start(meeting, member, clock):
    sweep(clock(START + dt.timedelta(minutes=1)))

    assert not Message.objects.filter(kind="reminder", state=S.SENT).exists()
    assert sent_to("bob@example.com") == []
    assert set(Message.objects.filter(kind="reminder").values_list("state", flat=True)) == {
        S.SKIPPED_STARTED
    }


def test_quiet_hours_hold_an_early_reminder_until_they_end(team, member, facilitator, clock):
    # Meeting Tuesday 2 June 10:00; the 24 h reminder falls on Monday 10:00 (not quiet).
    # Make it fall in quiet hours: a meeting at 06:30 local means 24 h before is 06:30.
    start = dt.datetime(2026, 6, 2, 4, 30, tzinfo=UTC)  # 06:30 in Brussels
    clock(start - dt.timedelta(days=3))
    meeting = services.create_meeting(
        team=team, title="Early", starts_at=start, duration_minutes=30
    )
    team.reminder_offsets = [24 * 60, 15]
    team.save()
    services.replan_team(team)

    sweep(clock(start - dt.timedelta(hours=24)))  # Monday 06:30: quiet until 08:00

    reminder = Message.objects.get(meeting=meeting, user=member, offset=1440)
    assert reminder.state == S.PENDING
    assert reminder.next_attempt_at == dt.datetime(2026, 6, 1, 6, 0, tzinfo=UTC)  # 08:00 local
    assert "Held for quiet hours until 08:00" in reminder.note
    sweep(clock(dt.datetime(2026, 6, 1, 6, 0, tzinfo=UTC)))
    reminder.refresh_from_db()
    assert reminder.state == S.SENT
    assert reminder.attempts == 1


def test_quiet_hours_never_hold_past_the_final_reminder(team, member, clock):
    # 07:00 meeting: the 2 h reminder falls at 05:00, quiet until 08:00, after the start.
    start = dt.datetime(2026, 6, 2, 5, 0, tzinfo=UTC)
    clock(start - dt.timedelta(days=1))
    meeting = services.create_meeting(team=team, title="Dawn", starts_at=start, duration_minutes=30)

    sweep(clock(start - dt.timedelta(hours=2)))
    sweep(clock(start - dt.timedelta(minutes=15)))

    assert rows(member, meeting=meeting, offset=120) == [(120, S.SKIPPED_QUIET)]
    assert rows(member, meeting=meeting, offset=15) == [(15, S.SENT)]  # the final ignores quiet


def test_muted_early_reminders_still_get_the_final_one(meeting, member, clock):
    member.mute_early_reminders = True
    member.save()
    for offset in (24 * 60, 120, 15):
        sweep(clock(START - dt.timedelta(minutes=offset)))

    assert rows(member) == [(1440, S.SKIPPED_MUTED), (120, S.SKIPPED_MUTED), (15, S.SENT)]


def test_moving_a_meeting_supersedes_pending_reminders_in_the_same_transaction(
    meeting, member, clock
):
    sweep(clock(START - dt.timedelta(hours=24)))
    clock(START - dt.timedelta(hours=23))
    services.update_meeting(meeting=meeting, data={"starts_at": START + dt.timedelta(days=1)})

    sweep(clock(START - dt.timedelta(hours=2)))  # the old 2 h time: nothing
    assert len(sent_to("bob@example.com")) == 1
    sweep(clock(START + dt.timedelta(days=1) - dt.timedelta(hours=2)))
    assert len(sent_to("bob@example.com")) == 2
    meeting.refresh_from_db()
    assert meeting.schedule_version == 2


def test_skipping_a_meeting_cancels_its_reminders(meeting, member, clock):
    services.skip_meeting(meeting=meeting)

    sweep(clock(START - dt.timedelta(hours=2)))

    assert mail.outbox == []


def test_a_removed_attendee_is_not_reminded(meeting, member, clock):
    sweep(clock(START - dt.timedelta(hours=24)))
    services.remove_attendee(attendance=meeting.attendances.get(user=member))

    sweep(clock(START - dt.timedelta(hours=2)))

    assert len(sent_to("bob@example.com")) == 1


def test_a_reminder_24h_before_a_meeting_on_a_dst_morning_is_at_the_intended_time(
    team, member, clock
):
    # Brussels springs forward on Sunday 29 March 2026. A Monday 30 March 09:00 meeting
    # (07:00 UTC) gets its 24 h reminder exactly 24 hours earlier: Sunday 08:00 local.
    start = dt.datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    clock(start - dt.timedelta(days=3))
    meeting = services.create_meeting(
        team=team, title="After DST", starts_at=start, duration_minutes=30
    )

    planner.plan(clock(start - dt.timedelta(hours=24)))

    reminder = Message.objects.get(meeting=meeting, user=member, offset=1440)
    assert reminder.due_at == dt.datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert reminder.due_at.astimezone(team.zone).strftime("%a %H:%M") == "Sun 09:00"


def test_the_email_says_when_how_many_and_links_one_tap(meeting, member, facilitator, clock):
    member.time_zone = "Asia/Dubai"  # UTC+4, and not in quiet hours at 10:00 there
    member.save()
    submit_insight(meeting=meeting, author=facilitator, data={
        "customer": CustomerFactory(), "conversation_date": dt.date(2026, 5, 29),
        "said": "Audit trail please.", "so_what": "Compliance."})  # fmt: skip

    sweep(clock(START - dt.timedelta(hours=2)))

    message = sent_to("bob@example.com")[0]
    assert "Monday round at 12:00" in message.subject  # 10:00 in Brussels is 12:00 in Dubai
    assert "1 of 2 have brought" in message.subject
    assert "/i/" in message.body and "?t=" in message.body
    assert "In 1 hour:" in message.body
    reminder = Message.objects.get(user=member, offset=120)
    assert message.extra_headers["Message-ID"] == f"<reminder-{reminder.pk}@insightboard>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert "Add my insight" in html


def test_the_final_reminder_has_no_snooze_links(meeting, member, clock):
    sweep(clock(START - dt.timedelta(minutes=15)))

    assert "In 1 hour" not in sent_to("bob@example.com")[0].body


def test_the_facilitator_gets_a_whos_ready_digest_at_the_start(meeting, facilitator, member, clock):
    sweep(clock(START))

    digest = [m for m in mail.outbox if m.subject.startswith("Who's ready")]
    assert len(digest) == 1
    assert digest[0].to == ["alice@example.com"]
    assert "Missing (2): Alice Facilitator, Bob Member" in digest[0].body


def test_snooze_from_the_email_moves_the_reminder_to_the_chosen_time(
    client, meeting, member, clock
):
    from reminders.snooze import link as snooze_link

    now = clock(START - dt.timedelta(hours=3))
    link = snooze_link(member, meeting, "1h").removeprefix("http://localhost:8000")
    assert client.get(link).status_code == 200  # a GET changes nothing
    assert not Message.objects.filter(kind="snooze").exists()

    page = client.post(link).content.decode()

    snooze = Message.objects.get(kind="snooze")
    assert snooze.due_at == now + dt.timedelta(hours=1)
    assert "Snoozed" in page and "08:00" in page  # 07:00 UTC + 1 h, in Brussels


def test_near_the_start_snooze_promises_nothing_the_final_reminder_would_beat(
    client, meeting, member, clock
):
    """40 minutes before: "in 1 hour" and "tomorrow" would both come after the final
    reminder at 09:45, so neither is offered and neither can be chosen."""
    from reminders.snooze import link as snooze_link

    clock(START - dt.timedelta(minutes=40))
    for choice in ("1h", "tomorrow"):
        link = snooze_link(member, meeting, choice).removeprefix("http://localhost:8000")

        page = client.post(link).content.decode()

        assert "nothing to snooze" in page
        assert "09:45" in page  # when the final reminder comes, in Bob's zone
    assert not Message.objects.filter(kind="snooze").exists()


def test_a_reminder_offers_only_the_snoozes_that_come_before_the_final_one(meeting, member, clock):
    sweep(clock(START - dt.timedelta(hours=2)))  # the 2 h reminder, 08:00 in Brussels

    body = sent_to("bob@example.com")[0].body

    assert "In 1 hour:" in body  # 09:00, before the final reminder at 09:45
    assert "Tomorrow at 08:00" not in body  # after the meeting


def test_snooze_says_you_are_done_once_the_insight_is_in(client, meeting, member, clock):
    from reminders.snooze import link as snooze_link

    clock(START - dt.timedelta(hours=3))
    submit_insight(meeting=meeting, author=member, data={
        "customer": CustomerFactory(), "conversation_date": dt.date(2026, 5, 29),
        "said": "Done early.", "so_what": "Good."})  # fmt: skip
    link = snooze_link(member, meeting, "1h").removeprefix("http://localhost:8000")

    page = client.post(link).content.decode()

    assert "You're done" in page
    assert not Message.objects.filter(kind="snooze").exists()


def test_a_snoozed_person_gets_no_early_reminder_until_the_snooze(client, meeting, member, clock):
    from reminders.snooze import link as snooze_link

    sweep(clock(START - dt.timedelta(hours=24)))
    clock(START - dt.timedelta(hours=2, minutes=30))
    client.post(snooze_link(member, meeting, "1h").removeprefix("http://localhost:8000"))

    sweep(clock(START - dt.timedelta(hours=2)))
    assert rows(member, kind="reminder", offset=120) == [(120, S.SKIPPED_SNOOZED)]
    sweep(clock(START - dt.timedelta(hours=1, minutes=30)))

    assert Message.objects.get(kind="snooze").state == S.SENT
    assert len(sent_to("bob@example.com")) == 2  # the 24 h one, then the snoozed one


def test_one_click_unsubscribe_mutes_early_reminders_only(client, member):
    from reminders.content import unsubscribe_link

    link = unsubscribe_link(member).removeprefix("http://localhost:8000")
    assert client.get(link).status_code == 200
    member.refresh_from_db()
    assert not member.mute_early_reminders

    client.post(link, {"List-Unsubscribe": "One-Click"})

    member.refresh_from_db()
    assert member.mute_early_reminders


def test_a_temporary_failure_is_retried_with_backoff_held_in_the_row(
    meeting, member, clock, settings
):
    from unittest import mock

    from reminders.channels import CHANNELS, TransientError

    now = clock(START - dt.timedelta(hours=2))
    with mock.patch.object(CHANNELS["email"], "send", side_effect=TransientError("451 try later")):
        sweep(now)
    reminder = Message.objects.get(user=member, offset=120)
    assert (reminder.state, reminder.attempts) == (S.PENDING, 1)
    assert reminder.next_attempt_at == now + dispatch.BACKOFF[0]
    assert reminder.last_error == "451 try later"

    sweep(clock(now + dispatch.BACKOFF[0]))

    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts) == (S.SENT, 2)


def test_slack_webhook_posts_whos_missing_without_names_by_default(meeting, member, clock, dns):
    from unittest import mock

    from meetings.models import TeamWebhook

    dns["hooks.slack.com"] = [A_PUBLIC_ADDRESS]
    TeamWebhook.objects.create(
        team=meeting.team, kind="slack", url="https://hooks.slack.com/services/T/B/secret"
    )
    services.replan_team(meeting.team)
    posted = []

    class Response:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self):
            return b"ok"

    def fake_open(request, timeout):
        posted.append((request.full_url, request.data.decode()))
        return Response()

    # Mocked only at the HTTP boundary: nothing here can reach Slack.
    with mock.patch("reminders.channels._NO_REDIRECTS.open", fake_open):
        sweep(clock(START - dt.timedelta(minutes=15)))

    assert len(posted) == 1
    url, body = posted[0]
    assert url.endswith("/secret")
    assert "0 of 2 have brought a fresh customer insight" in body
    assert "2 still to come" in body and "Bob" not in body


# --- Webhook targets: checked again right before each post -----------------------


def slack_post(meeting, url: str) -> Message:
    """Whos-missing post to a Slack webhook saved without the checks (an admin form
    before they existed, say), swept when it is due."""
    from meetings.models import TeamWebhook

    TeamWebhook.objects.create(team=meeting.team, kind="slack", url=url)
    services.replan_team(meeting.team)
    sweep(dt.datetime.now(UTC))
    return Message.objects.get(kind=Message.Kind.MISSING)


@pytest.mark.parametrize(
    ("url", "answer", "reason"),
    [
        # Typed straight into the Django admin before it checked anything.
        ("http://127.0.0.1:{port}/services/T/B/secret", None, NOT_SLACK_OR_TEAMS),
        # Slack's own name, answered with the listener's loopback address.
        (
            "http://hooks.slack.com/services/T/B/secret",
            "127.0.0.1",
            "hooks.slack.com leads to 127.0.0.1, a loopback address",
        ),
    ],
)
def test_the_sender_never_posts_to_a_loopback_listener(
    meeting, member, clock, dns, http_sink, settings, url, answer, reason
):
    settings.WEBHOOK_ALLOW_HTTP = True  # so that it is the address that is refused
    if answer:
        dns["hooks.slack.com"] = [(answer, http_sink.port)]
    clock(START - dt.timedelta(minutes=15))

    post = slack_post(meeting, url.format(port=http_sink.port))

    assert http_sink.received() == (0, [])
    assert post.state == S.FAILED_PERMANENT
    assert reason in post.last_error


def test_a_refused_target_fails_for_good_and_olivia_sees_why_not_the_address(
    client, meeting, member, clock, dns, org_admin
):
    dns["hooks.slack.com"] = [A_PUBLIC_ADDRESS, "169.254.169.254"]  # the metadata service
    clock(START - dt.timedelta(minutes=15))

    post = slack_post(meeting, "https://hooks.slack.com/services/T/B/verysecret")

    assert (post.state, post.attempts) == (S.FAILED_PERMANENT, 1)
    client.force_login(org_admin)
    html = client.get("/reminders/failures/").content.decode()
    assert "169.254.169.254, a cloud metadata address" in html
    assert "verysecret" not in html


def test_a_webhook_host_that_cannot_be_found_is_tried_again_later(meeting, member, clock, dns):
    clock(START - dt.timedelta(minutes=15))

    post = slack_post(meeting, "https://hooks.slack.com/services/T/B/secret")

    assert (post.state, post.attempts) == (S.PENDING, 1)
    assert "hooks.slack.com could not be looked up" in post.last_error


def test_a_post_goes_to_the_address_that_was_checked_not_to_a_second_lookup(dns, http_sink):
    from reminders import channels

    # The name now answers something else (DNS rebinding): the post must not follow it.
    dns["hooks.example.com"] = ["10.9.8.7"]
    request = channels.CheckedRequest(
        f"http://hooks.example.com:{http_sink.port}/services/x", addresses=["127.0.0.1"],
        data=b"{}", method="POST",
    )  # fmt: skip

    with channels._NO_REDIRECTS.open(request, timeout=5) as response:
        assert response.read() == b"ok"

    _, requests = http_sink.received()
    assert [(r.host, r.path) for r in requests] == [
        (f"hooks.example.com:{http_sink.port}", "/services/x")
    ]


def test_a_request_without_checked_addresses_is_never_sent(http_sink):
    import urllib.error
    import urllib.request

    from reminders import channels

    request = urllib.request.Request(f"http://127.0.0.1:{http_sink.port}/x", data=b"{}")

    with pytest.raises(urllib.error.URLError):
        channels._NO_REDIRECTS.open(request, timeout=5)
    assert http_sink.received() == (0, [])


def test_names_in_chat_posts_cannot_mention_everyone_or_hide_links(meeting, member):
    from reminders.content import chat_escape

    assert (
        chat_escape("<!channel> <https://evil|Open>")
        == "&lt;!channel&gt; &lt;https://evil|Open&gt;"
    )


def test_the_meeting_page_shows_each_attendees_reminders(
    client, meeting, member, facilitator, clock
):
    sweep(clock(START - dt.timedelta(hours=24)))
    member.mute_early_reminders = True
    member.save()
    sweep(clock(START - dt.timedelta(hours=2)))
    client.force_login(facilitator)

    html = client.get(f"/teams/sales/meetings/{meeting.pk}/").content.decode()

    assert "Reminders (2)" in html
    assert "Skipped: muted by the recipient" in html


def test_members_do_not_see_others_reminder_history(client, meeting, member, clock):
    sweep(clock(START - dt.timedelta(hours=24)))
    client.force_login(member)

    assert "Reminders (" not in client.get(f"/teams/sales/meetings/{meeting.pk}/").content.decode()


def test_submitting_and_moving_meetings_never_touch_the_broker(meeting, member, clock, settings):
    from insightboard.celery import app

    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(app.conf, "broker_url", "redis://127.0.0.1:1/0")  # nothing listens there
        submit_insight(meeting=meeting, author=member, data={
            "customer": CustomerFactory(), "conversation_date": dt.date(2026, 5, 29),
            "said": "Broker down, still fine.", "so_what": "Good."})  # fmt: skip
        services.update_meeting(meeting=meeting, data={"starts_at": START + dt.timedelta(hours=1)})

    assert Attendance.objects.filter(meeting=meeting).exists()


def test_a_message_id_is_a_real_header(meeting, member, clock):
    sweep(clock(START - dt.timedelta(hours=2)))

    parsed = email.message_from_bytes(sent_to("bob@example.com")[0].message().as_bytes())

    assert parsed["Message-ID"].startswith("<reminder-")


def whos_ready() -> list:
    return [m for m in mail.outbox if m.subject.startswith("Who's ready")]


def test_no_whos_ready_digest_goes_to_a_facilitator_who_is_away(meeting, facilitator, clock):
    services.mark_away(
        user=facilitator, starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 6, 5),
        note="Holiday", by=facilitator,
    )  # fmt: skip

    sweep(clock(START))
    sweep(clock(START + dt.timedelta(minutes=5)))  # a later sweep doesn't send it after all

    digest = Message.objects.get(kind=Message.Kind.DIGEST)
    assert (digest.user, digest.state) == (facilitator, S.SKIPPED_EXCUSED)
    assert digest.note == "The facilitator is away."
    assert whos_ready() == []
    assert sent_to("alice@example.com") == []


def test_an_away_period_on_other_days_does_not_stop_the_digest(meeting, facilitator, clock):
    Away.objects.create(
        user=facilitator, starts_on=dt.date(2026, 6, 2), ends_on=dt.date(2026, 6, 5)
    )

    sweep(clock(START))

    assert Message.objects.get(kind=Message.Kind.DIGEST).state == S.SENT
    assert [m.to for m in whos_ready()] == [["alice@example.com"]]


# --- Away from one team only ------------------------------------------------------
# Tom is in Sales and in Product; Sales' facilitator marked him away from Sales.


@pytest.fixture
def tom(team):
    tom = UserFactory(email="tom@example.com", name="Tom Twoteams")
    MembershipFactory(team=team, user=tom)
    MembershipFactory(team=TeamFactory(name="Product", slug="product"), user=tom,
                      role=Membership.Role.FACILITATOR)  # fmt: skip
    return tom


@pytest.fixture
def product_meeting(tom, clock):
    return services.create_meeting(team=tom.memberships.get(team__slug="product").team,
                                   title="Product round", starts_at=START, duration_minutes=30,
                                   facilitator=tom)  # fmt: skip


def test_a_reminder_for_a_product_meeting_reaches_tom_while_he_is_away_from_sales_only(
    tom, meeting, product_meeting, team, facilitator, clock
):
    Away.objects.create(user=tom, team=team, starts_on=dt.date(2026, 6, 1),
                        ends_on=dt.date(2100, 12, 31), created_by=facilitator)  # fmt: skip

    sweep(clock(START - dt.timedelta(hours=2)))

    two_hours = {"user": tom, "kind": "reminder", "offset": 120}
    assert Message.objects.get(meeting=product_meeting, **two_hours).state == S.SENT
    assert Message.objects.get(meeting=meeting, **two_hours).state == S.SKIPPED_EXCUSED
    assert len(sent_to("tom@example.com")) == 1


def test_tom_away_from_sales_only_still_gets_his_product_digest(
    tom, meeting, product_meeting, team, facilitator, clock
):
    Away.objects.create(user=tom, team=team, starts_on=dt.date(2026, 6, 1),
                        ends_on=dt.date(2100, 12, 31), created_by=facilitator)  # fmt: skip

    sweep(clock(START))

    assert Message.objects.get(kind=Message.Kind.DIGEST, user=tom).state == S.SENT
