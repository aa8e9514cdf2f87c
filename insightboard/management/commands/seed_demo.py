from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from insightboard import seed


class Command(BaseCommand):
    help = (
        "Add realistic history in bulk (teams, people, weekly meetings that ended, insights "
        "and their round results) for the dashboards and the benchmarks."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--teams", type=int, default=200)
        parser.add_argument("--people-per-team", type=int, default=8)
        parser.add_argument("--weeks", type=int, default=104)
        parser.add_argument("--prefix", default="seed", help="Team slugs and e-mails start so.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same data again.")

    def handle(self, *args, teams, people_per_team, weeks, prefix, **options) -> None:
        started = time.monotonic()
        counts = seed.seed(
            teams=teams, people_per_team=people_per_team, weeks=weeks, now=timezone.now(),
            prefix=prefix, rng_seed=options["seed"],
        )  # fmt: skip
        took = time.monotonic() - started
        summary = ", ".join(f"{n:,} {kind.replace('_', ' ')}" for kind, n in counts.items())
        self.stdout.write(f"Seeded {summary} in {took:.1f} s.")
