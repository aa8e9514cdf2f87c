"""Message delivery with real parts: PostgreSQL (SKIP LOCKED), a real SMTP server,
real Celery worker and beat processes on Redis. Each test makes its meetings, then
lets the machinery work and counts, by Message-ID, what the SMTP server accepted.

The promise under test: nothing due is lost, and nothing is sent twice except in
the one documented window (a crash after the server accepted a message and before
its row was marked sent), which test_a_killed_worker_… measures."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import subprocess
import sys
import threading
import time
import uuid

import pytest
import redis
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import User
from insightboard.celery import app as celery_app
from insights.services import submit_insight
from meetings import services
from meetings.models import Meeting, Membership
from reminders import channels, dispatch, planner
from reminders.models import Message
from tests.factories import CustomerFactory, TeamFactory

from . import harness

S = Message.State
OPEN = [S.PENDING, S.SENDING]


# --- Helpers ----------------------------------------------------------------------


def due_meetings(*, meetings: int, attendees: int,
                 starts_in: dt.timedelta = dt.timedelta(minutes=10),
                 offsets: tuple[int, ...] = (15,)) -> list[Meeting]:  # fmt: skip
    """A team of `attendees` people with `meetings` meetings starting in `starts_in`.
    With the default single 15-minute stage each attendee of each meeting is owed
    one (final) reminder that is already due."""
    team = TeamFactory(reminder_offsets=list(offsets))
    tag = uuid.uuid4().hex[:8]
    users = User.objects.bulk_create(
        User(email=f"attendee{i}-{tag}@example.com", name=f"Attendee {i}", password="!")
        for i in range(attendees)
    )
    Membership.objects.bulk_create(Membership(team=team, user=u) for u in users)
    starts_at = timezone.now() + starts_in
    return [
        services.create_meeting(
            team=team, title=f"Round {i}", starts_at=starts_at, duration_minutes=30
        )
        for i in range(meetings)
    ]


def states(**filters) -> dict[str, int]:
    counts: dict[str, int] = {}
    for state in Message.objects.filter(**filters).values_list("state", flat=True):
        counts[state] = counts.get(state, 0) + 1
    return counts


def message_ids(**filters) -> set[str]:
    return {r.message_id for r in Message.objects.filter(**filters).only("pk")}


def enqueue(task: str, times: int = 1, *, broker_url: str) -> None:
    """Publish a task by name to the given broker, as beat does."""
    with celery_app.connection_for_write(broker_url) as conn:
        for _ in range(times):
            celery_app.send_task(task, connection=conn)


@contextlib.contextmanager
def ticking(broker_url: str, every: float = 1.0):
    """Beat's tick (every 30 s in production) every second, from a thread, while the
    test injects its faults; a tick that can't be published is beat missing one."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every):
            with contextlib.suppress(OperationalError):
                enqueue("reminders.tick", broker_url=broker_url)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(10)


def wait_until_settled(expected: int, *, timeout: float) -> None:
    """Until `expected` rows exist and none is pending or sending."""

    def settled() -> bool:
        return (
            Message.objects.count() >= expected
            and not Message.objects.filter(state__in=OPEN).exists()
        )

    harness.wait_until(settled, timeout=timeout, interval=0.25,
                       what=f"{expected} reminders to settle, now {states()}")  # fmt: skip


def assert_each_sent_exactly_once(sink: harness.SmtpSink, expected: int) -> None:
    counts = sink.counts()
    owed = message_ids(state=S.SENT)
    assert states() == {S.SENT: expected}
    assert set(counts) == owed, "the server got exactly the rows marked sent"
    assert sink.duplicates() == {}
    assert len(sink.received) == expected


