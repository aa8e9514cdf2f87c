"""The limits hold however many web workers count them: gunicorn with two workers,
each recycled after three requests (a counter kept in a worker's memory would start
again each time), on the embedded defaults `make run` uses (SQLite, no Redis)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.reminders import harness

WORKERS = 2


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app under gunicorn on the embedded defaults, with Sofia's account."""
    var = tmp_path_factory.mktemp("var")
    port = harness.free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PYTEST") and k not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL"}}  # fmt: skip
    env.update(DJANGO_SETTINGS_MODULE="insightboard.settings", VAR_DIR=str(var), DEBUG="false",
               SECRET_KEY="limits-test-" * 5, ALLOWED_HOSTS="127.0.0.1",
               SITE_URL=f"http://127.0.0.1:{port}")  # fmt: skip

    def manage(*args: str) -> None:
        subprocess.run([sys.executable, "manage.py", *args], cwd=harness.ROOT, env=env,
                       check=True, capture_output=True)  # fmt: skip

    manage("migrate", "--noinput")
    manage("createcachetable")
    manage("collectstatic", "--noinput")
    manage("shell", "-c", "from accounts.models import User; "
           "User.objects.create_user('sofia@example.com', 'the-right-one-42', name='Sofia')")  # fmt: skip
    server = harness.Process(
        "gunicorn",
        [sys.executable, "-m", "gunicorn", "insightboard.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS), "--max-requests", "3"],
        env=env, log_dir=var,
    )  # fmt: skip
    server.start()
    try:
        harness.wait_ready(server, marker="Booting worker", timeout=30)
        harness.wait_until(lambda: harness.answering(f"http://127.0.0.1:{port}/healthz"), timeout=30,
                           what="gunicorn to answer")  # fmt: skip
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


class Browser:
    """Cookies and CSRF tokens, as a browser posting a form would have them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects()
        )

    def post_form(self, path: str, fields: dict) -> int:
        page = self.opener.open(self.base + path, timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        try:
            return self.opener.open(self.base + path, data=data, timeout=10).status
        except urllib.error.HTTPError as error:
            return error.code


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_wrong_passwords_lock_the_account_whichever_worker_answers(site):
    browser = Browser(site)
    answers = [
        browser.post_form("/accounts/login/", {"username": "sofia@example.com", "password": "no"})
        for _ in range(12)
    ]
    right = browser.post_form(
        "/accounts/login/", {"username": "sofia@example.com", "password": "the-right-one-42"}
    )

    assert answers[:9] == [200] * 9  # "doesn't match", next to the form
    assert answers[9:] == [429] * 3  # the tenth locks the account
    assert right == 429


def test_reset_requests_from_one_client_stop_at_the_limit_whichever_worker_answers(site):
    browser = Browser(site)
    answers = [
        browser.post_form("/accounts/password-reset/", {"email": f"nobody{n}@example.com"})
        for n in range(22)
    ]

    assert answers == [302] * 20 + [429] * 2
