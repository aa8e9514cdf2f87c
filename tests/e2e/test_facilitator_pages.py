"""The facilitator's pages and the library in the browser, at a phone's 390 px: the
series form shows only what applies and has thumb-sized weekdays, a failed save opens
at its error, the library's export keeps clear of its search box, an insight leads
back to the search it came from, and the calendar address copies with one tap."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import Series
from tests.factories import PASSWORD, CustomerFactory, InsightFactory, MeetingFactory, TagFactory

from .conftest import has_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
TAP = 44


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not rendered"
    return found


def overlap(a: dict, b: dict, gap: float = 0) -> bool:
    """Whether two boxes overlap, or come closer than `gap` px."""
    return not (
        a["x"] + a["width"] + gap <= b["x"]
        or b["x"] + b["width"] + gap <= a["x"]
        or a["y"] + a["height"] + gap <= b["y"]
        or b["y"] + b["height"] + gap <= a["y"]
    )


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


# --- The series form -------------------------------------------------------------


def test_alice_sets_up_a_series_on_her_phone_seeing_only_what_applies(
    phone, team, facilitator, member
):
    page = phone
    log_in(page, "alice@example.com", PASSWORD)
    page.goto("/teams/sales/")
    page.get_by_role("link", name="New series").click()

    weekdays = page.locator(".when-weekly .toggle-chip input")
    monthly = page.get_by_label("Monthly on the", exact=True)
    until = page.get_by_label("Last date", exact=True)
    count = page.get_by_label("Number of meetings", exact=True)
    # Weekly and never ending, to begin with: the weekdays only.
    expect(weekdays).to_have_count(7)
    for day in weekdays.all():
        assert day.is_visible()
        size = box(day)
        assert size["width"] >= TAP and size["height"] >= TAP, size
    expect(monthly).to_be_hidden()
    expect(until).to_be_hidden()
    expect(count).to_be_hidden()
    expect(page.get_by_role("spinbutton", name="Every how many weeks", exact=True)).to_be_visible()
    assert not has_horizontal_scroll(page)
    shot(page, "series-form-weekly-phone")

    page.get_by_label("Monthly", exact=True).check()
    expect(monthly).to_be_visible()
    expect(page.get_by_label("Weekday", exact=True)).to_be_visible()
    expect(weekdays.first).to_be_hidden()
    expect(page.get_by_role("spinbutton", name="Every how many months", exact=True)).to_be_visible()

    page.get_by_label("On a date").check()
    expect(until).to_be_visible()
    expect(count).to_be_hidden()
    page.get_by_label("After a number of meetings").check()
    expect(count).to_be_visible()
    expect(until).to_be_hidden()
    shot(page, "series-form-monthly-phone")

    # Back to weekly, no day picked: the page comes back at the weekdays' error.
    page.get_by_label("Weekly", exact=True).check()
    page.get_by_label("Never").check()
    start = timezone.localdate() + dt.timedelta(days=3)
    page.get_by_label("First meeting").fill(start.isoformat())
    page.get_by_label("Time").fill("09:00")
    page.get_by_role("button", name="Create series").click()

    expect(page.locator("#id_weekdays_0")).to_be_focused()
    expect(page.locator("label[for=id_weekdays_0]")).to_be_in_viewport(ratio=1)
    expect(page.get_by_text("Pick at least one weekday.")).to_be_in_viewport(ratio=1)
    shot(page, "series-form-error-phone")

    page.locator("label[for=id_weekdays_0]").tap()
    page.locator("label[for=id_weekdays_3]").tap()
    expect(page.get_by_role("checkbox", name="Thu")).to_be_checked()
    page.get_by_role("button", name="Create series").click()

    expect(page.get_by_text("is scheduled for the next weeks")).to_be_visible()
    series = Series.objects.get()
    assert "BYDAY=MO,TH" in series.rule
    page.goto("/teams/sales/")
    row = page.locator(".series-row", has_text="Weekly customer round")
    expect(row).to_contain_text("Every Monday and Thursday · 09:00 for 30 min")
    expect(row).to_contain_text("Next:")
    assert box(row.get_by_role("link", name="Weekly customer round"))["height"] >= TAP
    assert not has_horizontal_scroll(page)
    shot(page, "team-page-phone")


def test_carols_refused_webhook_address_is_in_view_after_the_reload(phone, team, team_admin):
    page = phone
    log_in(page, "carol@example.com", PASSWORD)
    page.goto("/teams/sales/settings/")

    page.locator("#id_teams_url").fill("not an address")
    page.get_by_role("button", name="Connect Microsoft Teams").click()

    expect(page.locator("#id_teams_url")).to_be_focused()
    expect(page.locator("#id_teams_url")).to_be_in_viewport(ratio=1)
    expect(page.get_by_text("Enter a valid URL.")).to_be_in_viewport(ratio=1)
    assert not has_horizontal_scroll(page)


# --- The library -------------------------------------------------------------------


@pytest.fixture
def library(team, facilitator, member):
    """Thirty insights of Sales, the oldest conversation last; half tagged #exports."""
    exports = TagFactory(team=team, name="exports")
    people = [facilitator, member]
    for i in range(30):
        meeting = MeetingFactory(team=team, starts_at=timezone.now() - dt.timedelta(days=i + 1))
        insight = InsightFactory(
            meeting=meeting, author=people[i % 2], customer=CustomerFactory(name=f"Acme {i}"),
            conversation_date=timezone.localdate() - dt.timedelta(days=i + 1),
            said=f"They export the planning every week ({i}).",
        )  # fmt: skip
        if i % 2:
            insight.tags.add(exports)


