"""Insights and customers as the current user may see them.

Customers are the organisation's: anyone signed in sees every customer, with how
many insights each team brought and when. Reading another team's insights depends
on the organisation admins' one setting (Sharing): in full by default, or counts and
dates only, when another team's insight is a 404. Meetings, rounds and actions never
cross teams (meetings/access.py)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from meetings.access import TeamAccess, in_meeting
from meetings.models import Meeting, Membership, Team

from .models import Action, Customer, CustomerAlias, Insight, Sharing

CUSTOMER_EDITORS_ONLY = (
    "A customer is renamed or merged by the facilitators of the teams that heard from it, "
    "or, when several teams' facilitators are involved, by an organisation admin."
)


def own_teams(user):
    return Team.objects.filter(memberships__user=user)


def reads_other_teams(user, sharing: Sharing | None = None) -> bool:
    """Whether this person reads other teams' insights in full."""
    return user.is_staff or (sharing or Sharing.current()).shares_insights


def readable_insights(user, sharing: Sharing | None = None):
    """Every insight this person may read: their teams' (and their own, as a guest),
    and the others' unless the organisation shares only counts."""
    insights = Insight.objects.all()
    if reads_other_teams(user, sharing):
        return insights
    return insights.filter(Q(team__in=own_teams(user)) | Q(author=user))


def access_insight(user, slug: str, insight_id: int) -> Insight:
    return get_object_or_404(
        readable_insights(user).select_related("author", "customer", "meeting__team", "team"),
        team__slug=slug,
        pk=insight_id,
    )


def access_customer(customer_id: int) -> Customer:
    return get_object_or_404(Customer, pk=customer_id)


def merged_into(customer_id: int) -> Customer | None:
    """The customer one that was merged away became, if it was."""
    alias = CustomerAlias.objects.filter(former_id=customer_id).select_related("customer")
    return alias[0].customer if alias else None


def can_edit_customer(user, customer: Customer) -> bool:
    """Renaming and merging change every team's list. A customer only your teams heard
    from (a typo is usually one person's) is yours to fix if you facilitate them all;
    one other teams hear from too belongs to the organisation admins."""
    if user.is_staff:
        return True
    heard_by = set(customer.insights.order_by().values_list("team_id", flat=True).distinct())
    facilitated = set(
        Membership.objects.filter(
            user=user, role__in=[Membership.Role.FACILITATOR, Membership.Role.ADMIN]
        ).values_list("team_id", flat=True)
    )
    return bool(heard_by) and heard_by <= facilitated


def access_customer_to_edit(user, customer_id: int) -> Customer:
    customer = access_customer(customer_id)
    if not can_edit_customer(user, customer):
        raise PermissionDenied(CUSTOMER_EDITORS_ONLY)
    return customer


def access_meeting_insight(meeting: Meeting, insight_id: int) -> Insight:
    return in_meeting(Insight.objects.filter(meeting=meeting), meeting, insight_id)


def access_action(access: TeamAccess, action_id: int) -> Action:
    return get_object_or_404(
        Action.objects.select_related("meeting__team"), meeting__team=access.team, pk=action_id
    )
