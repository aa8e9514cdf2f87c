from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail

from accounts.models import User
from meetings import services
from meetings.forms import BAD_EMAILS
from meetings.models import INVITATION_TTL, Invitation, Membership
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def invite(client, emails: str, role: str = "member"):
    return client.post("/teams/sales/invitations/", {"emails": emails, "role": role}, follow=True)


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/invitations/\S+/)", message.body).group(1)


@pytest.fixture
def admin_client(client, team_admin):
    client.force_login(team_admin)
    return client


def test_team_admin_invites_several_people_at_once(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(admin_client, "ana@example.com, Li@Example.com\nmo@example.com")

    assert "Invitation sent to ana@example.com, li@example.com, mo@example.com" in (
        response.content.decode()
    )
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ana@example.com", "li@example.com", "mo@example.com",
    ]  # fmt: skip
    message = mail.outbox[0]
    assert "Carol Admin invites you to Sales" in message.subject
    assert message.alternatives[0][1] == "text/html"
    assert link_in(message) in message.alternatives[0][0]


def test_invitation_link_creates_an_account_and_joins_the_team(
    client, team, team_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(
            team=team, emails=["ana@example.com"], role="facilitator", invited_by=team_admin
        )
    link = link_in(mail.outbox[0])

    page = client.get(link)
    assert page.status_code == 200
    assert "Create your account for ana@example.com" in page.content.decode()
    response = client.post(
        link,
        {"name": "Ana Silva", "password1": "a-long-new-secret-9", "time_zone": "Europe/Lisbon"},
    )

    assert response["Location"] == "/teams/sales/"
    ana = User.objects.get(email="ana@example.com")
    assert ana.time_zone == "Europe/Lisbon"
    assert ana.memberships.get(team=team).role == Membership.Role.FACILITATOR
    assert client.get("/teams/sales/").status_code == 200  # logged in


def test_invitation_link_works_only_once(client, team, team_admin):
    services.invite(team=team, emails=["ana@example.com"], role="member", invited_by=team_admin)
    link = services.invitation_link(Invitation.objects.get())
    client.post(link, {"name": "Ana", "password1": "a-long-new-secret-9", "time_zone": "UTC"})
    client.logout()

    again = client.get(link.removeprefix("http://localhost:8000"))

    assert again.status_code == 410
    assert "This invitation has been used" in again.content.decode()
    assert Membership.objects.filter(team=team, user__email="ana@example.com").count() == 1


def test_a_used_invitation_opened_by_its_new_member_leads_to_the_team(client, team, team_admin):
    services.invite(team=team, emails=["ana@example.com"], role="member", invited_by=team_admin)
    link = services.invitation_link(Invitation.objects.get()).removeprefix("http://localhost:8000")
    client.post(link, {"name": "Ana", "password1": "a-long-new-secret-9", "time_zone": "UTC"})

    again = client.get(link)

    assert again.status_code == 302
    assert again["Location"] == "/teams/sales/"


def test_a_used_invitation_opened_by_someone_else_still_says_it_no_longer_works(
    client, team, team_admin, outsider
):
    services.invite(team=team, emails=["ana@example.com"], role="member", invited_by=team_admin)
    link = services.invitation_link(Invitation.objects.get()).removeprefix("http://localhost:8000")
    client.post(link, {"name": "Ana", "password1": "a-long-new-secret-9", "time_zone": "UTC"})
    client.logout()
    client.force_login(outsider)

    again = client.get(link)

    assert again.status_code == 410
    assert "This invitation has been used" in again.content.decode()


def test_weak_password_is_explained_and_nothing_is_created(client, team, team_admin):
    services.invite(team=team, emails=["ana@example.com"], role="member", invited_by=team_admin)
    link = services.invitation_link(Invitation.objects.get())

    response = client.post(link, {"name": "Ana", "password1": "123", "time_zone": "UTC"})

    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not User.objects.filter(email="ana@example.com").exists()
    assert Invitation.objects.get().is_pending


def test_an_existing_account_logs_in_then_joins(client, team, team_admin, other_team):
    dave = UserFactory(email="dave@example.com", name="Dave")
    services.invite(team=team, emails=["DAVE@example.com"], role="member", invited_by=team_admin)
    link = services.invitation_link(Invitation.objects.get())

    page = client.get(link)
    assert "Log in to join" in page.content.decode()
    client.post(
        f"/accounts/login/?next={link}", {"username": "dave@example.com", "password": PASSWORD}
    )
    client.post(link)

    assert dave.memberships.filter(team=team).exists()


def test_someone_logged_in_as_another_address_cannot_use_the_link(client, team, team_admin, member):
    services.invite(team=team, emails=["ana@example.com"], role="admin", invited_by=team_admin)
    link = services.invitation_link(Invitation.objects.get())
    client.force_login(member)

    response = client.post(link)

    assert response.status_code == 403
    assert member.memberships.get(team=team).role == Membership.Role.MEMBER
    assert Invitation.objects.get().is_pending


def test_expired_invitation_link_is_refused(client, team, team_admin, time_machine):
    time_machine.move_to(dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC), tick=False)
    services.invite(team=team, emails=["ana@example.com"], role="member", invited_by=team_admin)
    link = services.invitation_link(Invitation.objects.get())

    time_machine.shift(INVITATION_TTL - dt.timedelta(minutes=1))
    assert client.get(link).status_code == 200

    time_machine.shift(dt.timedelta(minutes=2))
    assert client.get(link).status_code == 410


