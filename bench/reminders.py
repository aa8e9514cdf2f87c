"""Reminder dispatch benchmark: `make bench` (needs PostgreSQL and Redis running).

In a scratch PostgreSQL database it creates and drops itself (insightboard_bench):
  1. 500 meetings x 20 attendees starting in 30 minutes: 10,000 reminders due;
  2. times the planner and the claim query, with EXPLAIN (ANALYZE) of both scans;
  3. adds a year of history (50,000 past meetings, 1,000,000 sent/skipped reminder
     rows, INSERT ... SELECT generate_series) and shows the claim query's plan and
     time do not change: its index is partial (state = 'pending');
  4. sends 1,000 of them in this process and reports the dispatching thread's CPU
     time and SQL statements per reminder; then the rest with one real Celery worker
     (concurrency 2) into a real SMTP server (aiosmtpd), reporting reminders per
     second and checking each Message-ID arrived exactly once; then 1,000 more in this
     process over the 1M rows of history.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/insightboard_bench;
the database is dropped and re-created), REDIS_URL (default redis://127.0.0.1:6379/14; that
Redis database is flushed). --keep leaves the database for a look afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.reminders import harness  # noqa: E402  (no Django import: safe before setup)

MEETINGS, ATTENDEES = 500, 20
PAST_MEETINGS, HISTORY = 50_000, 1_000_000
report: list[str] = []


def say(line: str = "") -> None:
    print(line, flush=True)


def note(line: str) -> None:
    report.append(line)
    say(f"  -> {line}")


def admin_connection(url: str):
    import psycopg2

    parts = urlsplit(url)
    conn = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    conn.autocommit = True
    return conn


def recreate_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    conn = admin_connection(url)
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def drop_database(url: str) -> None:
    from django.db import connections

    connections.close_all()
    name = urlsplit(url).path.lstrip("/")
    conn = admin_connection(url)
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    """Median wall time in ms over repeat runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), result


# --- The queries under test ------------------------------------------------------


def claim_scan():
    """The dispatcher's pending scan, exactly as dispatch.claim() builds it."""
    from django.utils import timezone

    from reminders.models import Message as Reminder

    return (
        Reminder.objects.select_for_update(skip_locked=True)
        .filter(state=Reminder.State.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:20]
    )


def planner_scan():
    """The planner's meeting scan, exactly as planner.plan() builds it."""
    from django.utils import timezone

    from meetings.models import Meeting
    from reminders import planner

    return (
        Meeting.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            status=Meeting.Status.SCHEDULED,
            next_reminder_at__isnull=False,
            next_reminder_at__lte=timezone.now() + planner.PLAN_AHEAD,
        )
        .select_related("team", "facilitator")
        .order_by("next_reminder_at")[: planner.BATCH]
    )


