"""Thumb-sized on a phone: one compact bar, targets a thumb can hit, a form that
survives being offline, and no sideways scrolling at 320 px or at 200 % zoom."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

from .conftest import follow_nav, log_in

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "var/screenshots"


def test_on_a_phone_the_navigation_is_one_compact_bar_naming_the_page(phone, member):
    log_in(phone, "bob@example.com", PASSWORD)
    phone.goto("/meetings/")

    assert phone.locator(".topbar").bounding_box()["height"] <= 70
    menu = phone.locator("summary", has_text="Menu")
    expect(menu).to_contain_text("Meetings")
    expect(phone.get_by_role("link", name="Library")).to_be_hidden()
    phone.screenshot(path=f"{SHOTS}/nav-phone-closed.png")

    menu.click()
    expect(phone.get_by_role("link", name="Meetings")).to_have_attribute("aria-current", "page")
    phone.screenshot(path=f"{SHOTS}/nav-phone-open.png")
    follow_nav(phone, "Library")
    expect(phone).to_have_url(re.compile(r"/insights/$"))
    expect(phone.locator("summary", has_text="Menu")).to_contain_text("Library")


def test_on_a_desktop_the_links_stay_in_the_bar(desktop, member):
    log_in(desktop, "bob@example.com", PASSWORD)
    desktop.goto("/meetings/")

    expect(desktop.locator("summary", has_text="Menu")).to_be_hidden()
    for name in ("Home", "Meetings", "Library", "Customers", "Teams", "My record", "Profile"):
        expect(desktop.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(desktop.get_by_role("button", name="Log out")).to_be_visible()
    assert desktop.locator(".topbar").bounding_box()["height"] <= 70
    desktop.screenshot(path=f"{SHOTS}/nav-desktop.png")
