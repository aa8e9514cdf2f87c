from __future__ import annotations

import os

import pytest

from insightboard.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_database_and_broker_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok", "database": "ok", "broker": "ok",
        "reminder_lag_seconds": 0, "reminders_stuck": 0,
    }  # fmt: skip


def test_healthz_is_503_when_the_broker_is_unreachable(client, monkeypatch):
    # Nothing listens on port 1: the connection is refused at once.
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert (response.json()["database"], response.json()["broker"]) == ("ok", "down")


def test_healthz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("connection refused")

    # Stand-in for a database that went away: the cursor can't be opened.
    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.redis
def test_healthz_checks_the_real_redis_broker(client, monkeypatch):
    monkeypatch.setitem(celery_app.conf, "broker_url", os.environ["REDIS_URL"])

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


def test_healthz_needs_no_login_and_is_never_cached(client):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_reminder_lag(client, meeting_with_overdue_reminder):
    body = client.get("/healthz").json()

    assert body["reminder_lag_seconds"] >= 300
    assert body["reminders_stuck"] == 0


@pytest.fixture
def meeting_with_overdue_reminder(team, member):
    import datetime as dt

    from django.utils import timezone

    from reminders.models import Message
    from tests.factories import MeetingFactory

    meeting = MeetingFactory(team=team)
    overdue = timezone.now() - dt.timedelta(minutes=5)
    return Message.objects.create(
        meeting=meeting, user=member, offset=120, due_at=overdue, next_attempt_at=overdue
    )
