"""The outbox shows each e-mail as its recipient would see it, in a sandboxed frame,
at a phone's width and a desktop's; every e-mail reads at 360 px."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from insightboard import outbox
from meetings import services
from tests.factories import PASSWORD, one_email_of_each_kind

from .conftest import has_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)

FITS = "el => el.scrollWidth <= el.clientWidth"  # no horizontal scroll in that document


@pytest.fixture
def sent(settings, live_server, team, facilitator, member, org_admin):
    """One e-mail of each kind, written by the embedded file backend, its links to
    the live server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.SITE_URL = live_server.url
    meeting = services.create_meeting(
        team=team, title="Monday round", facilitator=facilitator, duration_minutes=30,
        starts_at=timezone.now() + dt.timedelta(hours=3),
    )  # fmt: skip
    for message in one_email_of_each_kind(meeting=meeting, member=member, org_admin=org_admin):
        message.send()
    return {m.subject: m.key for m in outbox.messages()}


def reminder_key(sent: dict[str, str]) -> str:
    return next(key for subject, key in sent.items() if "have brought" in subject)


def test_organisation_admin_reads_a_reminder_as_bob_would_on_a_phone(phone, sent):
    log_in(phone, "olivia@example.com", PASSWORD)
    phone.goto("/outbox/")
    assert not has_horizontal_scroll(phone)
    phone.get_by_role("link", name="have brought").click()

    mail = phone.frame_locator("iframe.mail-frame")
    button = mail.get_by_role("link", name="Add my insight")
    expect(button).to_be_visible()
    assert button.bounding_box()["height"] >= 44
    assert mail.locator("html").evaluate(FITS)
    assert not has_horizontal_scroll(phone)
    phone.screenshot(path="var/screenshots/outbox-message-phone.png", full_page=True)

    phone.get_by_role("link", name="Plain text").click()
    expect(phone.get_by_text("Add yours in under a minute")).to_be_visible()
    expect(phone.locator("iframe")).to_have_count(0)
    assert not has_horizontal_scroll(phone)
    phone.get_by_role("link", name="As the recipient sees it").click()

    # Its one-tap link opens in a new tab, as from a mail client (and signs in as Bob).
    with phone.context.expect_page() as opened:
        button.click()
    expect(opened.value.get_by_role("heading", name="Your fresh customer insight")).to_be_visible()


def test_the_reminder_in_the_outbox_on_a_desktop(desktop, sent):
    log_in(desktop, "olivia@example.com", PASSWORD)

    desktop.goto(f"/outbox/{reminder_key(sent)}/")

    expect(desktop.frame_locator("iframe.mail-frame").get_by_text("1 of 2")).to_be_visible()
    desktop.screenshot(path="var/screenshots/outbox-message-desktop.png", full_page=True)


def test_every_email_reads_at_360_px_with_a_thumb_sized_main_button(phone, sent):
    log_in(phone, "olivia@example.com", PASSWORD)
    phone.set_viewport_size({"width": 360, "height": 740})

    for subject, key in sent.items():
        phone.goto(f"/outbox/{key}/html/")
        assert phone.locator("html").evaluate(FITS), subject
        button = phone.locator("a.button")
        expect(button).to_have_count(1)
        box = button.bounding_box()
        assert box["height"] >= 44, subject
        assert box["width"] >= 360 - 2 * 16 - 1, subject  # full width on a phone
