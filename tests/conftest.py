"""Shared fixtures: named personas, and the rule that a test needing a real
service skips locally without it but fails under CI=true."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket

import pytest
from django.db import connection

from meetings.models import Membership

from .factories import MembershipFactory, TeamFactory, UserFactory

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def redis_available() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def chromium_available() -> bool:
    return bool(shutil.which(CHROMIUM) or os.access(CHROMIUM, os.X_OK))


REQUIREMENTS = {
    "postgres": (
        "PostgreSQL (DATABASE_URL=postgres://...)",
        lambda: connection.vendor == "postgresql",
    ),
    "redis": ("Redis (REDIS_URL=redis://...)", redis_available),
    "browser": (f"Chromium at {CHROMIUM}", chromium_available),
}


def pytest_configure(config: pytest.Config) -> None:
    """Without Redis the app's cache is a database table, shared by its workers
    (settings.py); a test's counters would then outlive its transaction only in
    transactional tests. Tests use a per-process memory cache instead, cleared for
    each test below; with Redis, they use Redis, as in production."""
    from django.conf import settings

    if settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker, (what, available) in REQUIREMENTS.items():
        if item.get_closest_marker(marker) and not available():
            if CI:
                pytest.fail(
                    f"{what} is required under CI=true but is not available.", pytrace=False
                )
            pytest.skip(f"{what} not available")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _embedded_email(settings, tmp_path):
    """Tests capture e-mail in memory unless a test asks for another backend."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")


# --- Personas ---------------------------------------------------------------
# Alice facilitates the Sales team, Bob is a member of it, Carol is its team
# admin; Dave is in another team (the outsider); Olivia is the organisation admin.


@pytest.fixture
def team(db):
    return TeamFactory(name="Sales", slug="sales", time_zone="Europe/Brussels")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Engineering", slug="engineering", time_zone="America/New_York")


@pytest.fixture
def facilitator(team):
    user = UserFactory(email="alice@example.com", name="Alice Facilitator")
    MembershipFactory(team=team, user=user, role=Membership.Role.FACILITATOR)
    return user


@pytest.fixture
def member(team):
    user = UserFactory(email="bob@example.com", name="Bob Member")
    MembershipFactory(team=team, user=user, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def team_admin(team):
    user = UserFactory(email="carol@example.com", name="Carol Admin")
    MembershipFactory(team=team, user=user, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def outsider(other_team):
    user = UserFactory(email="dave@example.com", name="Dave Outsider")
    MembershipFactory(team=other_team, user=user, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def org_admin(db):
    return UserFactory(
        email="olivia@example.com", name="Olivia Orgadmin", is_staff=True, is_superuser=True
    )


@pytest.fixture
def deliver():
    """Send what the outbox holds now, as the dispatcher's next sweep does; returns
    the e-mails sent so far (every message goes through the outbox)."""
    from django.core import mail

    from reminders import dispatch

    def sweep():
        dispatch.tick(plan=False)
        return mail.outbox

    return sweep


@pytest.fixture(autouse=True)
def _tasks_run_in_process():
    """A task queued by the code under test (the outbox's nudge after a commit) runs
    right there, in the test's process: the real dispatcher, no broker."""
    from insightboard.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def counts_only(db):
    """The organisation shares only counts and dates of other teams' insights."""
    from insights.models import Sharing

    Sharing.objects.update_or_create(pk=1, defaults={"other_teams": Sharing.Scope.COUNTS})


# Any global address: the tests that use it never connect to it (the HTTP boundary is
# faked, or the target is refused first).
A_PUBLIC_ADDRESS = "3.120.0.10"


@pytest.fixture
def dns(monkeypatch):
    """Name lookups answered by the test, the one external boundary tests fake:
    `dns["hooks.slack.com"] = [A_PUBLIC_ADDRESS]`. An answer may be an (address, port)
    pair, to steer a connection at a local listener. Addresses and localhost resolve as
    themselves; any other name is not found, so no test asks the real DNS."""
    answers: dict[str, list] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            found = []
            for answer in answers[host]:
                address, to_port = answer if isinstance(answer, tuple) else (answer, port)
                if ":" in address:
                    found.append((socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "",
                                  (address, int(to_port), 0, 0)))  # fmt: skip
                else:
                    found.append((socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "",
                                  (address, int(to_port))))  # fmt: skip
            return found
        if host not in (None, "localhost"):
            try:
                ipaddress.ip_address(host)
            except ValueError:
                raise socket.gaierror(
                    socket.EAI_NONAME, f"{host}: not found (tests never ask the real DNS)"
                ) from None
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers
