from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.forms import WRONG_LOGIN
from tests.factories import PASSWORD, AttendanceFactory, MeetingFactory

from .conftest import has_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_member_logs_in_on_a_phone_and_sees_their_next_meeting(phone, team, member):
    meeting = MeetingFactory(
        team=team, title="Monday customer round", starts_at=timezone.now() + dt.timedelta(hours=1)
    )
    AttendanceFactory(meeting=meeting, user=member)
    console_errors = []
    phone.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    log_in(phone, "BOB@example.com", PASSWORD)

    expect(phone.get_by_role("heading", name="Hello Bob")).to_be_visible()
    expect(phone.get_by_text("Monday customer round")).to_be_visible()
    expect(phone.get_by_text("Yours is missing")).to_be_visible()
    assert phone.evaluate("typeof htmx") == "object", "htmx loads from our own static files"
    assert console_errors == [], "no CSP violation or script error"
    assert not has_horizontal_scroll(phone)
    phone.screenshot(path="var/screenshots/home-phone.png", full_page=True)

    phone.set_viewport_size({"width": 360, "height": 740})
    assert not has_horizontal_scroll(phone)


def test_wrong_password_shows_a_message_on_the_login_page(desktop, member):
    log_in(desktop, "bob@example.com", "not-the-password")

    expect(desktop.get_by_role("alert")).to_have_text(WRONG_LOGIN)
    expect(desktop.get_by_label("E-mail")).to_have_value("bob@example.com")


def test_member_logs_out(desktop, member):
    log_in(desktop, "bob@example.com", PASSWORD)

    desktop.get_by_role("button", name="Log out").click()

    expect(desktop.get_by_role("heading", name="Log in")).to_be_visible()