# --- Concurrent sweeps -------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_reminder_exactly_once(smtp_sink, process_env):
    due_meetings(meetings=100, attendees=20)
    assert planner.plan() == 100
    assert states() == {S.PENDING: 2000}

    # Two `send_due_reminders` processes racing over the same 2,000 due rows.
    command = [sys.executable, "manage.py", "send_due_reminders", "--interval", "120"]
    sweeps = [
        subprocess.Popen(
            command,
            cwd=harness.ROOT,
            env=process_env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(2)
    ]
    outputs = [sweep.communicate(timeout=150)[0] for sweep in sweeps]

    assert [sweep.returncode for sweep in sweeps] == [0, 0], outputs
    claimed = [int(re.search(r"claimed (\d+)", output)[1]) for output in outputs]
    assert min(claimed) > 0 and sum(claimed) == 2000, "both sweeps did part of the work"
    assert_each_sent_exactly_once(smtp_sink, 2000)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_two_workers_and_two_beats_send_each_reminder_exactly_once(
    smtp_sink, broker_url, celery_worker, celery_beat
):
    due_meetings(meetings=100, attendees=20)
    beats = [celery_beat("beat1"), celery_beat("beat2")]  # a deploy overlapping two beats
    workers = [celery_worker("w1", concurrency=2), celery_worker("w2", concurrency=2)]

    # Don't wait for the first beat (30 s): two ticks at once (one plans, the other
    # finds the meetings locked and moves on), then a dispatch task for each of the
    # four pool processes, as a tick's fan-out does.
    enqueue("reminders.tick", 2, broker_url=broker_url)
    harness.wait_until(lambda: Message.objects.count() == 2000, timeout=30, what="planning")
    enqueue("reminders.dispatch", 4, broker_url=broker_url)
    wait_until_settled(2000, timeout=150)
    assert_each_sent_exactly_once(smtp_sink, 2000)
    assert all("reminders.dispatch" in w.log for w in workers), "both workers sent"

    # Both beats fire their own tick (every 30 s); ticks over a settled database send
    # nothing more.
    for beat in beats:
        harness.wait_until(lambda b=beat: "Sending due task reminders-tick" in b.log,
                           timeout=45, what=f"{beat.name} to send a tick")  # fmt: skip
    time.sleep(2)  # let the workers run the beats' ticks
    assert_each_sent_exactly_once(smtp_sink, 2000)


# --- A worker dies mid-send --------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_loses_nothing_and_resends_only_its_unrecorded_batches(
    smtp_sink, broker_url, celery_worker
):
    """With the final reminder at 5 minutes (the smallest the settings allow): the
    rows a killed worker had claimed go out again once their short lease runs out,
    long before the start, and only the messages the server had already accepted
    from the batches being sent (one per pool process, recorded when the batch is
    done) are sent twice."""
    lease = 5  # seconds here; REMINDER_LEASE_SECONDS, 30 by default
    due_meetings(meetings=20, attendees=20, starts_in=dt.timedelta(minutes=5), offsets=(5,))
    planner.plan()
    worker = celery_worker("w1", concurrency=2, REMINDER_LEASE_SECONDS=str(lease))
    enqueue("reminders.dispatch", 2, broker_url=broker_url)  # one per pool process
    harness.wait_until(lambda: len(smtp_sink.received) >= 60, timeout=60, what="60 sent")

    # From now on the server takes each message but holds back its "250": the worker
    # is mid-send in both pool processes when it is killed.
    smtp_sink.hang(120, accept=True)
    harness.wait_until(lambda: len(smtp_sink.hung) >= 2, timeout=30, what="both sends hanging")
    worker.kill()
    killed_at = time.monotonic()
    in_flight = message_ids(state=S.SENDING)
    accepted_unacknowledged = set(smtp_sink.hung)
    assert accepted_unacknowledged <= in_flight
    smtp_sink.heal()

    # A new worker, and beat's tick (every 30 s in production; every second here).
    celery_worker("w2", concurrency=2, REMINDER_LEASE_SECONDS=str(lease))

    def settled() -> bool:
        enqueue("reminders.tick", 1, broker_url=broker_url)
        return not Message.objects.filter(state__in=OPEN).exists()

    harness.wait_until(settled, timeout=90, interval=1, what=f"all sent, now {states()}")
    recovered = time.monotonic() - killed_at

    assert states() == {S.SENT: 400}, "nothing skipped as started: nothing lost"
    counts = smtp_sink.counts()
    assert set(counts) == message_ids(), "nothing lost"
    duplicates = smtp_sink.duplicates()
    # The at-least-once window, measured: what went out twice is what the server had
    # accepted from the batches in flight when the worker died, each at most twice.
    assert accepted_unacknowledged <= set(duplicates) <= in_flight
    assert len(duplicates) <= 2 * dispatch.BATCH
    assert all(n == 2 for n in duplicates.values())
    assert recovered < lease + 30, "a stranded row waits its lease and a tick, no more"
    print(f"\nin flight at the kill: {len(in_flight)} rows; accepted but unrecorded: "
          f"{len(duplicates)}; all delivered {recovered:.1f} s after the kill "
          f"(lease {lease} s)")  # fmt: skip


