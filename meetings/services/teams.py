"""Teams, roles and invitations."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Away

from ..models import (
    INVITATION_TTL,
    Attendance,
    Invitation,
    Meeting,
    Membership,
    Team,
    invitation_key,
)
from ..signals import invitation_sent
from .attendance import excuse_away

# --- Teams and roles ------------------------------------------------------------

LAST_ADMIN = "A team needs at least one team admin. Make someone else admin first."


@transaction.atomic
def create_team(*, name: str, slug: str, time_zone: str, created_by) -> Team:
    """An organisation admin opens a team; they are its first team admin."""
    team = Team.objects.create(name=name, slug=slug, time_zone=time_zone)
    Membership.objects.create(team=team, user=created_by, role=Membership.Role.ADMIN)
    return team


def _guard_last_admin(membership: Membership) -> None:
    # Lock the team's admin rows: two admins demoting each other at once
    # must not both succeed and leave the team with none. Those rows only (`of`):
    # Membership's ordering joins the users, whose rows a plain FOR UPDATE would lock.
    admins = list(
        Membership.objects.select_for_update(of=("self",))
        .filter(team_id=membership.team_id)
        .admins()
    )
    if [a.pk for a in admins] == [membership.pk]:
        raise ValidationError(LAST_ADMIN, code="last_admin")


@transaction.atomic
def change_role(*, membership: Membership, role: str) -> Membership:
    """A team admin gives someone another role in the team."""
    if membership.role == Membership.Role.ADMIN and role != Membership.Role.ADMIN:
        _guard_last_admin(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(*, membership: Membership) -> None:
    """Someone leaves the team. Their past insights stay, attributed to them;
    their place in meetings that haven't happened yet goes."""
    if membership.role == Membership.Role.ADMIN:
        _guard_last_admin(membership)
    Attendance.objects.filter(
        meeting__team_id=membership.team_id,
        meeting__status=Meeting.Status.SCHEDULED,
        meeting__starts_at__gt=timezone.now(),
        user_id=membership.user_id,
    ).delete()
    membership.delete()


# --- Invitations ----------------------------------------------------------------

INVITATION_SALT = "meetings.invitation"


def invitation_link(invitation: Invitation) -> str:
    token = signing.dumps({"i": invitation.pk, "k": invitation.key}, salt=INVITATION_SALT)
    return settings.SITE_URL + reverse("meetings:invitation-accept", args=[token])


def invitation_from_link(token: str) -> Invitation | None:
    """The invitation a link names, in whatever state, or None for a bad or old link
    (a resend changes the key, so only the latest link names it)."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_TTL.total_seconds())
        return Invitation.objects.select_related("team", "invited_by").get(
            pk=data["i"], key=data["k"]
        )
    except (signing.BadSignature, KeyError, TypeError, Invitation.DoesNotExist):
        return None


def find_invitation(token: str) -> Invitation | None:
    """The pending invitation a link names, or None for any bad, old, used or revoked link."""
    invitation = invitation_from_link(token)
    if invitation is None or not invitation.is_pending or invitation.expires_at < timezone.now():
        return None
    return invitation


def _send_invitation(invitation: Invitation) -> None:
    # The outbox (reminders) queues the e-mail in this transaction and sends it with retries.
    invitation_sent.send(sender=Invitation, invitation=invitation)


@dataclass
class InviteOutcome:
    invited: list[str] = field(default_factory=list)
    resent: list[str] = field(default_factory=list)
    already_members: list[str] = field(default_factory=list)


@transaction.atomic
def invite(*, team: Team, emails: list[str], role: str, invited_by) -> InviteOutcome:
    """A team admin invites people by e-mail; a pending invitation is sent again."""
    outcome = InviteOutcome()
    members = {e.lower() for e in team.memberships.values_list("user__email", flat=True)}
    for email in dict.fromkeys(e.strip().lower() for e in emails if e.strip()):
        if email in members:
            outcome.already_members.append(email)
            continue
        invitation = (
            Invitation.objects.select_for_update()
            .pending()
            .filter(team=team, email__iexact=email)
            .first()
        )
        if invitation is None:
            invitation = Invitation.objects.create(
                team=team, email=email, role=role, invited_by=invited_by
            )
            outcome.invited.append(email)
        else:
            invitation.role = role
            invitation.key = invitation_key()
            invitation.sent_at = timezone.now()
            invitation.invited_by = invited_by
            invitation.save(update_fields=["role", "key", "sent_at", "invited_by"])
            outcome.resent.append(email)
        _send_invitation(invitation)
    return outcome


@transaction.atomic
def resend_invitation(*, invitation: Invitation) -> Invitation:
    """Send a fresh link; the old one stops working."""
    invitation.key = invitation_key()
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["key", "sent_at"])
    _send_invitation(invitation)
    return invitation


def revoke_invitation(*, invitation: Invitation) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user) -> Membership:
    """The invitee joins the team. Single use: the row is locked and re-checked."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError(INVITATION_USED, code="invitation_used")
    membership, created = Membership.objects.get_or_create(
        team_id=invitation.team_id, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    if created:
        _add_to_upcoming_meetings(membership)
    return membership


INVITATION_USED = "This invitation has already been used."


def _add_to_upcoming_meetings(membership: Membership) -> None:
    """A new member is expected at the team's scheduled series meetings."""
    upcoming = Meeting.objects.filter(
        team_id=membership.team_id,
        series__isnull=False,
        status=Meeting.Status.SCHEDULED,
        starts_at__gt=timezone.now(),
    )
    Attendance.objects.bulk_create(
        [Attendance(meeting=m, user_id=membership.user_id) for m in upcoming],
        ignore_conflicts=True,
    )
    for away in Away.objects.filter(user_id=membership.user_id).current_or_future(
        timezone.localdate()
    ):
        excuse_away(away=away)
