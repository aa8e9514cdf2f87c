"""One path for every outgoing message: the outbox. With the mail server down, every
request that sends mail succeeds and nothing is lost; once it is back, each message
goes out once. A real SMTP server (aiosmtpd) is stopped and started again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import Invitation
from reminders import dispatch
from reminders.models import Message

from . import harness

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 7, 0, tzinfo=dt.UTC)
Kind = Message.Kind


@pytest.fixture
def meeting(team, facilitator, member, team_admin):
    return services.create_meeting(team=team, title="Monday round", facilitator=facilitator,
                                   starts_at=NOW + dt.timedelta(hours=2), duration_minutes=30)  # fmt: skip


def test_with_the_mail_server_down_requests_succeed_and_every_message_goes_out_once_it_is_back(
    client, meeting, facilitator, team_admin, member, smtp_sink, time_machine,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    time_machine.move_to(NOW, tick=False)
    retro = services.create_meeting(team=meeting.team, title="Retro", starts_at=NOW,
                                    duration_minutes=30, facilitator=facilitator)  # fmt: skip
    port = smtp_sink.port
    smtp_sink.stop()
    answers = []

    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(team_admin)
        answers.append(client.post("/teams/sales/invitations/",
                                   {"emails": "ana@example.com", "role": "member"}))  # fmt: skip
        client.logout()
        answers.append(client.post(reverse("insights:fresh-link", args=[meeting.pk]),
                                   {"email": "bob@example.com"}))  # fmt: skip
        answers.append(client.post("/accounts/password-reset/", {"email": "bob@example.com"}))
        client.force_login(facilitator)
        answers.append(client.post(retro.url("meeting-start")))
        answers.append(client.post(retro.url("meeting-end"), {"unpresented": "confirmed"}))

    assert [a.status_code for a in answers] == [302, 200, 302, 302, 302]
    owed = Message.objects.filter(kind__in=Message.CONSEQUENCES)
    assert sorted(owed.values_list("kind", flat=True)) == sorted(
        [Kind.INVITATION, Kind.FRESH_LINK, Kind.PASSWORD_RESET] + [Kind.SUMMARY] * 3
    )
    # Each was tried at once (the nudge after the commit) and kept for later.
    assert set(owed.values_list("state", "attempts")) == {(Message.State.PENDING, 1)}
    assert all("Connection refused" in e for e in owed.values_list("last_error", flat=True))

    back = harness.SmtpSink(port=port).start()
    try:
        time_machine.shift(dt.timedelta(minutes=1))  # past the first backoff
        dispatch.tick(plan=False)
        dispatch.tick(plan=False)  # a second sweep sends nothing twice

        assert set(owed.values_list("state", flat=True)) == {Message.State.SENT}
        assert back.duplicates() == {}
        assert sorted(back.counts()) == sorted(m.message_id for m in owed)
        recipients = sorted(r.to for r in back.received)
        assert recipients == sorted(["ana@example.com", "bob@example.com", "bob@example.com",
                                     "alice@example.com", "bob@example.com", "carol@example.com"])  # fmt: skip
    finally:
        back.stop()


def test_a_message_that_keeps_failing_shows_on_the_failures_page(
    client, meeting, team_admin, org_admin, smtp_sink, time_machine,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    time_machine.move_to(NOW, tick=False)
    smtp_sink.fail_always(code=550)
    client.force_login(team_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/teams/sales/invitations/", {"emails": "ana@example.com", "role": "member"})

    invitation = Message.objects.get(kind=Kind.INVITATION)
    assert invitation.state == Message.State.FAILED_PERMANENT
    client.force_login(org_admin)
    page = client.get(reverse("reminders:failures")).content.decode()
    assert "Invitation to Sales" in page
    assert "ana@example.com" in page


def test_resending_an_invitation_drops_the_unsent_one_for_the_old_link(
    meeting, team, team_admin, time_machine
):
    invitation = services.invite(team=team, emails=["ana@example.com"], role="member",
                                 invited_by=team_admin)  # fmt: skip
    first = Message.objects.get(kind=Kind.INVITATION)

    services.resend_invitation(invitation=Invitation.objects.get())

    first.refresh_from_db()
    assert first.state == Message.State.SKIPPED_SUPERSEDED
    assert Message.objects.filter(kind=Kind.INVITATION, state=Message.State.PENDING).count() == 1
    assert invitation.invited == ["ana@example.com"]


def test_every_change_to_a_message_moves_its_updated_at(team, member, time_machine):
    """The planner, snooze and the dispatcher change rows with update(), which
    auto_now alone would leave at the time the row was made."""
    from tests.factories import MeetingFactory

    time_machine.move_to(dt.datetime(2026, 6, 1, 7, 0, tzinfo=dt.UTC), tick=False)
    due = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
    row = Message.objects.create(
        meeting=MeetingFactory(team=team), user=member, offset=60, due_at=due, next_attempt_at=due
    )
    time_machine.move_to(dt.datetime(2026, 6, 1, 7, 5, tzinfo=dt.UTC), tick=False)

    Message.objects.filter(pk=row.pk).update(state=Message.State.SKIPPED_SUPERSEDED)

    row.refresh_from_db()
    assert row.updated_at == dt.datetime(2026, 6, 1, 7, 5, tzinfo=dt.UTC)
