"""Dashboard benchmark: `make bench` (needs PostgreSQL).

In a scratch PostgreSQL database it creates and drops itself (insightboard_bench_pages):
  1. seeds large history with `seed_demo` (200 teams x 8 people x 104 weeks) and
     reports how long that took;
  2. times, in this process through Django's whole request stack (middleware,
     session, view, template), the server time of the organisation dashboard, a
     team dashboard, my record and a library search, each as the median of repeated
     requests;
  3. times the simplest page in the same run: a static template with 20 rows behind
     the same middleware (the floor), and reports each page as a ratio to it. The
     machine is shared and noisy; ratios to a floor measured alongside are what
     compare from run to run.

Environment: BENCH_PAGES_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/insightboard_bench_pages; dropped and re-created).
--keep leaves the database; --teams/--people/--weeks change the size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import types
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


def median_ms(client, url: str, repeat: int) -> float:
    for _ in range(3):  # warm: connections, template caches
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--people", type=int, default=8)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    database_url = os.environ.get(
        "BENCH_PAGES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/insightboard_bench_pages"
    )
    recreate_database(database_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insightboard.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import User
    from meetings.models import Membership, Team

    settings.ROOT_URLCONF = bench_urls()
    setup_test_environment()  # the test client's request handling, no test database
    try:
        call_command("migrate", verbosity=0)
        began = time.monotonic()
        call_command("seed_demo", teams=args.teams, people_per_team=args.people,
                     weeks=args.weeks, prefix="bench")  # fmt: skip
        seeded = time.monotonic() - began
        admin = User.objects.create(email="bench@example.com", name="Bench", is_staff=True,
                                    is_superuser=True)  # fmt: skip
        team = Team.objects.order_by("pk")[5]
        member = Membership.objects.filter(team=team).select_related("user").last().user
        client = Client()
        client.force_login(admin)
        person = Client()
        person.force_login(member)

        floor = median_ms(client, "/bench/floor/", args.repeat)
        pages = [
            ("organisation dashboard (12 weeks)", client, "/dashboard/"),
            ("organisation dashboard (52 weeks)", client, "/dashboard/?period=52w"),
            ("team dashboard", client, f"/teams/{team.slug}/dashboard/"),
            ("my record", person, "/me/record/"),
            ("library search", client, "/insights/?q=spreadsheet"),
        ]
        rows = [(name, median_ms(c, url, args.repeat)) for name, c, url in pages]
        floor_after = median_ms(client, "/bench/floor/", args.repeat)
    finally:
        if not args.keep:
            drop_database(database_url)

    floor = min(floor, floor_after)
    print(f"\n=== Dashboards at {args.teams} teams x {args.people} people x {args.weeks} weeks ===")
    print(f"seed_demo: {seeded:.1f} s")
    print(f"{'page':38} {'median':>9} {'x floor':>8}  (target < 5x)")
    print(f"{'floor: static template, 20 rows':38} {floor:7.1f} ms {1:7.1f}x")
    for name, ms in rows:
        print(f"{name:38} {ms:7.1f} ms {ms / floor:7.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
