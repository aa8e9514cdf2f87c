"""Every page shares one layout: our own htmx, the CSRF header for htmx requests, a strict CSP."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def home_page(client, member):
    client.force_login(member)
    return client.get("/")


def test_htmx_is_served_from_our_own_static_files(home_page):
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', home_page.content.decode())

    assert any(s.startswith("/static/django_htmx/htmx-2") for s in scripts)
    assert not any(s.startswith(("http:", "https:", "//")) for s in scripts), "no CDN"


def test_htmx_requests_carry_the_csrf_token(home_page):
    token = home_page.context["csrf_token"]

    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in home_page.content.decode()


def test_pages_send_a_content_security_policy_without_inline_code(home_page):
    header = home_page["Content-Security-Policy"]
    policy = dict(d.strip().split(" ", 1) for d in header.split(";"))

    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in header


def test_pages_have_no_inline_script_or_style(home_page):
    html = home_page.content.decode()

    assert "<style" not in html
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "every script is a file"
