from __future__ import annotations

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (who brought an insight attended the meeting)
