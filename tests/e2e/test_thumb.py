"""Thumb-sized on a phone: one compact bar, targets a thumb can hit, a form that
survives being offline, and no sideways scrolling at 320 px or at 200 % zoom."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from insights.models import Tag
from insights.services import submit_insight
from meetings import services
from meetings.models import Meeting
from reminders import planner
from tests.factories import PASSWORD, CustomerFactory, SeriesFactory

from .conftest import follow_nav, has_horizontal_scroll, log_in

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


# Each persona's pages with the longest names in the bar ("Dashboard", "Customers").
BAR_PAGES = {
    "olivia@example.com": ["/dashboard/", "/customers/", "/reminders/failures/", "/meetings/",
                           "/me/record/"],
    "bob@example.com": ["/", "/customers/", "/meetings/", "/me/record/", "/accounts/profile/"],
}  # fmt: skip


@pytest.mark.parametrize("width", [360, 390])
def test_on_a_small_phone_the_bar_stays_one_row_on_every_page(
    width, new_context, live_server, org_admin, member
):
    page = new_context(
        viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True,
        device_scale_factor=2, base_url=live_server.url,
    ).new_page()  # fmt: skip
    for email, urls in BAR_PAGES.items():
        page.context.clear_cookies()
        log_in(page, email, PASSWORD)
        for url in urls:
            page.goto(url)
            toggle = page.locator(".menu-toggle")
            bar = page.locator(".topbar").bounding_box()
            # One row: as tall as the toggle and its padding, the toggle beside the brand.
            assert bar["height"] <= 70, f"{email} {url}"
            assert toggle.bounding_box()["y"] < bar["y"] + 20, f"{email} {url}"
            assert not has_horizontal_scroll(page), f"{email} {url}"
            here = page.locator(".menu-here")
            if here.count():  # the page's name is whole, not cut short
                assert here.evaluate("el => el.scrollWidth <= el.clientWidth"), f"{email} {url}"


# --- Tap targets: at least 44 x 44 px wherever a thumb goes ---------------------------

TAP = 44
TAPPABLE = 'a, button, input[type="checkbox"], input[type="radio"], summary, select'
# WCAG 2.5.8's "inline" exception, and nothing else: a link inside a sentence, whose
# height is the line's. Each entry says where.
INLINE_IN_PROSE = {
    ".lede a": "a meeting's location as a link, in the sentence under its title",
}


def too_small(page) -> list[str]:
    """Every visible tappable element under 44 x 44 px, with its size, unless exempt."""
    return page.evaluate(
        """([selector, exempt, tap]) => [...document.querySelectorAll(selector)]
        .filter((el) => {
          const box = el.getBoundingClientRect();
          const shown = box.width > 0 && box.height > 0 && box.right > 0
            && getComputedStyle(el).visibility !== "hidden";
          return shown && !el.matches(exempt) && (box.width < tap || box.height < tap);
        })
        .map((el) => {
          const box = el.getBoundingClientRect();
          return `${Math.round(box.width)}x${Math.round(box.height)} ${el.outerHTML.slice(0, 90)}`;
        })""",
        [TAPPABLE, ", ".join(INLINE_IN_PROSE), TAP],
    )


def tappable_count(page) -> int:
    return page.locator(TAPPABLE).count()


@pytest.fixture
def week(team, facilitator, member, team_admin):
    """Bob's week: a series meeting within the hour (his insight in, reminders planned,
    a video link as its location), one on Thursday still to do, one last week."""
    now = timezone.now()
    soon = services.create_meeting(
        team=team, title="Monday customer round", duration_minutes=30, facilitator=facilitator,
        starts_at=now + dt.timedelta(hours=1), location="https://meet.example.com/sales",
    )  # fmt: skip
    Meeting.objects.filter(pk=soon.pk).update(series=SeriesFactory(team=team))
    services.add_agenda_item(meeting=soon, title="Pipeline review", minutes=10)
    services.add_agenda_item(meeting=soon, title="Hiring", minutes=5)
    data = {"customer": CustomerFactory(name="Brightside Dental"), "channel": "call",
            "conversation_date": timezone.localdate() - dt.timedelta(days=1),
            "said": "They answer patients from the corridor.", "so_what": "Phone first."}  # fmt: skip
    insight = submit_insight(meeting=soon, author=member, data=data)
    insight.tags.set([Tag.objects.create(team=team, name="pricing")])
    later = services.create_meeting(
        team=team, title="Thursday pipeline", duration_minutes=30,
        starts_at=now + dt.timedelta(days=3),
    )  # fmt: skip
    services.create_meeting(
        team=team, title="Last week's round", duration_minutes=30,
        starts_at=now - dt.timedelta(days=7),
    )  # fmt: skip
    planner.plan(now + dt.timedelta(hours=1))
    return soon, later


def test_every_target_on_bobs_pages_is_thumb_sized_at_390_px(phone, week):
    soon, later = week
    phone.goto("/accounts/login/")
    assert too_small(phone) == [], "login"
    log_in(phone, "bob@example.com", PASSWORD)
    pages = {
        "home": "/",
        "meetings": "/meetings/",
        "past-meetings": "/meetings/?when=past",
        "agenda": soon.get_absolute_url(),
        "insight-form": f"/teams/sales/meetings/{later.pk}/insight/",
    }
    for name, url in pages.items():
        phone.goto(url)
        assert tappable_count(phone) > 3, f"{name} has something to tap"
        assert too_small(phone) == [], name
        phone.screenshot(path=f"{SHOTS}/thumb-{name}.png", full_page=True)

    phone.goto("/")
    phone.locator(".menu-toggle").click()
    expect(phone.get_by_role("link", name="Library")).to_be_visible()
    assert too_small(phone) == [], "the open menu"


def test_the_whole_meeting_card_is_its_link(phone, week):
    _, later = week
    log_in(phone, "bob@example.com", PASSWORD)

    card = phone.locator(".meeting-card", has_text="Thursday pipeline")
    box = card.bounding_box()
    # A tap near the card's bottom right, away from its title, opens the meeting.
    phone.mouse.click(box["x"] + box["width"] - 10, box["y"] + box["height"] - 10)
    expect(phone).to_have_url(re.compile(rf"/meetings/{later.pk}/$"))

    phone.go_back()
    card.get_by_role("link", name="Add my insight").click()
    expect(phone.get_by_role("heading", name="Your fresh customer insight")).to_be_visible()


def test_a_tap_outside_the_open_menu_closes_it_and_opens_nothing_underneath(phone, week):
    log_in(phone, "bob@example.com", PASSWORD)
    home = phone.url
    phone.locator(".menu-toggle").click()
    panel = phone.get_by_role("navigation", name="Main").bounding_box()
    x, y = 60, panel["y"] + panel["height"] + 15
    under = "([x, y]) => !!document.elementFromPoint(x, y).closest('.meeting-card')"
    assert phone.evaluate(under, [x, y]), "a meeting card lies just under the open menu"

    phone.touchscreen.tap(x, y)

    expect(phone.locator(".menu")).not_to_have_attribute("open", "")
    assert phone.url == home
    phone.touchscreen.tap(x, y)  # the menu closed, the next tap is the card's again
    expect(phone).not_to_have_url(home)


def test_escape_closes_the_open_menu_and_focus_goes_back_to_its_toggle(phone, member):
    log_in(phone, "bob@example.com", PASSWORD)
    toggle = phone.locator(".menu-toggle")
    toggle.click()
    expect(phone.get_by_role("link", name="Library")).to_be_visible()

    phone.keyboard.press("Escape")

    expect(phone.get_by_role("link", name="Library")).to_be_hidden()
    expect(toggle).to_be_focused()


def test_every_target_on_the_facilitators_agenda_is_thumb_sized_at_390_px(phone, week):
    soon, _ = week
    log_in(phone, "alice@example.com", PASSWORD)
    phone.goto(soon.get_absolute_url())
    expect(phone.get_by_label("To every meeting of the series")).to_be_attached()

    expect(phone.locator(".reminder-history summary").first).to_contain_text("Reminders (")
    assert too_small(phone) == []
    phone.locator(".reminder-history summary").first.click()
    phone.screenshot(path=f"{SHOTS}/thumb-agenda-facilitator.png", full_page=True)


# --- A failed submit says what is wanted and puts the cursor there ------------------


def test_an_empty_insight_says_what_is_wanted_and_the_cursor_goes_to_the_first_answer(phone, week):
    _, later = week
    log_in(phone, "bob@example.com", PASSWORD)
    phone.goto(f"/teams/sales/meetings/{later.pk}/insight/")
    phone.get_by_label("When you talked").fill("")

    phone.get_by_role("button", name="Save my insight").click()

    summary = phone.get_by_test_id("error-summary")
    expect(summary).to_contain_text("Which customer did you talk to?")
    expect(summary).to_contain_text("When did you talk to them?")
    expect(phone.get_by_label("Customer", exact=True)).to_be_focused()
    phone.screenshot(path=f"{SHOTS}/insight-form-errors-phone.png")
    assert too_small(phone) == []

    summary.get_by_role("link", name="What did they say or do?").click()
    expect(phone.get_by_label("What the customer said or did")).to_be_focused()


def test_after_a_wrong_password_the_e_mail_stays_and_the_cursor_is_in_password(phone, member):
    log_in(phone, "bob@example.com", "not-my-password")

    expect(phone.get_by_text("don't match")).to_be_visible()
    expect(phone.get_by_label("E-mail")).to_have_value("bob@example.com")
    expect(phone.get_by_label("Password")).to_be_focused()
    phone.keyboard.type(PASSWORD)
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", name="Hello Bob")).to_be_visible()


# --- Offline: no browser error page, nothing lost, sent once when back ---------------

SAID = "She answers patients from the corridor, on her phone, between two rooms."


def fill_insight(page) -> None:
    page.get_by_label("Customer", exact=True).fill("Brightside Dental")
    page.get_by_label("What the customer said or did").fill(SAID)
    page.get_by_label("What it means for us").fill("The phone is where we win or lose her.")


def test_an_insight_saved_offline_is_kept_and_sent_once_when_back_online(phone, week, member):
    _, later = week
    log_in(phone, "bob@example.com", PASSWORD)
    phone.goto(f"/teams/sales/meetings/{later.pk}/insight/")
    fill_insight(phone)

    phone.context.set_offline(True)
    phone.get_by_role("button", name="Save my insight").click()

    expect(phone.get_by_text("You're offline. Your insight is saved on this phone")).to_be_visible()
    expect(phone.get_by_label("What the customer said or did")).to_have_value(SAID)
    draft = phone.evaluate(f"localStorage.getItem('insight-draft:{later.pk}:{member.pk}')")
    assert SAID in draft
    assert not later.insights.exists()
    phone.screenshot(path=f"{SHOTS}/insight-offline-phone.png")

    phone.get_by_role("button", name="Save my insight").click()  # impatient second tap
    phone.context.set_offline(False)

    expect(phone.get_by_text("Saved ✓")).to_be_visible()
    expect(phone).to_have_url(re.compile(r"\?saved=first$"))
    assert later.insights.count() == 1
    assert later.insights.get().said == SAID
    assert phone.evaluate(f"localStorage.getItem('insight-draft:{later.pk}:{member.pk}')") is None


def test_a_request_lost_on_the_way_is_kept_and_sent_when_the_phone_reconnects(phone, week):
    """The phone thinks it is online, but the request never arrives."""
    _, later = week
    log_in(phone, "bob@example.com", PASSWORD)
    phone.goto(f"/teams/sales/meetings/{later.pk}/insight/")
    fill_insight(phone)
    lost = "**/insight/"
    phone.route(lost, lambda r: r.abort() if r.request.method == "POST" else r.continue_())

    phone.get_by_role("button", name="Save my insight").click()

    expect(phone.get_by_text("You're offline. Your insight is saved on this phone")).to_be_visible()
    assert not later.insights.exists()
    phone.unroute(lost)
    phone.context.set_offline(True)
    phone.context.set_offline(False)
    expect(phone.get_by_text("Saved ✓")).to_be_visible()
    assert later.insights.count() == 1


# --- The form reflows: 320 px wide, and 200 % zoom, without sideways scrolling -------

# The root font is 17 px (app.css); text at 200 % makes it 34 px.
TEXT_AT_200 = "document.addEventListener('DOMContentLoaded', () => {"
TEXT_AT_200 += " document.documentElement.style.fontSize = '34px'; });"
SCREENS = {
    "320px": {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True},
    # A 1280 x 800 window at 200 % browser zoom: 640 CSS px, two device pixels each.
    "zoom-200": {"viewport": {"width": 640, "height": 400}},
    # Text alone at 200 % on a 390 px phone.
    "text-200": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


@pytest.mark.parametrize("screen", SCREENS)
def test_the_insight_form_needs_no_sideways_scrolling(screen, new_context, live_server, week):
    _, later = week
    page = new_context(
        **SCREENS[screen], device_scale_factor=2, base_url=live_server.url
    ).new_page()
    if screen == "text-200":
        page.add_init_script(TEXT_AT_200)
    log_in(page, "bob@example.com", PASSWORD)
    page.goto(f"/teams/sales/meetings/{later.pk}/insight/")
    assert not has_horizontal_scroll(page)
    if screen == "text-200":
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "34px"

    page.get_by_label("When you talked").fill("")
    page.get_by_role("button", name="Save my insight").click()
    expect(page.get_by_test_id("error-summary")).to_be_visible()
    assert not has_horizontal_scroll(page)
    page.screenshot(path=f"{SHOTS}/insight-form-{screen}.png", full_page=True)

    fill_insight(page)
    page.get_by_label("When you talked").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Save my insight").click()
    expect(page.get_by_text("Saved ✓")).to_be_visible()
    assert not has_horizontal_scroll(page)
    page.screenshot(path=f"{SHOTS}/insight-saved-{screen}.png", full_page=True)