def test_resending_makes_the_old_link_stop_working(client, team, team_admin):
    services.invite(team=team, emails=["ana@example.com"], role="member", invited_by=team_admin)
    invitation = Invitation.objects.get()
    old = services.invitation_link(invitation)

    services.resend_invitation(invitation=invitation)

    assert client.get(old).status_code == 410
    assert client.get(services.invitation_link(invitation)).status_code == 200


def test_revoked_invitation_link_is_refused(admin_client, client, team, team_admin):
    services.invite(team=team, emails=["ana@example.com"], role="member", invited_by=team_admin)
    invitation = Invitation.objects.get()
    link = services.invitation_link(invitation)

    admin_client.post(f"/teams/sales/invitations/{invitation.pk}/revoke/")
    admin_client.logout()

    assert client.get(link).status_code == 410


@pytest.mark.parametrize("token", ["garbage", "eyJpIjoxfQ:1abc:def", "a" * 300])
def test_a_tampered_link_shows_the_same_clear_page(client, token, db):
    response = client.get(f"/invitations/{token}/")

    assert response.status_code == 410
    assert "This invitation link no longer works" in response.content.decode()


def test_pending_invitations_are_listed_and_resent(admin_client, team, team_admin):
    services.invite(team=team, emails=["ana@example.com"], role="member", invited_by=team_admin)
    invitation = Invitation.objects.get()
    mail.outbox.clear()

    assert "ana@example.com" in admin_client.get("/teams/sales/").content.decode()
    response = admin_client.post(f"/teams/sales/invitations/{invitation.pk}/resend/", follow=True)

    assert "A fresh link is on its way to ana@example.com" in response.content.decode()


def test_inviting_again_resends_instead_of_duplicating(admin_client, team):
    invite(admin_client, "ana@example.com")
    response = invite(admin_client, "ana@example.com")

    assert Invitation.objects.pending().count() == 1
    assert "Invitation sent again to ana@example.com" in response.content.decode()


def test_inviting_a_current_member_says_so(admin_client, member):
    response = invite(admin_client, "bob@example.com")

    assert "Already in the team: bob@example.com" in response.content.decode()
    assert not Invitation.objects.exists()


def test_bad_addresses_are_named_next_to_the_field_and_nobody_is_invited(admin_client):
    response = invite(admin_client, "ana@example.com, not-an-address, x@")

    html = response.content.decode()
    assert BAD_EMAILS % {"emails": "not-an-address, x@"} in html.replace("&#x27;", "'")
    assert not Invitation.objects.exists()


def test_members_cannot_invite(client, member):
    client.force_login(member)

    assert invite(client, "ana@example.com").status_code == 403
    assert not Invitation.objects.exists()