# --- The database restarts mid-dispatch ----------------------------------------------

# Run by `manage.py shell` against the private cluster: 20 meetings of 20 attendees
# starting in 5 minutes, the final (and only) reminder at 5 minutes: 400 due now.
PLAN_400_DUE = """
import datetime as dt
from reminders import planner
from tests.reminders.test_reliability import due_meetings
due_meetings(meetings=20, attendees=20, starts_in=dt.timedelta(minutes=5), offsets=(5,))
planner.plan()
"""


def private_rows(server: harness.PrivatePostgres) -> list[tuple]:
    """(id, kind, state, attempts, due_at, sent_at) of every message, read from the
    private cluster directly (this process's Django uses the shared test database)."""
    with contextlib.closing(server.connect()) as conn, conn.cursor() as cursor:
        cursor.execute(f"SELECT id, kind, state, attempts, due_at, sent_at "
                       f"FROM {Message._meta.db_table}")  # fmt: skip
        return cursor.fetchall()


def count_states(rows: list[tuple]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[2]] = counts.get(row[2], 0) + 1
    return counts


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_database_restarted_during_dispatch_loses_nothing_and_sends_nothing_twice(
    smtp_sink, broker_url, private_postgres, celery_worker, tmp_path
):
    """`pg_ctl restart -m fast` three times while 400 final reminders, 5 minutes
    before the start, are being sent, on a cluster of the test's own: twice at
    whatever moment dispatch is at, once while both pool processes are mid-send (the
    server has each message, its "250" is held back), so their sessions die between
    the delivery and its record. Those deliveries are recorded through the error
    (no duplicate); a batch stranded by a restart waits out its short lease (nothing
    skipped as started)."""
    lease = 5  # seconds here; REMINDER_LEASE_SECONDS, 30 by default
    env = harness.process_env(database_url=private_postgres.url, redis_url=broker_url,
                              email_url=smtp_sink.url, var_dir=tmp_path / "var")  # fmt: skip
    private_postgres.manage("shell", "-c", PLAN_400_DUE, env=env)
    assert count_states(private_rows(private_postgres)) == {S.PENDING: 400}
    worker = celery_worker("w1", concurrency=2, DATABASE_URL=private_postgres.url,
                           REMINDER_LEASE_SECONDS=str(lease))  # fmt: skip

    began = time.monotonic()
    restarts = []  # (sent before it, seconds it took, rows in sending right after)
    accepted_mid_restart: list[str] = []
    with ticking(broker_url):
        target = 40
        for mid_send in (False, True, False):
            harness.wait_until(lambda t=target: len(smtp_sink.received) >= t, timeout=30,
                               interval=0.02, what=f"{target} sent")  # fmt: skip
            if mid_send:
                smtp_sink.hang(30, accept=True)
                harness.wait_until(lambda: len(smtp_sink.hung) >= 2, timeout=10,
                                   what="both pool processes mid-send")  # fmt: skip
            sent_before = len(smtp_sink.received)
            assert sent_before < 400, "the restart comes while dispatch is in progress"
            restart_began = time.monotonic()
            private_postgres.restart(mode="fast")
            restarted_at = time.monotonic()
            if mid_send:
                accepted_mid_restart = smtp_sink.hung
                smtp_sink.heal()
            in_sending = count_states(private_rows(private_postgres)).get(S.SENDING, 0)
            restarts.append((sent_before, round(restarted_at - restart_began, 2), in_sending))
            target = sent_before + 80  # dispatch resumed and got well on before the next

        def settled() -> bool:
            counts = count_states(private_rows(private_postgres))
            return sum(counts.values()) == 400 and not (counts.keys() & set(OPEN))

        harness.wait_until(settled, timeout=45, interval=0.25, what="all 400 to settle")
    recovered = time.monotonic() - restarted_at
    took = time.monotonic() - began

    rows = private_rows(private_postgres)
    assert count_states(rows) == {S.SENT: 400}, "nothing skipped as started: nothing lost"
    owed = {Message(pk=pk, kind=kind).message_id for pk, kind, *_ in rows}
    assert set(smtp_sink.counts()) == owed
    assert smtp_sink.duplicates() == {}
    assert len(smtp_sink.received) == 400
    recorded_through_error = worker.log.count("recording them through a database error")
    assert len(accepted_mid_restart) == 2
    assert recorded_through_error >= 2, "the deliveries in flight were recorded, not resent"
    late = max(sent_at - due_at for *_, due_at, sent_at in rows)
    assert late < dt.timedelta(minutes=1), "far inside the 5 minutes before the start"
    assert recovered < lease + 15, "a stranded row waits its lease and a tick, no more"
    taken_over = sum(1 for row in rows if row[3] > 1)
    print(f"\nrestarts (sent before, seconds down, rows in sending right after): {restarts}; "
          f"rows stranded and taken over after their lease: {taken_over}; batches recorded "
          f"through a database error: {recorded_through_error}; all delivered "
          f"{recovered:.1f} s after the last restart, {took:.1f} s after dispatch began; "
          f"latest delivery {late.total_seconds():.1f} s after it was due (lease {lease} s)")  # fmt: skip


