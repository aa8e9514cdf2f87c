from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="meetings.materialise_series", ignore_result=True)
def materialise_series() -> int:
    """Keep every series' meetings created a few weeks ahead (idempotent sweep)."""
    return services.materialise_all_series()
