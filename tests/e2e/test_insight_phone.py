"""From the reminder's link to the facilitator's screen, on a phone, losing nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from insights import links
from insights.models import Insight
from meetings import services
from tests.factories import PASSWORD

from .conftest import PHONE, has_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)

SAID = "She keeps the app open on her phone to answer patients in the corridor."


def test_attendee_submits_from_a_reminder_link_through_a_dropped_connection(
    desktop, new_context, live_server, team, facilitator, member
):
    meeting = services.create_meeting(
        team=team, title="Monday customer round", duration_minutes=30,
        starts_at=timezone.now() + dt.timedelta(hours=1),
    )  # fmt: skip
    log_in(desktop, "alice@example.com", PASSWORD)
    desktop.goto(f"/teams/sales/meetings/{meeting.pk}/")
    expect(desktop.locator("#round")).to_contain_text("0 of 2")

    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    link = links.submit_link(member, meeting).replace("http://localhost:8000", live_server.url)
    phone.goto(link)
    expect(phone.get_by_role("heading", name="Your fresh customer insight")).to_be_visible()
    expect(phone.get_by_test_id("teammates")).to_contain_text("0 of 2")
    assert (
        phone.get_by_label("When you talked").input_value()
        == timezone.localdate(timezone=member.zone).isoformat()
    )
    assert not has_horizontal_scroll(phone)
    phone.get_by_label("Customer", exact=True).fill("Brightside Dental")
    phone.get_by_label("Who you talked to (optional)").fill("Receptionist")
    phone.get_by_label("What the customer said or did").fill(SAID)
    phone.get_by_label("What it means for us").fill("The phone view deserves desktop's care.")
    phone.screenshot(path="var/screenshots/insight-form-phone.png", full_page=True)

    # The connection drops as the form is sent.
    phone.route(
        "**/i/**",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    try:
        phone.get_by_role("button", name="Save my insight").click()
        phone.wait_for_load_state()
    except PlaywrightError:
        pass
    assert not Insight.objects.exists()

    phone.unroute("**/i/**")
    phone.goto(link)
    expect(phone.get_by_text("Your unsaved draft is back.")).to_be_visible()
    expect(phone.get_by_label("What the customer said or did")).to_have_value(SAID)
    expect(phone.get_by_label("Customer", exact=True)).to_have_value("Brightside Dental")
    phone.get_by_role("button", name="Save my insight").click()

    expect(phone.get_by_text("Saved ✓")).to_be_visible()
    assert phone.evaluate(f"localStorage.getItem('insight-draft:{meeting.pk}:{member.pk}')") is None
    phone.screenshot(path="var/screenshots/insight-saved-phone.png", full_page=True)
    assert Insight.objects.get().author == member

    # The facilitator's agenda, open all along, counts it without a reload.
    expect(desktop.locator("#round")).to_contain_text("1 of 2", timeout=10_000)
    expect(desktop.locator("#round")).to_contain_text("Brightside Dental")
