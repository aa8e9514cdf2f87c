from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from tests.factories import PASSWORD

from .conftest import PHONE, has_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_invited_person_creates_an_account_from_the_link_and_lands_on_the_team(
    desktop, new_context, live_server, team, team_admin
):
    log_in(desktop, "carol@example.com", PASSWORD)
    desktop.goto("/teams/sales/")
    desktop.get_by_label("E-mail addresses").fill("ana@example.com")
    desktop.get_by_role("button", name="Send invitations").click()
    expect(desktop.get_by_text("Invitation sent to ana@example.com")).to_be_visible()
    expect(desktop.get_by_text("Waiting for an answer")).to_be_visible()
    desktop.screenshot(path="var/screenshots/team-page-desktop.png", full_page=True)

    link = re.search(r"https?://\S+(/invitations/\S+/)", mail.outbox[-1].body).group(1)
    # Ana opens the link on her phone, in Lisbon.
    phone = new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, base_url=live_server.url,
        timezone_id="Europe/Lisbon",
    ).new_page()  # fmt: skip
    phone.goto(link)
    expect(phone.get_by_role("heading", name="Join Sales")).to_be_visible()
    expect(phone.get_by_label("Time zone")).to_have_value("Europe/Lisbon")
    assert not has_horizontal_scroll(phone)
    phone.screenshot(path="var/screenshots/invitation-signup-phone.png", full_page=True)
    phone.get_by_label("Your name").fill("Ana Silva")
    phone.get_by_label("Choose a password").fill("sunny-lisbon-2026")
    phone.get_by_role("button", name="Create account and join").click()

    expect(phone.get_by_text("Welcome to Sales!")).to_be_visible()
    expect(phone.get_by_role("heading", name="Sales", exact=True)).to_be_visible()
    assert User.objects.get(email="ana@example.com").time_zone == "Europe/Lisbon"
    assert not has_horizontal_scroll(phone)
    phone.screenshot(path="var/screenshots/team-page-phone.png", full_page=True)


def test_team_admin_changes_a_role_without_a_page_reload(desktop, team, team_admin, member):
    log_in(desktop, "carol@example.com", PASSWORD)
    desktop.goto("/teams/sales/")
    desktop.evaluate("window.__sameDocument = true")

    desktop.get_by_label("Role of Bob Member").select_option("facilitator")

    row = desktop.locator(f"#member-{member.memberships.get().pk}")
    expect(row.get_by_text("Saved")).to_be_visible()
    assert desktop.evaluate("window.__sameDocument") is True
    assert member.memberships.get().role == "facilitator"
