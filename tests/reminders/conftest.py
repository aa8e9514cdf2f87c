"""Fixtures with real parts: an SMTP server (aiosmtpd), an HTTP listener, Celery worker and beat
processes sharing the PostgreSQL test database, and Redis.

Subprocesses only see committed rows, so the tests that use them are
`django_db(transaction=True)` and marked `postgres` (an in-memory SQLite test
database can't be shared between processes) and `redis`."""

from __future__ import annotations

import os
import shutil

import pytest
import redis
from django.db import connection

from tests.conftest import CI

from . import harness


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server; Django in this process sends to it."""
    sink = harness.SmtpSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    yield sink
    sink.stop()


@pytest.fixture
def http_sink():
    """A real HTTP listener on 127.0.0.1 that records everything it got."""
    sink = harness.HttpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def broker_url():
    """The shared test Redis database (REDIS_URL, db 15 in CI), emptied first so no
    message from an earlier test is still queued."""
    url = os.environ["REDIS_URL"]
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def private_redis(tmp_path):
    """A Redis server of this test's own, on a free port, that the test may stop and
    start again; always stopped at the end. Needs the redis-server binary."""
    if not shutil.which("redis-server"):
        message = "redis-server binary not found"
        if CI:
            pytest.fail(f"{message}: required under CI=true", pytrace=False)
        pytest.skip(message)
    port = harness.free_port()
    servers: list[harness.Process] = []

    class PrivateRedis:
        url = f"redis://127.0.0.1:{port}/0"

        def start(self) -> None:
            server = harness.redis_server(port, log_dir=tmp_path / "redis").start()
            servers.append(server)
            harness.wait_until(self.up, timeout=10, what="redis-server to answer")

        def stop(self) -> None:
            servers[-1].stop()
            assert not self.up()

        def up(self) -> bool:
            try:
                return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
            except redis.RedisError:
                return False

        def client(self) -> redis.Redis:
            return redis.Redis.from_url(self.url)

    server = PrivateRedis()
    server.start()
    yield server
    for process in servers:
        process.stop()


@pytest.fixture
def private_postgres(tmp_path):
    """A PostgreSQL cluster of this test's own (Debian's binaries), migrated, on a
    free port: .url, .restart(mode="fast"), .stop(), .connect(). Never the shared
    server. Always stopped and deleted at the end (its log kept in tmp_path/logs)."""
    bindir = harness.postgres_bindir()
    if bindir is None:
        message = "PostgreSQL server binaries (/usr/lib/postgresql/*/bin) not usable"
        if CI:
            pytest.fail(f"{message}: required under CI=true", pytrace=False)
        pytest.skip(message)
    server = harness.PrivatePostgres(bindir, log_dir=tmp_path / "logs")
    try:
        server.start()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        server.manage("migrate", "--noinput", env={**env, "VAR_DIR": str(tmp_path / "var")})
        yield server
    finally:
        server.remove()


@pytest.fixture
def process_env(transactional_db, smtp_sink, broker_url, tmp_path):
    """The environment of a worker, beat or command process: the same (test)
    database as this process, the test Redis, e-mail to the sink."""
    return harness.process_env(
        database_url=harness.database_url(connection.settings_dict),
        redis_url=broker_url,
        email_url=smtp_sink.url,
        var_dir=tmp_path / "var",
    )


@pytest.fixture
def celery_worker(process_env, tmp_path):
    """Start a real `celery -A insightboard worker`: celery_worker("w1", concurrency=2).
    Returns once it logged "ready". Each has .kill() (SIGKILL to its process group)
    and .stop(); every worker still running is stopped (SIGTERM, then SIGKILL) at
    the end, before the test database is flushed."""
    started: list[harness.Process] = []

    def start(name: str = "w1", *, concurrency: int = 2, **env) -> harness.Process:
        worker = harness.celery_worker(
            name, env={**process_env, **env}, log_dir=tmp_path / "logs", concurrency=concurrency
        ).start()
        started.append(worker)
        harness.wait_ready(worker, marker=" ready.")
        return worker

    yield start
    for worker in reversed(started):
        worker.stop()


@pytest.fixture
def celery_beat(process_env, tmp_path):
    """Start a real `celery -A insightboard beat` with its own schedule file."""
    started: list[harness.Process] = []

    def start(name: str = "beat1") -> harness.Process:
        beat = harness.celery_beat(name, env=process_env, log_dir=tmp_path / "logs").start()
        started.append(beat)
        harness.wait_ready(beat, marker="beat: Starting")
        return beat

    yield start
    for beat in reversed(started):
        beat.stop()
