"""Page benchmark: `make bench` (needs PostgreSQL and Redis on 127.0.0.1, and wrk).

The app under gunicorn as in production (2 sync workers, DEBUG off, persistent
PostgreSQL connections, Redis cache) with the demo data, in a scratch database it
creates and drops (insightboard_bench_web), beside the floor page (bench/floor.py:
a minimal Django project rendering 20 rows read from the same database) under the
same gunicorn settings. wrk (Debian's) loads each page with 4 connections for 4 s,
three times, on 127.0.0.1 only; the table gives the median req/s, p50, p99, and the
req/s as a ratio to the floor's, measured in the same run. The figures go to
bench/RESULTS.md too.

Environment: BENCH_WEB_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/insightboard_bench_web), BENCH_REDIS_URL (default
redis://127.0.0.1:6379/11; flushed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import results  # noqa: E402
from bench.reminders import drop_database, recreate_database  # noqa: E402
from tests.reminders import harness  # noqa: E402

RUNS, SECONDS, CONNECTIONS = 3, 4, 4
PERCENTILES = ROOT / "bench" / "percentiles.lua"


def wrk(
    url: str, headers: dict[str, str], connections: int, body: str | None = None
) -> tuple[float, float, float, float]:
    """(req/s, p50, p95, p99 in ms), the median of RUNS runs; with a body, of POSTs."""
    results = []
    for _ in range(RUNS):
        argv = ["wrk", "-t2", f"-c{connections}", f"-d{SECONDS}s", "-s", str(PERCENTILES), url]
        for name, value in headers.items():
            argv += ["-H", f"{name}: {value}"]
        env = {**os.environ, "WRK_BODY": body} if body else None
        out = subprocess.run(argv, capture_output=True, text=True, check=True, env=env).stdout
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        latency = dict(re.findall(r"^p(50|95|99) ([\d.]+)$", out, re.M))
        results.append((rate, *(float(latency[p]) for p in ("50", "95", "99"))))
        if re.search(r"Non-2xx or 3xx responses: (\d+)", out):
            raise RuntimeError(f"{url} answered errors:\n{out}")
    return tuple(statistics.median(r[i] for r in results) for i in range(4))  # type: ignore[return-value]


def gunicorn(name: str, app: str, port: int, env: dict, log_dir: Path, *, workers: int = 2,
             threads: int = 1) -> harness.Process:  # fmt: skip
    argv = [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--threads", str(threads),
            "--access-logfile", "/dev/null"]  # fmt: skip
    return harness.Process(name, argv, env=env, log_dir=log_dir).start()


def pages() -> list[tuple[str, str, dict, str | None]]:
    """(label, path, headers, POST body or None) of the pages measured, as the demo's
    facilitator of its next open meeting with insights in sees them."""
    from urllib.parse import urlencode

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import User
    from insights.models import Insight
    from meetings.models import Meeting

    meeting = (
        Meeting.objects.filter(status__in=Meeting.OPEN, insights__isnull=False)
        .select_related("team", "facilitator")
        .order_by("starts_at")
        .first()
    )
    client = Client()
    client.force_login(meeting.facilitator)
    session = client.cookies["sessionid"].value
    slug, pk = meeting.team.slug, meeting.pk
    insight = Insight.objects.filter(team=meeting.team).first()
    cookie = {"Cookie": f"sessionid={session}"}
    htmx = {**cookie, "HX-Request": "true"}
    round_url = reverse("meetings:meeting-round", args=[slug, pk])
    admin = Client()
    admin.force_login(User.objects.filter(is_staff=True).first())
    as_admin = {"Cookie": f"sessionid={admin.cookies['sessionid'].value}"}
    etag = client.get(round_url, HTTP_HX_REQUEST="true")["ETag"]
    form_url = reverse("insights:submit", args=[slug, pk])
    client.get(form_url)  # sets the CSRF cookie a browser would send back with the form
    csrf = client.cookies["csrftoken"].value
    saving = urlencode({
        "csrfmiddlewaretoken": csrf, "customer": "Harbour Freight", "contact": "Head of planning",
        "channel": "call", "conversation_date": timezone.localdate().isoformat(),
        "said": "They export our weekly report to Excel every Monday.",
        "so_what": "A depot filter would save them an hour a week.", "tags": "reporting",
    })  # fmt: skip
    return [
        ("login (anonymous)", reverse("accounts:login"), {}, None),
        ("round fragment (htmx poll)", round_url, htmx, None),
        ("round fragment, unchanged (304)", round_url, {**htmx, "If-None-Match": etag}, None),
        ("home", reverse("home"), cookie, None),
        ("meetings list", reverse("meetings:meeting-list"), cookie, None),
        ("insight form", form_url, cookie, None),
        ("insight form, saving (POST, 302)", form_url,
         {"Cookie": f"sessionid={session}; csrftoken={csrf}"}, saving),
        ("meeting agenda", reverse("meetings:meeting-detail", args=[slug, pk]), cookie, None),
        ("presenter", reverse("meetings:meeting-present", args=[slug, pk]), cookie, None),
        ("library", reverse("insights:library"), cookie, None),
        ("insight", reverse("insights:detail", args=[slug, insight.pk]), cookie, None),
        ("team dashboard", reverse("insights:team-dashboard", args=[slug]), cookie, None),
        ("organisation dashboard (organisation admin)", reverse("insights:dashboard"), as_admin,
         None),
    ]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--workers", type=int, default=2, help="the app's gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread)")
    parser.add_argument("--connections", type=int, default=CONNECTIONS, help="wrk's")
    parser.add_argument("--only", default="", help="pages whose label contains this")
    parser.add_argument(
        "--large",
        action="store_true",
        help="add seed_demo's large history (200 teams x 8 people x 104 weeks)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2

    database_url = os.environ.get(
        "BENCH_WEB_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/insightboard_bench_web"
    )
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
    var_dir = Path(tempfile.mkdtemp(prefix="insightboard-bench-web-"))
    app_port, floor_port = harness.free_port(), harness.free_port()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="insightboard.settings", DEBUG="false",
        SECRET_KEY="bench-only-not-a-secret", DATABASE_URL=database_url, REDIS_URL=redis_url,
        VAR_DIR=str(var_dir), ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SITE_URL=f"http://127.0.0.1:{app_port}", CONN_MAX_AGE="600",
    )  # fmt: skip
    recreate_database(database_url)
    import django

    django.setup()
    import redis
    from django.core.management import call_command

    redis.Redis.from_url(redis_url).flushdb()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    servers = []
    try:
        call_command("migrate", verbosity=0)
        call_command("collectstatic", "--noinput", verbosity=0)
        call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        if args.large:
            call_command("seed_demo", teams=200, people_per_team=8, weeks=104, prefix="bench",
                         stdout=open(os.devnull, "w"))  # fmt: skip  # noqa: SIM115

        servers = [
            gunicorn("app", "insightboard.wsgi", app_port, env, var_dir,
                     workers=args.workers, threads=args.threads),
            gunicorn("floor", "bench.floor:application", floor_port,
                     {**env, "DJANGO_SETTINGS_MODULE": "bench.floor"}, var_dir),
        ]  # fmt: skip
        for port in (app_port, floor_port):
            harness.wait_until(lambda p=port: harness.answering(f"http://127.0.0.1:{p}/"), timeout=30,
                               what=f"gunicorn on {port}")  # fmt: skip

        floor = wrk(f"http://127.0.0.1:{floor_port}/", {}, args.connections)
        rows = [("floor: 20 rows from PostgreSQL, a template", *floor)]
        for label, path, headers, body in pages():
            if args.only not in label:
                continue
            url = f"http://127.0.0.1:{app_port}{path}"
            rows.append((label, *wrk(url, headers, args.connections, body)))
    finally:
        for server in servers:
            server.stop()
        redis.Redis.from_url(redis_url).flushdb()
        if not args.keep:
            drop_database(database_url)

    data = "the demo data and seed_demo's 200 teams × 104 weeks" if args.large else "the demo data"
    lines = [
        f"Pages under gunicorn ({args.workers} workers × {args.threads} threads, DEBUG off, "
        f"PostgreSQL, Redis), {data}, wrk -c{args.connections} for {SECONDS} s, median of "
        f"{RUNS}; {dt.datetime.now(dt.UTC):%-d %b %Y}, {os.cpu_count()} cores, load generator "
        "on the same machine.",
        "",
        "| page | req/s | p50 | p95 | p99 | × floor |",
        "|---|---|---|---|---|---|",
    ]
    for label, rate, p50, p95, p99 in rows:
        lines.append(f"| {label} | {rate:.0f} | {p50:.1f} ms | {p95:.1f} ms | {p99:.1f} ms | "
                     f"{rate / floor[0]:.2f} |")  # fmt: skip
    print("\n".join(lines))
    if args.only or (args.workers, args.threads, args.connections) != (2, 1, CONNECTIONS):
        return 0  # a partial or a variant run: the figures of record stay
    results.write("Pages, large history" if args.large else "Pages, demo data", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
