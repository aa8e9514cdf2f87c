"""Load objects the way the current user may see them.

Every view goes through these: another team's object is a 404 (its existence is
not revealed), a role too low for the action is a 403. Organisation admins
(is_staff) act as team admins everywhere. Nothing here trusts an id from a form
or a query string to choose the team: the team comes from the URL."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Away, User

from .models import (
    ROLE_RANK,
    AgendaItem,
    Attendance,
    Invitation,
    Meeting,
    Membership,
    Series,
    Team,
)

Role = Membership.Role
# Who invites people into a team, and resends and revokes its invitations.
INVITES = Role.ADMIN


@dataclass(frozen=True)
class TeamAccess:
    team: Team
    user: User
    membership: Membership | None  # None for an organisation admin outside the team

    @property
    def rank(self) -> int:
        if self.user.is_staff:
            return ROLE_RANK[Role.ADMIN]
        return self.membership.rank if self.membership else 0

    @property
    def can_facilitate(self) -> bool:
        return self.rank >= ROLE_RANK[Role.FACILITATOR]

    @property
    def can_admin(self) -> bool:
        return self.rank >= ROLE_RANK[Role.ADMIN]

    @property
    def can_invite(self) -> bool:
        return self.rank >= ROLE_RANK[INVITES]


def access_team(user: User, slug: str, *, role: str = Role.MEMBER) -> TeamAccess:
    membership = (
        Membership.objects.select_related("team").filter(team__slug=slug, user=user).first()
    )
    if membership is not None:
        access = TeamAccess(team=membership.team, user=user, membership=membership)
    elif user.is_staff:
        access = TeamAccess(team=get_object_or_404(Team, slug=slug), user=user, membership=None)
    else:
        raise Http404("No such team.")
    if access.rank < ROLE_RANK[role]:
        raise PermissionDenied(f"Only a team {Role(role).label.lower()} can do this.")
    return access


def inviters(team: Team, *, most: int = 4) -> list[str]:
    """Who can invite people into the team, named for those who can't: its members
    whose role invites, then organisation admins (who can in every team)."""
    roles = [role for role in Role if ROLE_RANK[role] >= ROLE_RANK[INVITES]]
    in_team = list(
        team.memberships.filter(role__in=roles, user__is_active=True)
        .order_by("user__name")
        .values_list("user_id", "user__name", "role")[:most]
    )
    org_admins = (
        User.objects.filter(is_staff=True, is_active=True)
        .exclude(pk__in=[user_id for user_id, _, _ in in_team])
        .order_by("name")
        .values_list("name", flat=True)
    )
    return [f"{name} ({Role(role).label.lower()})" for _, name, role in in_team] + [
        f"{name} (organisation admin)" for name in org_admins[: most - len(in_team)]
    ]


def access_membership(access: TeamAccess, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"), team=access.team, pk=membership_id
    )


def access_away(access: TeamAccess, membership: Membership, away_id: int) -> Away:
    """An away period the team set for one of its members. The person's own periods
    are theirs to change, and another team's are not this team's to see: a 404."""
    return get_object_or_404(Away, team=access.team, user_id=membership.user_id, pk=away_id)


def access_invitation(access: TeamAccess, invitation_id: int) -> Invitation:
    return get_object_or_404(Invitation, team=access.team, pk=invitation_id)


def access_meeting(access: TeamAccess, meeting_id: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("team", "series", "facilitator"),
        team=access.team,
        pk=meeting_id,
    )


def in_meeting(related, meeting: Meeting, pk: int):
    """One of a meeting's own rows (its agenda item, attendee, insight): another
    meeting's id is a 404. The meeting is attached, so nothing loads it again."""
    obj = get_object_or_404(related, pk=pk)
    obj.meeting = meeting
    return obj


def access_agenda_item(meeting: Meeting, item_id: int) -> AgendaItem:
    return in_meeting(meeting.agenda_items, meeting, item_id)


def access_attendance(meeting: Meeting, attendance_id: int) -> Attendance:
    return in_meeting(meeting.attendances.select_related("user"), meeting, attendance_id)


def access_series(access: TeamAccess, series_id: int) -> Series:
    return get_object_or_404(Series.objects.select_related("team"), team=access.team, pk=series_id)
