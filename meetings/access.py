"""Load objects the way the current user may see them.

Every view goes through these: another team's object is a 404 (its existence is
not revealed), a role too low for the action is a 403. Organisation admins
(is_staff) act as team admins everywhere. Nothing here trusts an id from a form
or a query string to choose the team: the team comes from the URL."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import User

from .models import (
    ROLE_RANK,
    Action,
    AgendaItem,
    Attendance,
    Invitation,
    Meeting,
    Membership,
    Series,
    Team,
)

Role = Membership.Role


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


def access_team(user: User, slug: str, *, role: str = Role.MEMBER) -> TeamAccess:
    membership = (
        Membership.objects.select_related("team").filter(team__slug=slug, user=user).first()
    )
    if membership is not None:
        access = TeamAccess(team=membership.team, user=user, membership=membership)
    elif user.is_staff:
        team = Team.objects.filter(slug=slug).first()
        if team is None:
            raise Http404("No such team.")
        access = TeamAccess(team=team, user=user, membership=None)
    else:
        raise Http404("No such team.")
    if access.rank < ROLE_RANK[role]:
        raise PermissionDenied(f"Only a team {Role(role).label.lower()} can do this.")
    return access


def access_membership(access: TeamAccess, membership_id: int) -> Membership:
    membership = (
        Membership.objects.select_related("user").filter(team=access.team, pk=membership_id).first()
    )
    if membership is None:
        raise Http404("No such member.")
    return membership


def access_invitation(access: TeamAccess, invitation_id: int) -> Invitation:
    invitation = Invitation.objects.filter(team=access.team, pk=invitation_id).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def access_meeting(access: TeamAccess, meeting_id: int) -> Meeting:
    meeting = (
        Meeting.objects.select_related("team", "series", "facilitator")
        .filter(team=access.team, pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def access_agenda_item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = meeting.agenda_items.filter(pk=item_id).first()
    if item is None:
        raise Http404("No such agenda item.")
    item.meeting = meeting
    return item


def access_attendance(meeting: Meeting, attendance_id: int) -> Attendance:
    attendance = meeting.attendances.select_related("user").filter(pk=attendance_id).first()
    if attendance is None:
        raise Http404("No such attendee.")
    attendance.meeting = meeting
    return attendance


def access_meeting_insight(meeting: Meeting, insight_id: int):
    insight = meeting.insights.filter(pk=insight_id).first()
    if insight is None:
        raise Http404("No such insight.")
    insight.meeting = meeting
    return insight


def access_action(access: TeamAccess, action_id: int) -> Action:
    action = (
        Action.objects.select_related("meeting")
        .filter(meeting__team=access.team, pk=action_id)
        .first()
    )
    if action is None:
        raise Http404("No such action.")
    return action


def access_series(access: TeamAccess, series_id: int) -> Series:
    series = Series.objects.select_related("team").filter(team=access.team, pk=series_id).first()
    if series is None:
        raise Http404("No such series.")
    return series
