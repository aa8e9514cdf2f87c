from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from reminders import dispatch


class Command(BaseCommand):
    help = (
        "Plan and send the reminders that are due: one sweep, or --loop as a "
        "long-running fallback when Celery isn't there (cron or systemd)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep sweeping until stopped.")
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between sweeps.")

    def handle(self, *args, loop: bool, interval: float, **options) -> None:
        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while True:
            close_old_connections()
            sweep = dispatch.tick(budget=interval)
            if sweep.planned or sweep.claimed:
                self.stdout.write(
                    f"planned {sweep.planned} meeting(s), claimed {sweep.claimed}: {sweep.outcomes}"
                )
            if not loop or stopping:
                break
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.2)
            if stopping:
                break
