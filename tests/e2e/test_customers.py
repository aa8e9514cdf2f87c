"""Customers across the organisation, in the browser: a facilitator folds a typo into
the right customer from a phone, and the organisation admin sees who is not heard."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from insights.models import Customer
from meetings.models import Membership
from tests.factories import PASSWORD, CustomerFactory, UserFactory, held

from .conftest import follow_nav, has_horizontal_scroll, log_in
from .test_thumb import too_small

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
NOW = dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def heard(team, other_team, facilitator, member, time_machine):
    """Sales heard from a typo of Acme Logistics; Engineering from Acme itself; a key
    account nobody talks to."""
    engineers = UserFactory.create_batch(2)
    for person in engineers:
        Membership.objects.create(team=other_team, user=person)
    held(other_team, engineers, weeks=2, bring=2, now=NOW, time_machine=time_machine, tick=True)
    Customer.objects.update(name="Acme Logistics")
    held(team, [facilitator, member], weeks=2, bring=2, now=NOW, time_machine=time_machine,
         tick=True)  # fmt: skip
    Customer.objects.exclude(name="Acme Logistics").update(name="Acme Logistcs")
    CustomerFactory(name="Globex Retail", tier=Customer.Tier.KEY, segment="Enterprise")


def test_a_facilitator_merges_a_typo_into_the_right_customer_from_a_phone(phone, heard):
    page = phone
    log_in(page, "alice@example.com", PASSWORD)
    typo = Customer.objects.get(name="Acme Logistcs")

    page.goto(typo.get_absolute_url())
    page.get_by_role("link", name="Rename or merge").click()
    page.get_by_label("The right customer").fill("acme logistics")
    page.get_by_role("button", name="Review the merge").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Merge “Acme Logistcs” into “Acme Logistics”?"
    )
    assert not has_horizontal_scroll(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "customer-merge-review-phone.png", full_page=True)
    page.get_by_role("button", name="Merge into “Acme Logistics”").click()

    expect(page.get_by_role("heading", name="Acme Logistics")).to_be_visible()
    expect(page.get_by_text("Also known as “Acme Logistcs”.")).to_be_visible()
    expect(page.locator("table.figures")).to_contain_text("Sales")
    expect(page.locator("table.figures")).to_contain_text("Engineering")
    assert not has_horizontal_scroll(page)
    page.screenshot(path=SCREENSHOTS / "customer-phone.png", full_page=True)
    assert Customer.objects.filter(name="Acme Logistcs").count() == 0


def test_the_org_admin_sees_who_is_not_heard_and_fits_a_phone(phone, heard, org_admin):
    page = phone
    log_in(page, "olivia@example.com", PASSWORD)

    follow_nav(page, "Customers")
    unheard = page.locator("#unheard-h ~ .table-wrap table")
    expect(unheard.get_by_role("row", name="Globex Retail")).to_contain_text("never")
    heard_table = page.locator("#heard-h ~ .table-wrap table")
    expect(heard_table).to_contain_text("Acme Logistics")
    assert not has_horizontal_scroll(page)
    page.screenshot(path=SCREENSHOTS / "customers-phone.png", full_page=True)


def test_every_target_on_the_customers_page_is_thumb_sized_at_390_px(phone, heard, org_admin):
    log_in(phone, "olivia@example.com", PASSWORD)
    phone.goto("/customers/")
    expect(phone.locator("#heard-h ~ .table-wrap")).to_contain_text("Acme Logistics")

    assert too_small(phone) == []
    phone.get_by_text("How are these computed?").click()
    assert too_small(phone) == []
