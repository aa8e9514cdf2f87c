"""The reminders' part of the participation dashboards (insights/participation.py
defines the rest)."""

from __future__ import annotations

from django.db.models import Count

from insights.participation import Period

from .models import Message


def reminders_sent(period: Period, team_ids: list[int]) -> dict[int, int]:
    """Reminders that went out before the period's held meetings, per team (one query)."""
    rows = (
        Message.objects.filter(
            kind__in=Message.BEFORE_START,
            state=Message.State.SENT,
            meeting__team_id__in=team_ids,
            meeting__result__local_date__gte=period.start,
            meeting__result__local_date__lte=period.end,
        )
        .values_list("meeting__team_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)
