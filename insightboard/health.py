"""Liveness of the two things InsightBoard cannot work without."""

from __future__ import annotations

import logging

from django.db import connection

from .celery import app as celery_app

log = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        log.warning("health: database unreachable", exc_info=True)
        return False


def broker_ok(timeout: float = 2.0) -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=timeout
            )
            return True
    except Exception:
        log.warning("health: broker unreachable", exc_info=True)
        return False


def reminder_figures() -> dict:
    """How far behind the reminder dispatcher is, and rows stuck past their lease."""
    from reminders.dispatch import backlog

    lag, stuck = backlog()
    return {
        "reminder_lag_seconds": int(lag.total_seconds()) if lag else 0,
        "reminders_stuck": stuck,
    }