def test_the_library_fits_a_phone_with_its_export_clear_of_the_search_box(phone, library):
    page = phone
    log_in(page, "bob@example.com", PASSWORD)
    page.goto("/insights/")

    export = box(page.get_by_role("link", name="Export CSV"))
    search = box(page.get_by_role("searchbox", name="Search"))
    button = box(page.get_by_role("button", name="Search"))
    assert not overlap(export, search, gap=16), (export, search)
    assert not overlap(export, button, gap=16), (export, button)
    # With the results it exports, below the search and its filters.
    filters = box(page.locator(".filter-more summary"))
    assert export["y"] >= filters["y"] + filters["height"], (export, filters)
    assert not has_horizontal_scroll(page)
    summary = page.locator(".filter-more summary")
    marker = summary.evaluate("s => getComputedStyle(s, '::before').content")
    assert marker == '"▸"'
    for name in page.locator(".library-list .customer").all()[:5]:
        assert box(name)["height"] >= TAP
    shot(page, "library-phone")

    summary.click()
    page.get_by_label("Tag").fill("exports")
    page.get_by_role("button", name="Apply filters").click()

    expect(page.locator(".filter-more summary")).to_have_text("Filters 1 on")
    assert not has_horizontal_scroll(page)


def test_on_a_phone_the_library_filters_are_one_column_the_checkbox_full_width(phone, library):
    page = phone
    log_in(page, "bob@example.com", PASSWORD)
    page.goto("/insights/")
    page.locator(".filter-more summary").click()

    grid = box(page.locator(".filters"))
    for field in page.locator(".filters > .field").all():
        edges = box(field)
        assert (edges["x"], edges["width"]) == (grid["x"], grid["width"]), field.inner_text()
    # The checkbox's label reads in two lines at most, not squeezed into five.
    starred = box(page.get_by_text("Only those starred as the insight of the meeting"))
    assert starred["height"] <= 60, starred
    shot(page, "library-filters-phone")


def test_bob_goes_back_from_an_insight_to_his_search_filters_and_page(phone, library):
    page = phone
    log_in(page, "bob@example.com", PASSWORD)
    page.goto("/insights/")
    page.get_by_role("searchbox", name="Search").fill("planning")
    page.locator(".filter-more summary").click()
    page.get_by_label("Tag").fill("exports")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("15 insights")).to_be_visible()
    first = page.locator(".library-list .insight-card").first
    customer = first.locator(".customer").inner_text()
    library_url = page.url

    first.get_by_role("link", name="Open").click()
    expect(page.get_by_role("heading", name=customer)).to_be_visible()
    back = page.get_by_role("link", name="← Library")
    assert box(back)["height"] >= TAP
    page.get_by_role("button", name="Useful · 0").click()  # a reaction reloads the page
    expect(page.get_by_role("button", name="Useful · 1")).to_be_visible()
    page.get_by_role("link", name="← Library").click()

    assert page.url == library_url
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("planning")
    expect(page.locator(".filter-more summary")).to_have_text("Filters 1 on")
    expect(page.get_by_label("Tag")).to_have_value("exports")
    expect(page.get_by_text("15 insights")).to_be_visible()


# --- The calendar address -------------------------------------------------------


def test_bob_copies_his_calendar_address_with_one_tap(new_context, live_server, member):
    context = new_context(base_url=live_server.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    log_in(page, "bob@example.com", PASSWORD)
    page.goto("/accounts/profile/")
    address = page.get_by_label("Your private calendar address").input_value()

    page.get_by_role("button", name="Copy").click()

    expect(page.get_by_role("status").filter(has_text="Copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == address
    assert member.calendar_token in address
