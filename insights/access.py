"""Insights as the current user may see them: their teams' only (all for
organisation admins). Another team's insight or customer is a 404."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from meetings.access import TeamAccess
from meetings.models import Team

from .models import Customer, Insight


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
