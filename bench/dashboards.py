"""Dashboard benchmark: `make bench` (needs PostgreSQL).

In a scratch PostgreSQL database it creates and drops itself (insightboard_bench_pages):
  1. seeds large history with `seed_demo` (200 teams x 8 people x 104 weeks) and
     reports how long that took;
  2. times, in this process through Django's whole request stack (middleware,
     session, view, template), the server time of the organisation dashboard, a
     team dashboard, my record and a library search: the first request (cold: nothing
     computed yet for that page) and the median and 90th percentile of the repeated
     requests after it (warm);
  3. times the simplest page in the same run: a static template with 20 rows behind
     the same middleware (the floor), and reports each page as a ratio to it. The
     machine is shared and noisy; ratios to a floor measured alongside are what
     compare from run to run.

Environment: BENCH_PAGES_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/insightboard_bench_pages; dropped and re-created).
--keep leaves the database; --reuse times a database an earlier --keep left (migrated,
not re-seeded) when it holds the same size; --teams/--people/--weeks change the size.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
import types
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.reminders import drop_database, recreate_database  # noqa: E402

FLOOR_TEMPLATE = """{% extends "base.html" %}{% block content %}<h1>Floor</h1><table>
{% for row in rows %}<tr><td>{{ row.0 }}</td><td>{{ row.1 }}</td><td>{{ row.2 }}</td></tr>{% endfor %}
</table>{% endblock %}"""


def floor_view(request):
    """The framework's floor for a real page: a static template with 20 rows."""
    from django.http import HttpResponse
    from django.template import engines

    template = engines["django"].from_string(FLOOR_TEMPLATE)
    rows = [(i, f"Row {i}", "static") for i in range(20)]
    return HttpResponse(template.render({"rows": rows}, request))


def bench_urls() -> str:
    """The project's URLs plus the floor page, as a module Django can import."""
    from django.urls import include, path

    module = types.ModuleType("bench_urls")
    module.urlpatterns = [path("bench/floor/", floor_view), path("", include("insightboard.urls"))]
    sys.modules["bench_urls"] = module
    return "bench_urls"


@dataclass(frozen=True)
class Timing:
    cold: float  # the first request: whatever the page computes once, it computes here
    median: float
    p90: float


def timing(client, url: str, repeat: int) -> Timing:
    def one() -> float:
        began = time.perf_counter()
        response = client.get(url)
        took = (time.perf_counter() - began) * 1000
        assert response.status_code == 200, (url, response.status_code)
        return took

    cold = one()
    for _ in range(2):  # warm: connections, template caches
        one()
    times = sorted(one() for _ in range(repeat))
    return Timing(cold, statistics.median(times), times[max(0, math.ceil(0.9 * repeat) - 1)])


def seeded(teams: int, people: int, weeks: int) -> bool:
    """Whether the database already holds what this run would seed (for --reuse)."""
    from django.db.utils import DatabaseError

    from meetings.models import Meeting, Membership, Team

    try:
        return (
            Team.objects.filter(slug__startswith="bench-").count() == teams
            and Membership.objects.filter(team__slug__startswith="bench-").count() == teams * people
            and Meeting.objects.filter(team__slug__startswith="bench-").count() == teams * weeks
        )
    except DatabaseError:  # not migrated yet: nothing there
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--people", type=int, default=8)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()

    database_url = os.environ.get(
        "BENCH_PAGES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/insightboard_bench_pages"
    )
    if not args.reuse:
        recreate_database(database_url)
    os.environ["DATABASE_URL"] = database_url
    # As in production: DEBUG off (no query log, cached templates), Redis as the cache.
    os.environ.update(DEBUG="false", SECRET_KEY="bench-only-not-a-secret")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insightboard.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from accounts.models import User
    from insights.models import Customer
    from meetings.models import Membership, Team

    settings.ROOT_URLCONF = bench_urls()
    # The test client without setup_test_environment(): that one instruments every
    # template render (a context copy per template), which no real request pays.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Static URLs without collectstatic's manifest (the files themselves aren't served).
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # fmt: skip
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise warns without it
    try:
        reused = args.reuse and seeded(args.teams, args.people, args.weeks)
        if args.reuse and not reused:
            connections.close_all()
            recreate_database(database_url)
        call_command("migrate", verbosity=0)
        from django.core.cache import cache

        cache.clear()  # its own Redis database: nothing kept from an earlier run
        seed_seconds = None
        if not reused:
            began = time.monotonic()
            call_command("seed_demo", teams=args.teams, people_per_team=args.people,
                         weeks=args.weeks, prefix="bench")  # fmt: skip
            seed_seconds = time.monotonic() - began
        admin, _ = User.objects.get_or_create(
            email="bench@example.com",
            defaults={"name": "Bench", "is_staff": True, "is_superuser": True},
        )
        team = Team.objects.order_by("pk")[5]
        key_account = Customer.objects.filter(tier=Customer.Tier.KEY).order_by("pk").first()
        member = Membership.objects.filter(team=team).select_related("user").last().user
        client = Client()
        client.force_login(admin)
        person = Client()
        person.force_login(member)

        floor = timing(client, "/bench/floor/", args.repeat)
        pages = [
            ("organisation dashboard (12 weeks)", client, "/dashboard/"),
            ("organisation dashboard (52 weeks)", client, "/dashboard/?period=52w"),
            ("team dashboard", client, f"/teams/{team.slug}/dashboard/"),
            ("my record", person, "/me/record/"),
            ("customer coverage (12 weeks)", client, "/customers/"),
            ("customer coverage (52 weeks)", client, "/customers/?period=52w"),
            ("a key account's page", person, f"/customers/{key_account.pk}/"),
            ("library, first page (member)", person, "/insights/"),
            ("library search (member)", person, "/insights/?q=spreadsheet"),
            ("library search (org admin)", client, "/insights/?q=spreadsheet"),
        ]
        rows = [(name, timing(c, url, args.repeat)) for name, c, url in pages]
        floor_after = timing(client, "/bench/floor/", args.repeat)
    finally:
        if not args.keep:
            drop_database(database_url)

    floor_timing = min(floor, floor_after, key=lambda t: t.median)
    floor = floor_timing.median
    print(f"\n=== Dashboards at {args.teams} teams x {args.people} people x {args.weeks} weeks ===")
    if seed_seconds is None:
        print("seed_demo: skipped (--reuse: the database already held this size)")
    else:
        print(f"seed_demo: {seed_seconds:.1f} s")
    print("Server time in ms, and as a ratio to the floor's warm median (target: warm < 5x).")
    print(f"{'page':38} {'cold':>16} {'warm median':>17} {'warm p90':>16}")
    for name, t in [("floor: static template, 20 rows", floor_timing), *rows]:
        cells = [f"{ms:7.1f} {ms / floor:5.1f}x" for ms in (t.cold, t.median, t.p90)]
        print(f"{name:38} {cells[0]:>16} {cells[1]:>17} {cells[2]:>16}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
