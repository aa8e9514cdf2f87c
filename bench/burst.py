"""The all-hands burst: `make bench` (needs PostgreSQL and Redis on 127.0.0.1).

The app under gunicorn as the Docker image runs it (4 sync workers, DEBUG off,
persistent connections, Redis) with the demo data and an all-hands team, in a
scratch database it creates and drops (insightboard_bench_burst). Locust
(bench/locustfile.py, headless, on 127.0.0.1 only, bounded in time) plays:

1. 300 attendees of one meeting opening their one-tap link and saving an insight
   within the window (90 s by default: a harder burst than the three minutes asked),
   one in ten of them double-tapping Save (2 to 5 posts at once); 20 facilitators
   polling the round every 3 s; 5 organisation admins opening the dashboards.
   Afterwards: exactly one insight per attendee who got the saved page, none for
   the others, and no 5xx.
2. The same burst on a second meeting while 5,000 reminders fall due and one real
   Celery worker (concurrency 2) sends them into a real SMTP server (aiosmtpd). The
   web p95 is compared with the first run's.

The floor page (bench/floor.py) is measured with wrk in the same run. Per endpoint:
requests, req/s, p50/p95/p99 (locust's percentiles), written to bench/RESULTS.md.

Environment: BENCH_BURST_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/insightboard_bench_burst), BENCH_BURST_REDIS_URL
(default redis://127.0.0.1:6379/13; flushed).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import results  # noqa: E402
from bench.pages import gunicorn, wrk  # noqa: E402
from bench.reminders import drop_database, make_upcoming, recreate_database  # noqa: E402
from tests.reminders import harness  # noqa: E402

FORM = {"customer": "Harbour Freight", "contact": "Head of planning", "channel": "call",
        "tags": "reporting, export", "segment": "Enterprise"}  # fmt: skip
# One story per run: the form turns away a near copy of its author's earlier insight.
STORIES = [
    {"said": "They export our weekly report to Excel every Monday.",
     "so_what": "A depot filter would save them an hour a week."},
    {"said": "Drivers photograph paper delivery notes because the app has no offline mode.",
     "so_what": "Offline capture would end the retyping at the depot."},
]  # fmt: skip


def all_hands(attendees: int, facilitators: int, admins: int):
    """The team, its two meetings (one per run) and the organisation admins."""
    from django.utils import timezone

    from accounts.models import User
    from meetings import services
    from meetings.models import Membership, Team

    team = Team.objects.create(name="All hands", slug="all-hands", reminder_offsets=[])
    people = User.objects.bulk_create(
        User(email=f"hand{i}@example.com", name=f"Hand {i:03}", password="!")
        for i in range(attendees + facilitators)
    )
    Membership.objects.bulk_create(
        Membership(team=team, user=u, role=Membership.Role.FACILITATOR if i >= attendees
                   else Membership.Role.MEMBER)
        for i, u in enumerate(people)
    )  # fmt: skip
    staff = User.objects.bulk_create(
        User(email=f"orgadmin{i}@example.com", name=f"Org admin {i}", password="!", is_staff=True)
        for i in range(admins)
    )
    starts_at = timezone.now() + dt.timedelta(hours=2)
    meetings = [
        services.create_meeting(
            team=team,
            title=title,
            starts_at=starts_at,
            duration_minutes=60,
            facilitator=people[attendees],
        )
        for title in ("All hands", "All hands, with reminders going out")
    ]
    return team, people[:attendees], people[attendees:], staff, meetings


def session_of(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def plan_for(run: int, team, meeting, attendees, facilitator_sessions, admin_sessions) -> dict:
    from django.urls import reverse
    from django.utils import timezone

    from insights import links

    site = len(os.environ["SITE_URL"])
    return {
        "form": {**FORM, **STORIES[run], "conversation_date": timezone.localdate().isoformat()},
        "attendees": [
            {
                "email": u.email,
                "link": links.submit_link(u, meeting)[site:],
                "taps": 2 + i // 10 % 4 if i % 10 == 0 else 1,
            }
            for i, u in enumerate(attendees)
        ],
        "facilitators": facilitator_sessions,
        "admins": admin_sessions,
        "agenda": reverse("meetings:meeting-detail", args=[team.slug, meeting.pk]),
        "round": reverse("meetings:meeting-round", args=[team.slug, meeting.pk]),
        "dashboards": {
            "organisation dashboard": reverse("insights:dashboard"),
            "team dashboard": reverse("insights:team-dashboard", args=[team.slug]),
            "customer coverage": reverse("insights:customers"),
        },
    }


def run_locust(plan: dict, host: str, window: float, typing: float, work: Path, name: str) -> dict:
    """Locust, headless, until the last attendee is done (at most the window, the
    typing and a margin); its stats by endpoint."""
    plan_path, out_path = work / f"{name}-plan.json", work / f"{name}-out.json"
    plan_path.write_text(json.dumps(plan))
    users = len(plan["attendees"]) + len(plan["facilitators"]) + len(plan["admins"])
    argv = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
        "--host", host, "--users", str(users), "--spawn-rate", str(users),
        "--run-time", f"{int(window + typing) + 30}s", "--stop-timeout", "10", "--csv", str(work / name),
        "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    env = {**os.environ, "BURST_PLAN": str(plan_path), "BURST_OUT": str(out_path),
           "BURST_WINDOW": str(window), "BURST_TYPING": str(typing)}  # fmt: skip
    subprocess.run(argv, env=env, check=False, stdout=subprocess.DEVNULL, cwd=ROOT)
    with open(work / f"{name}_stats.csv") as f:
        stats = {row["Name"]: row for row in csv.DictReader(f)}
    return {"stats": stats, **json.loads(out_path.read_text())}


def check(meeting, outcome: dict) -> list[str]:
    """What went wrong, if anything: an insight missing or doubled, one saved for an
    attendee who never saw the saved page, a 5xx."""
    from insights.models import Insight

    authors = Counter(
        Insight.objects.filter(meeting=meeting).values_list("author__email", flat=True)
    )
    saved = set(outcome["saved"])
    problems = [f"{email}: {n} insights" for email, n in authors.items() if n != 1]
    problems += [f"{email}: saved page but no insight" for email in saved - set(authors)]
    problems += [f"{email}: an insight but no saved page" for email in set(authors) - saved]
    for endpoint, codes in outcome["statuses"].items():
        errors = sum(n for code, n in codes.items() if code.startswith("5"))
        if errors:
            problems.append(f"{endpoint}: {errors} answers 5xx")
    return problems


def dispatching(env: dict, log_dir: Path, stop: threading.Event, done: dict) -> threading.Thread:
    """One worker sending every due reminder, as beat would keep it busy; done gets
    how long it took."""
    import redis

    from insightboard.celery import app
    from reminders.models import Message as Reminder

    def run() -> None:
        broker = redis.Redis.from_url(env["REDIS_URL"])
        worker = harness.celery_worker("burst-worker", env=env, log_dir=log_dir).start()
        began = time.perf_counter()
        open_states = [Reminder.State.PENDING, Reminder.State.SENDING]
        try:
            with app.connection_for_write(env["REDIS_URL"]) as conn:
                while not stop.is_set():
                    if not Reminder.objects.filter(state__in=open_states).exists():
                        done["seconds"] = time.perf_counter() - began
                        break
                    if broker.llen("celery") == 0:
                        for _ in range(2):
                            app.send_task("reminders.dispatch", connection=conn)
                    time.sleep(0.5)
        finally:
            worker.stop()
            from django.db import connection

            connection.close()

    thread = threading.Thread(target=run, name="dispatching")
    thread.start()
    return thread


def double_taps(plan: dict, outcome: dict) -> str:
    tappers = [a for a in plan["attendees"] if a["taps"] > 1]
    saved = set(outcome["saved"])
    answered = sum(1 for a in tappers if a["email"] in saved)
    return (f"{len(tappers)} double-tapped ({sum(a['taps'] for a in tappers)} posts at once): "
            f"{answered} of them got the saved page on every tap")  # fmt: skip


def web_p95(outcome: dict) -> float:
    return float(outcome["stats"]["Aggregated"]["95%"])


def table(outcome: dict, floor: tuple, seconds: float) -> list[str]:
    lines = [
        "| endpoint | requests | req/s | p50 | p95 | p99 | 5xx |",
        "|---|---|---|---|---|---|---|",
    ]
    rate, p50, p95, p99 = floor
    lines.append(f"| floor page (wrk -c4, its capacity) | | {rate:.0f} | {p50:.0f} ms | "
                 f"{p95:.0f} ms | {p99:.0f} ms | |")  # fmt: skip
    for name, row in outcome["stats"].items():
        errors = sum(n for code, n in outcome["statuses"].get(name, {}).items() if code[0] == "5")
        count = int(row["Request Count"])
        label = "all web requests" if name == "Aggregated" else name
        lines.append(f"| {label} | {count:,} | {count / seconds:.1f} | {row['50%']} ms | "
                     f"{row['95%']} ms | {row['99%']} ms | {errors if name != 'Aggregated' else ''} |")  # fmt: skip
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=300)
    parser.add_argument("--facilitators", type=int, default=20)
    parser.add_argument("--admins", type=int, default=5)
    parser.add_argument("--window", type=float, default=90, help="seconds in which all submit")
    parser.add_argument("--typing", type=float, default=20, help="longest time to type, seconds")
    parser.add_argument("--reminders", type=int, default=5000, help="due during the second run")
    parser.add_argument("--workers", type=int, default=4, help="the app's gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    database_url = os.environ.get(
        "BENCH_BURST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/insightboard_bench_burst"
    )
    redis_url = os.environ.get("BENCH_BURST_REDIS_URL", "redis://127.0.0.1:6379/13")
    work = Path(tempfile.mkdtemp(prefix="insightboard-bench-burst-"))
    sink = harness.SmtpSink().start()
    app_port, floor_port = harness.free_port(), harness.free_port()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="insightboard.settings", DEBUG="false",
        SECRET_KEY="bench-only-not-a-secret", DATABASE_URL=database_url, REDIS_URL=redis_url,
        EMAIL_URL=sink.url, VAR_DIR=str(work), ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SITE_URL=f"http://127.0.0.1:{app_port}", CONN_MAX_AGE="600",
    )  # fmt: skip
    recreate_database(database_url)
    import django

    django.setup()
    import redis
    from django.core.management import call_command

    from reminders import planner
    from reminders.models import Message as Reminder

    redis.Redis.from_url(redis_url).flushdb()
    env = harness.process_env(database_url=database_url, redis_url=redis_url,
                              email_url=sink.url, var_dir=work)  # fmt: skip
    env.update({k: os.environ[k] for k in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL",
                                          "CONN_MAX_AGE")})  # fmt: skip
    servers, report = [], []
    try:
        call_command("migrate", verbosity=0)
        call_command("collectstatic", "--noinput", verbosity=0)
        call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        team, attendees, facilitators, staff, meetings = all_hands(
            args.attendees, args.facilitators, args.admins
        )
        facilitator_sessions = [session_of(u) for u in facilitators]
        admin_sessions = [session_of(u) for u in staff]
        servers = [
            gunicorn("app", "insightboard.wsgi", app_port, env, work, workers=args.workers),
            gunicorn("floor", "bench.floor:application", floor_port,
                     {**env, "DJANGO_SETTINGS_MODULE": "bench.floor"}, work, workers=args.workers),
        ]  # fmt: skip
        for port in (app_port, floor_port):
            harness.wait_until(lambda p=port: harness.answering(f"http://127.0.0.1:{p}/"),
                               timeout=30, what=f"gunicorn on {port}")  # fmt: skip
        floor = wrk(f"http://127.0.0.1:{floor_port}/", {}, 4)
        host = f"http://127.0.0.1:{app_port}"

        print(f"Burst 1: {args.attendees} attendees in {args.window:.0f} s, "
              f"{args.facilitators} facilitators polling, {args.admins} admins...", flush=True)  # fmt: skip
        plan = plan_for(0, team, meetings[0], attendees, facilitator_sessions, admin_sessions)
        began = time.perf_counter()
        quiet = run_locust(plan, host, args.window, args.typing, work, "quiet")
        quiet["double taps"] = double_taps(plan, quiet)
        quiet_seconds = time.perf_counter() - began
        problems = check(meetings[0], quiet)
        quiet_insights = meetings[0].insights.count()

        print(f"Burst 2: the same while {args.reminders:,} reminders are due...", flush=True)
        make_upcoming(meetings=args.reminders // 20, prefix="burst")
        planner.plan()
        due_ids = list(
            Reminder.objects.filter(state=Reminder.State.PENDING).values_list("pk", flat=True)
        )
        due = len(due_ids)
        stop, done = threading.Event(), {}
        sender = dispatching(env, work, stop, done)
        plan = plan_for(1, team, meetings[1], attendees, facilitator_sessions, admin_sessions)
        began = time.perf_counter()
        busy = run_locust(plan, host, args.window, args.typing, work, "busy")
        busy["double taps"] = double_taps(plan, busy)
        busy_seconds = time.perf_counter() - began
        stop.set()
        sender.join()
        problems += check(meetings[1], busy)
        busy_insights = meetings[1].insights.count()
        counts = sink.counts()
        states = Counter(Reminder.objects.filter(pk__in=due_ids).values_list("state", flat=True))
    finally:
        for server in servers:
            server.stop()
        sink.stop()
        redis.Redis.from_url(redis_url).flushdb()
        if not args.keep:
            drop_database(database_url)

    ratio = web_p95(busy) / web_p95(quiet)
    settled = f"all settled {done['seconds']:.0f} s after the start" if "seconds" in done else (
        "not all settled by the end")  # fmt: skip
    skipped = sum(n for state, n in states.items() if state.startswith("skipped"))
    sent = (f"{states[Reminder.State.SENT]:,} sent and {skipped:,} skipped, {settled}; "
            f"the SMTP server received {sum(counts.values()):,} messages")  # fmt: skip
    report = [
        f"All-hands burst: {args.attendees} attendees opening their one-tap link and saving within "
        f"{args.window:.0f} s (one in ten double-tapping, 2 to 5 posts at once), {args.facilitators} "
        f"facilitators polling the round every 3 s, {args.admins} organisation admins on the "
        f"dashboards. gunicorn {args.workers} sync workers, DEBUG off, PostgreSQL, Redis; locust "
        f"and wrk on the same machine; {dt.datetime.now(dt.UTC):%-d %b %Y}, {os.cpu_count()} cores.",
        "",
        f"Run 1, nothing else running: {len(quiet['saved'])} saved pages, "
        f"{quiet_insights} insights; {quiet['double taps']}.",
        "",
        *table(quiet, floor, quiet_seconds),
        "",
        f"Run 2, while {due:,} reminders fall due (one Celery worker, concurrency 2, into an "
        f"SMTP server; {sent}, {len(counts):,} distinct Message-IDs, "
        f"{len(sink.duplicates())} duplicated): {len(busy['saved'])} saved pages, "
        f"{busy_insights} insights; {busy['double taps']}.",
        "",
        *table(busy, floor, busy_seconds),
        "",
        f"Web p95 with the reminders going out / without: **{ratio:.2f}×** (must not exceed 2).",
        "",
        "Checked: " + ("exactly one insight per saved page, none without one, no 5xx."
                       if not problems else "FAILED: " + "; ".join(problems[:20])),
    ]  # fmt: skip
    print("\n".join(report))
    sizes = ("attendees", "facilitators", "admins", "window", "typing", "reminders", "workers")
    if not problems and all(getattr(args, k) == parser.get_default(k) for k in sizes):
        results.write("All-hands burst", report)  # a smaller or failed run is not of record
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
