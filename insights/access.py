"""Insights as the current user may see them: their teams' only (all for
organisation admins). Another team's insight or customer is a 404."""

from __future__ import annotations

from django.http import Http404

from meetings.access import TeamAccess
from meetings.models import Team

from .models import Customer, Insight


def visible_insights(user):
    insights = Insight.objects.all()
    if not user.is_staff:
        insights = insights.filter(team__in=Team.objects.filter(memberships__user=user))
    return insights


def access_insight(access: TeamAccess, insight_id: int) -> Insight:
    insight = (
        Insight.objects.select_related("author", "customer", "meeting__team", "team")
        .filter(team=access.team, pk=insight_id)
        .first()
    )
    if insight is None:
        raise Http404("No such insight.")
    return insight


def access_customer(access: TeamAccess, customer_id: int) -> Customer:
    customer = Customer.objects.filter(team=access.team, pk=customer_id).first()
    if customer is None:
        raise Http404("No such customer.")
    return customer
