"""The floor page: the framework's cost for a real page, beside the app (bench/pages.py).

A minimal Django project in one module: one view that reads 20 rows from the same
PostgreSQL database and renders them with a template, no middleware but the
essentials, DEBUG off, persistent connections. Run under gunicorn with
DJANGO_SETTINGS_MODULE=bench.floor and WSGI app bench.floor:application."""

from __future__ import annotations

import os

import environ
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.shortcuts import render
from django.urls import path

env = environ.Env()
DEBUG = False
SECRET_KEY = "bench-floor-not-a-secret"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = __name__
DATABASES = {"default": {**env.db_url("DATABASE_URL"), "CONN_MAX_AGE": 600}}
INSTALLED_APPS: list[str] = []
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [os.path.join(os.path.dirname(__file__), "templates")],
}]  # fmt: skip
USE_TZ = True


def rows(request):
    """20 rows from PostgreSQL into a template: what every real page does at least."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, title, starts_at FROM meetings_meeting ORDER BY id LIMIT 20")
        meetings = cursor.fetchall()
    return render(request, "floor.html", {"meetings": meetings})


urlpatterns = [path("", rows)]
application = get_wsgi_application()
