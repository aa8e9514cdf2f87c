from __future__ import annotations

from django.core.management.base import BaseCommand

from insights.services import record_missing_rounds


class Command(BaseCommand):
    help = "Write the round results of ended meetings that have none (for the dashboards)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"Recorded {record_missing_rounds()} meeting(s).")
