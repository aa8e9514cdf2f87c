"""`make bench`'s all-hands burst, at a small size: locust against gunicorn on
PostgreSQL, a real Celery worker sending reminders into a real SMTP server during the
second run, and the check that every saved page has exactly one insight behind it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.db import connection

from tests.reminders import harness

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_the_all_hands_burst_saves_one_insight_per_saved_page_even_with_double_taps(db):
    url = (
        harness.database_url(connection.settings_dict).rsplit("/", 1)[0]
        + "/insightboard_test_burst"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(BENCH_BURST_DATABASE_URL=url, BENCH_BURST_REDIS_URL=os.environ["REDIS_URL"])
    argv = [sys.executable, "bench/burst.py", "--attendees", "20", "--facilitators", "2",
            "--admins", "1", "--window", "2", "--typing", "1", "--reminders", "100"]  # fmt: skip
    done = subprocess.run(argv, cwd=harness.ROOT, env=env, capture_output=True, text=True,
                          timeout=300)  # fmt: skip

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    # Attendees 0 and 10 of the twenty tap 2 and 3 times at once.
    taps = "2 double-tapped (5 posts at once): 2 of them got the saved page on every tap"
    assert f"Run 1, nothing else running: 20 saved pages, 20 insights; {taps}." in done.stdout
    assert f", 0 duplicated): 20 saved pages, 20 insights; {taps}." in done.stdout
    assert "Checked: exactly one insight per saved page, none without one, no 5xx." in done.stdout
