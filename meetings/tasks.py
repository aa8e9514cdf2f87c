"""Thin periodic tasks: each an idempotent sweep over the database."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="meetings.materialise_series", ignore_result=True)
def materialise_series() -> int:
    """Keep every series' meetings created a few weeks ahead."""
    return services.materialise_all_series()


@shared_task(name="meetings.close_overdue", ignore_result=True, soft_time_limit=240, time_limit=300)
def close_overdue() -> int:
    """End the meetings nobody ended by hand, once their grace period is over."""
    return services.close_overdue_meetings()
