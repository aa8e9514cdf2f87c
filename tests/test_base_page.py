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


def test_the_phone_menu_names_the_page_shown_and_marks_its_link(client, member):
    client.force_login(member)

    html = client.get("/meetings/").content.decode()

    assert '<span class="menu-here">Meetings</span>' in html
    nav = html.split('aria-label="Main"')[1].split("</nav>")[0]
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', nav) == ["/meetings/"]


def test_a_page_outside_the_menu_names_none(client, member):
    client.force_login(member)

    html = client.get("/teams/no-such-team/").content.decode()

    assert "menu-here" not in html
    assert "Menu" in html


def test_only_organisation_admins_have_the_reminders_and_outbox_links(client, member, org_admin):
    client.force_login(member)
    html = client.get("/meetings/").content.decode()
    assert ">Outbox<" not in html and ">Reminders<" not in html and ">Home<" in html

    client.force_login(org_admin)
    html = client.get("/meetings/").content.decode()
    assert ">Outbox<" in html and ">Reminders<" in html and ">Dashboard<" in html


def test_favicon_ico_leads_to_our_icon_for_pages_that_do_not_link_it(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("/img/favicon.svg")
