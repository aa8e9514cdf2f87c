"""Real parts for the reminder reliability tests and bench/reminders.py: an SMTP
server that records what it accepted and can be told to fail, an HTTP listener that
records every request it got, Celery worker and
beat processes started the way production starts them, and a PostgreSQL cluster of
a test's own that it may restart."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import glob
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


_HEADERS = BytesHeaderParser()


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
        # The headers only, as plain strings: a full parse costs more than the
        # dispatcher's whole send, and the benchmark would measure the sink.
        headers = _HEADERS.parsebytes(envelope.original_content or envelope.content)
        message_id = str(headers.get("Message-ID", "")).strip()
        to = str(headers.get("To", ""))
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


# --- HTTP -----------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    host: str
    path: str
    body: bytes


class HttpSink:
    """A real HTTP server on 127.0.0.1 that answers 200 to every POST and records every
    connection and request it got: a listener inside the network, say."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.connections = 0
        self.requests: list[Request] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def setup(self) -> None:
                super().setup()
                with sink.lock:
                    sink.connections += 1

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with sink.lock:
                    sink.requests.append(
                        Request("POST", self.headers.get("Host", ""), self.path, body)
                    )
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass  # quiet test output

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]

    def start(self) -> HttpSink:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def received(self) -> tuple[int, list[Request]]:
        """(connections, requests) so far."""
        with self.lock:
            return self.connections, list(self.requests)


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


def answering(url: str) -> bool:
    """Whether a web server answers at url, whatever its status."""
    try:
        urllib.request.urlopen(url, timeout=2)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


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


# --- A private PostgreSQL ---------------------------------------------------------------


def postgres_bindir() -> Path | None:
    """Debian's newest PostgreSQL server binaries (/usr/lib/postgresql/<version>/bin),
    usable by this process: as root they run as the postgres user (the server refuses
    to run as root), so that user and runuser must exist too."""

    def version(pg_ctl: str) -> list[int]:
        return [int(n) for n in Path(pg_ctl).parents[1].name.split(".") if n.isdigit()]

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=version)
    if not found:
        return None
    if os.geteuid() == 0 and not (shutil.which("runuser") and _uid("postgres") is not None):
        return None
    return Path(found[-1]).parent


def _uid(user: str) -> int | None:
    import pwd

    try:
        return pwd.getpwnam(user).pw_uid
    except KeyError:
        return None


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on a free port (trust auth), that a test may
    restart or stop without disturbing the shared server. Its files live in a
    directory of their own rather than tmp_path: as root the server runs as the
    postgres user, who can't enter pytest's root-only temporary directories (and a
    short path keeps the unix socket under its 107-byte limit)."""

    database = "insightboard"

    def __init__(self, bindir: Path, *, log_dir: Path) -> None:
        self.bindir = bindir
        self.log_dir = log_dir
        self.port = free_port()
        self.base = Path(tempfile.mkdtemp(prefix="insightboard-pg-"))
        self.data = self.base / "data"
        self.server_log = self.base / "postgres.log"
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            os.chown(self.base, _uid("postgres"), -1)
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *argv: str) -> str:
        result = subprocess.run([*self.as_postgres, *argv], capture_output=True, text=True,
                                timeout=60, cwd=self.base)  # fmt: skip
        if result.returncode:
            raise RuntimeError(f"{argv[0]} failed:\n{result.stdout}{result.stderr}\n"
                               f"{self.log[-3000:]}")  # fmt: skip
        return result.stdout

    def _pg_ctl(self, *args: str) -> None:
        options = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off")  # fmt: skip
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.server_log),
                  "-o", options, "-w", "-t", "30", *args)  # fmt: skip

    def start(self) -> PrivatePostgres:
        """initdb (the first time), start, and create the application's database."""
        if not self.data.exists():
            self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
                      "--auth=trust", "-E", "UTF8", "--no-sync")  # fmt: skip
        self._pg_ctl("start")
        with contextlib.closing(self.connect("postgres")) as conn:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.database])
                if cursor.fetchone() is None:
                    cursor.execute(f"CREATE DATABASE {self.database}")
        return self

    def restart(self, mode: str = "fast") -> None:
        """`pg_ctl restart -m fast`: every session is terminated, transactions in
        progress roll back, and the server is back when this returns."""
        self._pg_ctl("restart", "-m", mode)

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("stop", "-m", mode)

    def remove(self) -> None:
        """Stop (if running), keep the server log with the test's logs, delete the rest."""
        try:
            self.stop()
        finally:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                shutil.copy(self.server_log, self.log_dir / "postgres.log")
            shutil.rmtree(self.base, ignore_errors=True)

    def connect(self, database: str | None = None):
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres",
                                dbname=database or self.database, connect_timeout=5)  # fmt: skip

    def manage(self, *args: str, env: dict) -> str:
        """Run `manage.py <args>` against this cluster; returns its output."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env={**env, "DATABASE_URL": self.url},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        if result.returncode:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
            )
        return result.stdout

    @property
    def log(self) -> str:
        try:
            return self.server_log.read_text(errors="replace")
        except FileNotFoundError:
            return ""
