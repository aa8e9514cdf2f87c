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


@pytest.fixture
def stalled_broker():
    """A TCP server that accepts connections and never answers: a Redis that was
    stopped (SIGSTOP) or is swapping looks like this from outside."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_healthz_answers_within_its_budget_when_the_broker_stalls(
    client, monkeypatch, stalled_broker
):
    import time

    monkeypatch.setitem(celery_app.conf, "broker_url", stalled_broker)

    began = time.monotonic()
    response = client.get("/healthz")
    took = time.monotonic() - began

    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert took < 4, f"took {took:.1f} s; the compose probe gives up at 8"


def test_healthz_counts_rows_stranded_in_sending_as_lag(client, team, member):
    import datetime as dt

    from django.utils import timezone

    from reminders.models import Message
    from tests.factories import MeetingFactory

    # Claimed three minutes ago by a worker that died; its lease hasn't run out yet.
    due = timezone.now() - dt.timedelta(minutes=3)
    Message.objects.create(
        meeting=MeetingFactory(team=team), user=member, offset=120, due_at=due,
        next_attempt_at=due, state=Message.State.SENDING, attempts=1,
        lease_until=timezone.now() + dt.timedelta(seconds=20),
    )  # fmt: skip

    body = client.get("/healthz").json()

    assert body["reminder_lag_seconds"] >= 180
    assert body["reminders_stuck"] == 0
