"""Thin tasks: they take no arguments and call one plain function. The work is
idempotent sweeps over the database, so a redelivered or doubled task is harmless."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import dispatch as dispatcher
from . import planner, services

# Extra dispatch tasks when a tick finds more due than one batch: workers share it.
FAN_OUT = 2


@shared_task(name="reminders.tick", ignore_result=True, soft_time_limit=50, time_limit=60)
def tick() -> dict:
    """Every 30 s from beat: plan what is owed, then send what is due. With a backlog,
    more dispatchers are asked for first, so every worker process helps at once."""
    planned = planner.plan()
    if dispatcher.due_count() > dispatcher.BATCH:
        for _ in range(FAN_OUT):
            dispatch.delay()
    sweep = dispatcher.tick(budget=40, plan=False)
    sweep.planned = planned
    return sweep.outcomes


@shared_task(name="reminders.dispatch", ignore_result=True, soft_time_limit=50, time_limit=60)
def dispatch() -> dict:
    """Send what is due now: fanned out by tick, and nudged when a message is queued."""
    return dispatcher.tick(budget=40, plan=False).outcomes


@shared_task(
    name="reminders.early_warnings", ignore_result=True, soft_time_limit=240, time_limit=300
)
def early_warnings() -> int:
    """Daily: the weekly early warning about decaying teams (once a week per person)."""
    return services.queue_early_warnings(timezone.localdate())
