"""Liveness of the two things InsightBoard cannot work without."""

from __future__ import annotations

import logging

import redis
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
    """Within `timeout` whatever happens: a Redis that accepts the connection but
    doesn't answer (stopped, swapping) is asked with a read timeout too, not just a
    connect timeout (kombu's would leave the socket's 10-second default)."""
    url = celery_app.conf.broker_url
    try:
        if url.startswith(("redis://", "rediss://")):
            client = redis.Redis.from_url(url, socket_timeout=timeout,
                                          socket_connect_timeout=timeout)  # fmt: skip
            try:
                return bool(client.ping())
            finally:
                client.close()
        with celery_app.connection_for_write() as conn:  # the embedded broker: a folder
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