def explain(title: str, queryset, index: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) inside a transaction that is rolled back (the
    scans lock rows)."""
    from django.db import transaction

    with transaction.atomic():
        plan = queryset.explain(analyze=True, buffers=True)
        transaction.set_rollback(True)
    say(f"\n--- EXPLAIN (ANALYZE) {title}")
    say(plan)
    uses = index in plan
    note(f"{title}: {'uses' if uses else 'DOES NOT USE'} index {index}; "
         f"{plan.splitlines()[-1].strip()}")  # fmt: skip
    return plan


def time_claim(label: str) -> float:
    """dispatch.claim() (select + conditional updates of one batch), rolled back so
    the rows stay pending; median of 30."""
    from django.db import transaction

    from reminders import dispatch

    def once() -> int:
        with transaction.atomic():
            claimed = dispatch.claim()
            transaction.set_rollback(True)
        return len(claimed)

    ms, claimed = timed(once, repeat=30)
    note(f"claim() of one batch ({claimed} rows) {label}: {ms:.2f} ms (median of 30)")
    return ms


# --- Data ------------------------------------------------------------------------


def make_upcoming(meetings: int = MEETINGS, prefix: str = "t") -> None:
    import datetime as dt

    from django.utils import timezone

    from accounts.models import User
    from meetings import services
    from meetings.models import Membership, Team

    starts_at = timezone.now() + dt.timedelta(minutes=30)
    teams = max(meetings // 20, 1)
    for t in range(teams):
        team = Team.objects.create(name=f"Team {prefix}{t}", slug=f"team-{prefix}{t}",
                                   reminder_offsets=[60])  # fmt: skip
        users = User.objects.bulk_create(
            User(email=f"{prefix}{t}-p{i}@example.com", name=f"Person {t}-{i}", password="!")
            for i in range(ATTENDEES)
        )
        Membership.objects.bulk_create(Membership(team=team, user=u) for u in users)
        for m in range(t, meetings, teams):  # every meeting asked for, spread over the teams
            services.create_meeting(team=team, title=f"Round {m}", starts_at=starts_at,
                                    duration_minutes=30)  # fmt: skip


def insert_history() -> None:
    """A year of history in two INSERT ... SELECT generate_series statements: past,
    ended meetings and their sent or skipped reminders (20 per meeting)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        # Bulk loading consistent rows: skip the per-row foreign key triggers.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SELECT min(id), count(*) FROM meetings_team")
        first_team, teams = cursor.fetchone()
        cursor.execute("SELECT min(id) FROM accounts_user")
        first_user = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO meetings_meeting (team_id, title, starts_at, ends_at, location,
                status, started_at, ended_at, schedule_version, next_reminder_at, created_at)
            SELECT %(first_team)s + g %% %(teams)s, 'Past round', s, s + interval '30 min', '',
                   'ended', s, s + interval '30 min', 1, NULL, s - interval '7 days'
            FROM generate_series(1, %(n)s) AS g,
                 LATERAL (SELECT now() - interval '1 day' - g * interval '10 min' AS s) AS t
            """,
            {"first_team": first_team, "teams": teams, "n": PAST_MEETINGS},
        )
        cursor.execute("SELECT max(id) - %s + 1 FROM meetings_meeting", [PAST_MEETINGS])
        first_past = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO reminders_message (meeting_id, user_id, kind, "offset", is_final,
                channel, schedule_version, due_at, state, attempts, next_attempt_at,
                lease_until, last_error, note, sent_at, created_at, updated_at)
            SELECT %(first_past)s + g / %(per)s, %(first_user)s + g %% %(per)s, 'reminder', 60,
                   true, 'email', 1, d,
                   (ARRAY['sent', 'sent', 'sent', 'skipped_submitted', 'skipped_excused',
                          'skipped_coalesced'])[1 + g %% 6],
                   1, d, NULL, '', '', d, d, d
            FROM generate_series(0, %(n)s - 1) AS g,
                 LATERAL (SELECT now() - interval '1 day' - (g / %(per)s) * interval '10 min'
                          - interval '1 hour' AS d) AS t
            """,
            {"first_past": first_past, "first_user": first_user, "per": ATTENDEES,
             "n": HISTORY},
        )  # fmt: skip
    analyze()


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE meetings_meeting")
        cursor.execute("ANALYZE reminders_message")


