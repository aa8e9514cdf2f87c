"""Real parts for the reminder reliability tests and bench/reminders.py: an SMTP
server that records what it accepted and can be told to fail, and Celery worker and
beat processes started the way production starts them."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import email
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from email.policy import default as default_policy
from pathlib import Path
from urllib.parse import quote

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]

# aiosmtpd logs every SMTP command at INFO: thousands of lines, and slow.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, *, timeout: float, interval: float = 0.1, what: str = "condition"):
    """Poll until condition() is truthy; returns its value or fails with what."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


# --- SMTP ---------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    message_id: str
    to: str
    at: float


class _Handler:
    """aiosmtpd handler. Runs on the controller's event loop thread; everything the
    test thread reads goes through the lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.refused: list[tuple[str, int]] = []  # (Message-ID, code) answered with an error
        self.hung: list[str] = []  # Message-IDs whose answer was held back
        self.fail_count = 0
        self.fail_code = 451
        self.fail_forever = False
        self.hang_seconds = 0.0
        self.hang_accepts = False
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=default_policy)  # fmt: skip
        message_id = str(message.get("Message-ID", "")).strip()
        to = str(message.get("To", ""))
        with self.lock:
            failing = self.fail_forever or self.fail_count > 0
            if failing and not self.fail_forever:
                self.fail_count -= 1
            code, hang, accepts = self.fail_code, self.hang_seconds, self.hang_accepts
            if failing:
                self.refused.append((message_id, code))
            elif hang:
                self.hung.append(message_id)
                if accepts:
                    # The server has the message; only its "250" is late. A client
                    # that dies now never learns it was delivered (RFC 1047).
                    self.received.append(Received(message_id, to, time.monotonic()))
            else:
                self.received.append(Received(message_id, to, time.monotonic()))
        if failing:
            return f"{code} {'4.3.0 try again later' if code < 500 else '5.1.1 refused'}"
        if hang:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + hang
            while loop.time() < deadline and not self.release.is_set():
                await asyncio.sleep(0.05)
            return "250 OK" if accepts else "451 4.4.2 timed out"
        return "250 OK"


class SmtpSink:
    """A real SMTP server on 127.0.0.1 that records every message it accepted."""

    def __init__(self, port: int | None = None) -> None:
        """On a free port, or on a given one (a server "coming back" after stop())."""
        self.handler = _Handler()
        self.port = port or free_port()
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, server_hostname="sink.test",
            ready_timeout=10,
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.handler.release.set()
        with contextlib.suppress(Exception):
            self.controller.stop()

    # What arrived.
    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    @property
    def refused(self) -> list[tuple[str, int]]:
        with self.handler.lock:
            return list(self.handler.refused)

    @property
    def hung(self) -> list[str]:
        with self.handler.lock:
            return list(self.handler.hung)

    def counts(self) -> collections.Counter[str]:
        """Message-ID -> how many times the server accepted it."""
        return collections.Counter(r.message_id for r in self.received)

    def duplicates(self) -> dict[str, int]:
        return {mid: n for mid, n in self.counts().items() if n > 1}

    # How it misbehaves.
    def fail_next(self, n: int, code: int = 451) -> None:
        with self.handler.lock:
            self.handler.fail_count, self.handler.fail_code = n, code

    def fail_always(self, code: int = 550) -> None:
        with self.handler.lock:
            self.handler.fail_forever, self.handler.fail_code = True, code

    def hang(self, seconds: float, *, accept: bool = False) -> None:
        """Hold every answer to DATA for seconds. accept=False answers 451 at the end
        and keeps nothing (a server that gave up too); accept=True keeps the message
        as received at once (the crash window: delivered, not yet acknowledged)."""
        with self.handler.lock:
            self.handler.release.clear()
            self.handler.hang_seconds, self.handler.hang_accepts = seconds, accept

    def heal(self) -> None:
        """Back to accepting everything at once; answers held by hang() are released."""
        with self.handler.lock:
            self.handler.fail_count, self.handler.fail_forever = 0, False
            self.handler.hang_seconds = 0.0
        self.handler.release.set()


# --- Processes ------------------------------------------------------------------


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database Django is connected to (in tests: test_…)."""
    user = quote(settings_dict.get("USER") or "")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password)}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


def process_env(*, database_url: str, redis_url: str, email_url: str, var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="insightboard.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        EMAIL_URL=email_url,
        VAR_DIR=str(var_dir),
        PYTHONUNBUFFERED="1",
    )
    return env


class Process:
    """A child process in its own process group, its output in a log file."""

    def __init__(self, name: str, argv: list[str], *, env: dict, log_dir: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(
                self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        return self

    @property
    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def _signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, sig)

    def kill(self) -> None:
        """SIGKILL to the whole group: the main process and its pool children die at
        once, mid-send, as in a power cut or an OOM kill of the container."""
        if self.popen is None:
            return
        self._signal_group(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, timeout: float = 10) -> None:
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self._signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=timeout)
        # Pool children left behind by a main process that went first.
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5)


def celery_worker(name: str, *, env: dict, log_dir: Path, concurrency: int = 2) -> Process:
    argv = [
        sys.executable, "-m", "celery", "-A", "insightboard", "worker",
        "--loglevel", "INFO", "--concurrency", str(concurrency), "--pool", "prefork",
        "--hostname", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    return Process(name, argv, env=env, log_dir=log_dir)


def celery_beat(name: str, *, env: dict, log_dir: Path) -> Process:
    argv = [
        sys.executable, "-m", "celery", "-A", "insightboard", "beat", "--loglevel", "INFO",
        "--schedule", str(log_dir / f"{name}-schedule"), "--pidfile", "",
    ]  # fmt: skip
    return Process(name, argv, env=env, log_dir=log_dir)


def wait_ready(process: Process, *, marker: str, timeout: float = 60) -> None:
    def ready() -> bool:
        if not process.alive():
            raise RuntimeError(f"{process.name} exited early:\n{process.log[-4000:]}")
        return marker in process.log

    wait_until(ready, timeout=timeout, what=f"{process.name} to log {marker!r}")


def redis_server(port: int, *, log_dir: Path) -> Process:
    """A private Redis the test may stop and start without disturbing anyone."""
    argv = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
            "--appendonly", "no", "--dir", str(log_dir)]  # fmt: skip
    return Process(f"redis-{port}", argv, env=dict(os.environ), log_dir=log_dir)