# --- The broker connections are cut mid-dispatch -------------------------------------


def kill_broker_connections(url: str) -> int:
    """`CLIENT KILL TYPE normal`, but only of the clients of this test's Redis
    database: the shared server's other databases are other test runs', whose
    connections must not be cut. Returns how many were killed."""
    client = redis.Redis.from_url(url)
    try:
        db, me = client.connection_pool.connection_kwargs.get("db", 0), client.client_id()
        killed = 0
        for other in client.client_list(_type="normal"):
            if int(other["db"]) == db and int(other["id"]) != me:
                with contextlib.suppress(redis.ResponseError):  # gone already
                    killed += client.client_kill_filter(_id=other["id"])
        return killed
    finally:
        client.close()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_killed_broker_connections_during_dispatch_terminate_no_task_and_strand_nothing(
    smtp_sink, broker_url, celery_worker
):
    """The dispatch tasks need the database, not the broker: when the worker's Redis
    connections are cut under them, they go on sending (none is terminated, leaving
    its batch in sending for the lease), and each reminder goes out once."""
    due_meetings(meetings=15, attendees=20)
    planner.plan()
    assert states() == {S.PENDING: 300}
    # Two pool processes dispatch; the third is free, so the worker keeps reading
    # from the broker (as between ticks) and feels each cut at once.
    worker = celery_worker("w1", concurrency=3)
    enqueue("reminders.dispatch", 2, broker_url=broker_url)

    kills = []  # (sent before, connections killed)
    target = 30
    for n in range(1, 4):
        harness.wait_until(lambda t=target: len(smtp_sink.received) >= t, timeout=30,
                           interval=0.02, what=f"{target} sent")  # fmt: skip
        sent_before = len(smtp_sink.received)
        assert sent_before < 300, "the connections are cut while dispatch is in progress"
        kills.append((sent_before, kill_broker_connections(broker_url)))
        # Back on the broker before the next cut.
        harness.wait_until(lambda n=n: worker.log.count("Connected to redis") > n, timeout=15,
                           what="the worker to reconnect")  # fmt: skip
        target = sent_before + 40
    # A task terminated mid-batch would leave its rows in sending for the 30 s lease.
    wait_until_settled(300, timeout=25)

    assert all(killed for _, killed in kills), "the worker's connections were there to cut"
    assert worker.log.count("Connection to broker lost") >= 3, "the worker felt each cut"
    for sign in ("Terminating it instead", "WorkerLostError", "Terminated", "Traceback"):
        assert sign not in worker.log, f"{sign!r} in the worker's log"
    assert_each_sent_exactly_once(smtp_sink, 300)
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}, "none taken over"
    print(f"\nkills (sent before, connections killed): {kills}; the worker reconnected "
          f"{worker.log.count('Connection to broker lost')} times")  # fmt: skip