def sizes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, pg_size_pretty(pg_relation_size(c.oid))
            FROM pg_class c
            WHERE c.relname IN ('reminders_message', 'message_pending_due',
                                'message_sending_lease', 'meetings_meeting',
                                'meeting_next_reminder')
            ORDER BY c.relname
            """
        )
        note("sizes: " + ", ".join(f"{name} {size}" for name, size in cursor.fetchall()))


# --- Dispatch in this process: CPU and SQL per reminder ----------------------------------


def measure_in_process(label: str, n: int = 1000) -> float:
    """Dispatch n due reminders in this process, as a worker's task does, into the
    SMTP sink, after a first batch that warms it up as a long-running worker is: the
    dispatching thread's CPU time (the sink runs in another thread of this process;
    thread_time counts only this one) and SQL statements per reminder. Returns the
    CPU ms per reminder."""
    from django.db import connection

    from reminders import dispatch

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    dispatch.work_through(dispatch.claim(), dispatch.Sweep())  # warm-up, not counted
    sweep, done = dispatch.Sweep(), 0
    cpu, wall = time.thread_time(), time.perf_counter()
    with connection.execute_wrapper(count):
        while done < n:
            claimed = dispatch.claim(batch=min(dispatch.BATCH, n - done))
            if not claimed:
                break
            dispatch.work_through(claimed, sweep)
            done += len(claimed)
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    per_reminder = cpu * 1000 / done
    note(f"in-process dispatch {label}: {done:,} in {wall:.1f} s = {done / wall:.0f}/s, "
         f"{per_reminder:.2f} ms CPU and {statements / done:.1f} SQL statements per "
         f"reminder ({sweep.outcomes})")  # fmt: skip
    return per_reminder


def email_floor(n: int = 300) -> float:
    """The floor under a reminder's CPU cost, measured in the same run: building the
    same e-mail (content.email_for, templates and links) and serialising it as the
    SMTP backend does, for reminders already loaded; no database, no network. What
    the dispatcher adds is the rest."""
    from reminders import batch, content
    from reminders.models import Message as Reminder

    reminders = list(
        Reminder.objects.select_related("meeting__team", "user").filter(
            kind=Reminder.Kind.REMINDER
        )[:n]
    )
    with batch.batch() as shared:
        shared.rows = reminders  # their round counts: one query, in the warm-up
        for reminder in reminders[:20]:  # warm-up
            content.email_for(reminder).message().as_bytes(linesep="\r\n")
        cpu = time.thread_time()
        for reminder in reminders:
            content.email_for(reminder).message().as_bytes(linesep="\r\n")
        per_message = (time.thread_time() - cpu) * 1000 / len(reminders)
    note(f"floor: building and serialising one reminder e-mail alone: {per_message:.2f} ms CPU")
    return per_message


# --- Dispatch with a real worker -----------------------------------------------------


def dispatch_with_worker(sink: harness.SmtpSink, env: dict, log_dir: Path) -> None:
    import redis

    from insightboard.celery import app
    from meetings.models import Meeting
    from reminders.models import Message as Reminder

    broker = redis.Redis.from_url(env["REDIS_URL"])
    worker = harness.celery_worker("bench-worker", env=env, log_dir=log_dir, concurrency=2)
    worker.start()
    try:
        harness.wait_ready(worker, marker=" ready.")
        open_states = [Reminder.State.PENDING, Reminder.State.SENDING]
        total = Reminder.objects.filter(state__in=open_states).count()
        already = Reminder.objects.filter(
            state=Reminder.State.SENT, meeting__status=Meeting.Status.SCHEDULED
        ).count()
        say(f"\nSending {total:,} reminders with one worker (concurrency 2)...")
        began = time.perf_counter()
        tasks = 0
        with app.connection_for_write(env["REDIS_URL"]) as conn:
            while True:
                left = Reminder.objects.filter(state__in=open_states).count()
                if not left:
                    break
                # Each task sweeps for up to 40 s; keep one waiting per pool process.
                if broker.llen("celery") == 0:
                    for _ in range(2):
                        app.send_task("reminders.dispatch", connection=conn)
                        tasks += 1
                done, elapsed = total - left, time.perf_counter() - began
                if tasks and int(elapsed) % 10 == 0:
                    say(f"  {elapsed:6.1f} s  {done:6,} done  ({done / max(elapsed, 1e-9):.0f}/s)")
                time.sleep(1)
        elapsed = time.perf_counter() - began
    finally:
        worker.stop()
    counts = sink.counts()
    sent = (
        Reminder.objects.filter(
            state=Reminder.State.SENT, meeting__status=Meeting.Status.SCHEDULED
        ).count()
        - already
    )
    note(f"dispatch: {sent:,} sent in {elapsed:.1f} s = {sent / elapsed:.0f} reminders/s "
         f"(1 worker, concurrency 2, {tasks} dispatch tasks)")  # fmt: skip
    note(f"SMTP server accepted {sum(counts.values()):,} messages, "
         f"{len(counts):,} distinct Message-IDs, {len(sink.duplicates())} duplicated")  # fmt: skip


# --- Main ------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()

    database_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/insightboard_bench"
    )
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    sink = harness.SmtpSink().start()
    var_dir = Path(tempfile.mkdtemp(prefix="insightboard-bench-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="insightboard.settings",
        # As in production, here and in the worker: no query log, cached templates.
        DEBUG="false",
        SECRET_KEY="bench-only-not-a-secret",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        EMAIL_URL=sink.url,
        VAR_DIR=str(var_dir),
    )
    say(f"Scratch database {database_url}, broker {redis_url}, SMTP {sink.url}")
    recreate_database(database_url)

    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.db.models import F

    from meetings.models import Meeting
    from reminders import planner
    from reminders.models import Message as Reminder

    redis.Redis.from_url(redis_url).flushdb()
    try:
        call_command("migrate", verbosity=0)
        say(f"\nCreating {MEETINGS} meetings x {ATTENDEES} attendees...")
        make_upcoming()

        say("\n=== Planner and claim, empty history ===")
        explain("planner meeting scan", planner_scan(), "meeting_next_reminder")
        ms, planned = timed(planner.plan)
        rows = Reminder.objects.count()
        analyze()  # as autovacuum would soon after: plans below use real statistics
        note(f"planner.plan(): {planned} meetings, {rows:,} rows inserted in {ms:.0f} ms")
        explain("claim scan", claim_scan(), "message_pending_due")
        before = time_claim("with 10,000 pending, no history")
        floor = email_floor()
        cpu = measure_in_process("with no history")
        note(f"CPU per reminder / e-mail floor: {cpu / floor:.1f}x")

        say(f"\n=== Adding {PAST_MEETINGS:,} past meetings and {HISTORY:,} reminder rows ===")
        ms, _ = timed(insert_history)
        note(
            f"history inserted (INSERT ... SELECT generate_series, then ANALYZE) in {ms / 1000:.1f} s"
        )
        sizes()
        explain("claim scan with 1M history", claim_scan(), "message_pending_due")
        after = time_claim("with 10,000 pending, 1M history")
        note(f"claim time with history / without: {after / before:.2f}x")
        # Re-plan the same meetings (idempotent: ON CONFLICT DO NOTHING) over history.
        Meeting.objects.filter(status=Meeting.Status.SCHEDULED).update(
            next_reminder_at=F("starts_at") - dt.timedelta(minutes=60)
        )
        explain("planner meeting scan with 50,000 past meetings", planner_scan(),
                "meeting_next_reminder")  # fmt: skip
        ms, planned = timed(planner.plan)
        note(f"planner.plan() again over history: {planned} meetings, "
             f"{Reminder.objects.count() - rows - HISTORY} new rows, {ms:.0f} ms")  # fmt: skip

        say("\n=== Dispatch ===")
        env = harness.process_env(database_url=database_url, redis_url=redis_url,
                                  email_url=sink.url, var_dir=var_dir)  # fmt: skip
        dispatch_with_worker(sink, env, var_dir)
        make_upcoming(meetings=51, prefix="after")  # 1,020: a warm-up batch and 1,000
        planner.plan()
        cpu = measure_in_process("with 1M history")
        note(f"CPU per reminder / e-mail floor: {cpu / email_floor():.1f}x")

        say("\n=== An idle tick over 1M history ===")
        explain("claim scan, nothing due", claim_scan(), "message_pending_due")
        time_claim("with nothing due, 1M history")
    finally:
        sink.stop()
        redis.Redis.from_url(redis_url).flushdb()
        if not args.keep:
            drop_database(database_url)

    say("\n=== Report ===")
    for line in report:
        say(f"- {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
