"""The Celery app. Redis (or, embedded, a folder) only triggers work; the
database holds what is owed, so a lost or duplicated message costs nothing."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insightboard.settings")

app = Celery("insightboard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