# --- The broker goes away -----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_reminders_survive_a_flushed_and_a_stopped_broker(
    smtp_sink, process_env, private_redis, celery_worker
):
    # Meeting "started" is due now; its meeting will start while the broker is down.
    [started] = due_meetings(meetings=1, attendees=20)
    planner.plan()
    assert states(meeting=started) == {S.PENDING: 20}

    # Queued triggers are lost with a FLUSHDB (or a restart without persistence).
    enqueue("reminders.tick", 3, broker_url=private_redis.url)
    assert private_redis.client().llen("celery") == 3
    private_redis.client().flushdb()
    worker = celery_worker("w1", concurrency=2, REDIS_URL=private_redis.url)

    private_redis.stop()
    # Meeting "waiting" is created during the outage, one attendee submits, the other
    # meeting starts: none of it needs the broker.
    [waiting] = due_meetings(meetings=1, attendees=20)
    author = waiting.attendances.order_by("pk").first().user
    began = time.monotonic()
    submit_insight(meeting=waiting, author=author,
                   data={"customer": CustomerFactory(),
                         "conversation_date": timezone.localdate(),
                         "said": "Wants the export by Friday.", "so_what": "Ship CSV."})  # fmt: skip
    assert time.monotonic() - began < 2
    started.start()
    with pytest.raises(OperationalError):  # a kick now would fail: the broker really is down
        enqueue("reminders.tick", broker_url=private_redis.url)
    assert smtp_sink.received == []

    # The broker comes back empty; the next beat's tick does everything.
    private_redis.start()
    enqueue("reminders.tick", broker_url=private_redis.url)
    wait_until_settled(40, timeout=90)
    assert "Connection to broker lost" in worker.log, "the same worker lived through the outage"

    assert states(meeting=started) == {S.SKIPPED_STARTED: 20}
    assert states(meeting=waiting) == {S.SENT: 19, S.SKIPPED_SUBMITTED: 1}
    assert smtp_sink.counts() == {mid: 1 for mid in message_ids(meeting=waiting, state=S.SENT)}


# --- The mail server misbehaves (in-process sweeps, real SMTP, PostgreSQL) ------------


@pytest.fixture
def one_due(db):
    """One attendee owed one reminder, due now; the meeting starts in 45 minutes."""
    [meeting] = due_meetings(meetings=1, attendees=1, starts_in=dt.timedelta(minutes=45),
                             offsets=(50,))  # fmt: skip
    return meeting


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_temporary_smtp_failure_is_retried_with_backoff_then_delivered_once(smtp_sink, one_due):
    smtp_sink.fail_next(3, code=451)
    now = timezone.now()
    waits = []
    for _ in range(4):
        dispatch.tick(now=now)
        assert dispatch.tick(now=now).claimed == 0, "the backoff holds the row back"
        row = Message.objects.get()
        if row.state == S.SENT:
            break
        assert row.state == S.PENDING and "451" in row.last_error
        waits.append(row.next_attempt_at - now)
        now = row.next_attempt_at  # time moves on to the next attempt

    assert waits == [dt.timedelta(seconds=30), dt.timedelta(minutes=2), dt.timedelta(minutes=5)]
    assert (row.state, row.attempts) == (S.SENT, 4)
    assert [code for _, code in smtp_sink.refused] == [451, 451, 451]
    assert smtp_sink.counts() == {row.message_id: 1}


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_refused_message_fails_permanently_with_the_reason(smtp_sink, one_due):
    smtp_sink.fail_always(code=550)
    now = timezone.now()
    dispatch.tick(now=now)

    row = Message.objects.get()
    assert (row.state, row.attempts) == (S.FAILED_PERMANENT, 1)
    assert "550" in row.last_error
    assert dispatch.tick(now=now + dt.timedelta(minutes=10)).claimed == 0
    assert smtp_sink.received == []


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_hanging_server_is_a_transient_failure_and_sends_no_duplicate(
    smtp_sink, one_due, monkeypatch
):
    # The channel's own timeout (it does not read EMAIL_TIMEOUT), shortened for the test.
    monkeypatch.setattr(channels, "SEND_TIMEOUT", 1)
    smtp_sink.hang(5)
    now = timezone.now()
    began = time.monotonic()
    dispatch.tick(now=now)
    assert time.monotonic() - began < 4, "the send gave up at its timeout"

    row = Message.objects.get()
    assert (row.state, row.attempts) == (S.PENDING, 1)
    assert "timed out" in row.last_error.lower()
    assert smtp_sink.hung == [row.message_id]

    smtp_sink.heal()
    dispatch.tick(now=row.next_attempt_at)

    row.refresh_from_db()
    assert (row.state, row.attempts) == (S.SENT, 2)
    assert smtp_sink.counts() == {row.message_id: 1}
