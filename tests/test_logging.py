"""What the logs say: a refused request is one warning line, an error keeps its traceback."""

from __future__ import annotations

import logging
import sys

import pytest

pytestmark = pytest.mark.django_db


def test_a_403_is_one_warning_line_without_a_traceback(client, member, caplog):
    client.force_login(member)

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/dashboard/")

    assert response.status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelname == "WARNING"
    assert record.getMessage() == "Forbidden (Permission denied): /dashboard/"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text
    assert caplog.text.strip().count("\n") == 0


def test_a_server_error_keeps_its_traceback(caplog):
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        with caplog.at_level(logging.ERROR, logger="django.request"):
            logging.getLogger("django.request").error(
                "Internal Server Error: /", exc_info=sys.exc_info(), extra={"status_code": 500}
            )

    assert "Traceback" in caplog.text and "RuntimeError: boom" in caplog.text
