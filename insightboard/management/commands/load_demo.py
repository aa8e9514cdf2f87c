from __future__ import annotations

from django.core.management.base import BaseCommand

from insightboard import demo


class Command(BaseCommand):
    help = "Load the demo teams, people, meetings and insights (safe to run again)."

    def handle(self, *args, **options) -> None:
        demo.load()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Log in with any of these (password: {demo.PASSWORD}):")
        for email, name, role in demo.logins():
            self.stdout.write(f"  {email:<28} {name:<18} {role}")
