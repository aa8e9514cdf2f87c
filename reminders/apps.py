from __future__ import annotations

from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the outbox to the lower apps' events)
