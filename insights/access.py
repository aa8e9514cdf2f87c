"""Insights as the current user may see them: their teams' only (all for
organisation admins). Another team's insight or customer is a 404."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from meetings.access import TeamAccess, in_meeting
from meetings.models import Meeting, Team

from .models import Action, Customer, Insight


def visible_insights(user):
    insights = Insight.objects.all()
    if not user.is_staff:
        insights = insights.filter(team__in=Team.objects.filter(memberships__user=user))
    return insights


def access_insight(access: TeamAccess, insight_id: int) -> Insight:
    return get_object_or_404(
        Insight.objects.select_related("author", "customer", "meeting__team", "team"),
        team=access.team,
        pk=insight_id,
    )


def access_customer(access: TeamAccess, customer_id: int) -> Customer:
    return get_object_or_404(Customer, team=access.team, pk=customer_id)


def access_meeting_insight(meeting: Meeting, insight_id: int) -> Insight:
    return in_meeting(Insight.objects.filter(meeting=meeting), meeting, insight_id)


def access_action(access: TeamAccess, action_id: int) -> Action:
    return get_object_or_404(
        Action.objects.select_related("meeting__team"), meeting__team=access.team, pk=action_id
    )
