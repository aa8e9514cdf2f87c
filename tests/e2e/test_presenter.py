"""The presenter view as a stage on the shared screen (1440 by 900), and the agenda, run
with the keyboard alone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from insights.models import Action
from insights.services import submit_insight
from meetings import services
from meetings.models import Meeting
from tests.factories import PASSWORD, CustomerFactory, MembershipFactory, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

SHARED_SCREEN = {"width": 1440, "height": 900}


@pytest.fixture
def screen(new_context, live_server):
    context = new_context(viewport=SHARED_SCREEN, base_url=live_server.url)
    return context.new_page()


def insight_data(customer: str, said: str) -> dict:
    return {
        "customer": CustomerFactory(name=customer),
        "conversation_date": timezone.localdate() - dt.timedelta(days=2),
        "channel": "call",
        "said": said,
        "so_what": "We should act on it.",
    }


@pytest.fixture
def round_about_to_start(team, facilitator, member, team_admin):
    """Alice, Bob, Carol and Dan are expected in two minutes; Bob and Carol brought
    an insight."""
    dan = UserFactory(email="dan@example.com", name="Dan Quiet")
    MembershipFactory(team=team, user=dan)
    meeting = services.create_meeting(
        team=team, title="Monday customer round", duration_minutes=30,
        starts_at=timezone.now() + dt.timedelta(minutes=2),
    )  # fmt: skip
    submit_insight(meeting=meeting, author=member,
                   data=insight_data("Acme Logistics", "We export to Excel every Monday."))  # fmt: skip
    submit_insight(meeting=meeting, author=team_admin,
                   data=insight_data("Helios Energy", "They renew in June."))  # fmt: skip
    return meeting


def press(page, key: str) -> None:
    """Press a key once the presenter's keyboard shortcuts are listening."""
    page.locator("[data-presenter][data-ready]").wait_for()
    page.keyboard.press(key)


def seconds_left(page) -> int:
    text = page.locator("[data-countdown]").inner_text()
    minutes, seconds = text.lstrip("−").split(":")
    return int(minutes) * 60 + int(seconds)


def test_alice_runs_the_round_with_keys_and_the_page_never_reloads(
    screen, round_about_to_start, facilitator
):
    meeting = round_about_to_start
    log_in(screen, "alice@example.com", PASSWORD)
    screen.clock.install()
    screen.goto(f"/teams/sales/meetings/{meeting.pk}/")
    screen.get_by_role("button", name="Start meeting").click()

    stage = screen.locator("#stage")
    status = screen.locator("#presenter-status")
    expect(screen.get_by_role("heading", name="Alice Facilitator")).to_be_visible()
    screen.evaluate("window.__marker = 1")  # gone if anything below reloads the page
    expect(screen.locator(".topbar")).to_have_count(0)
    expect(screen.get_by_role("button", name="Full screen")).to_be_visible()
    expect(screen.locator("#action-panel")).not_to_have_attribute("open", "")
    expect(stage.locator(".progress")).to_have_text("1 of 4")
    assert seconds_left(screen) >= 118

    # Alice's clock runs; marking her presented doesn't reset it.
    screen.clock.run_for(30_000)
    assert 88 <= seconds_left(screen) <= 90
    press(screen, "p")
    expect(screen.get_by_role("button", name="✓ Presented")).to_be_visible()
    expect(status).to_contain_text("Alice Facilitator presented.")
    screen.clock.run_for(2_000)
    assert 85 <= seconds_left(screen) <= 88

    # Bob: a new turn, a new clock, and the step is announced.
    press(screen, "ArrowRight")
    expect(screen.get_by_role("heading", name="Bob Member")).to_be_visible()
    expect(screen).to_have_url(re.compile(r"/present/\?at=1$"))
    screen.clock.run_for(3_000)
    assert 116 <= seconds_left(screen) <= 118
    expect(status).to_contain_text("Now: Bob Member, 2 of 4.")
    expect(screen.locator(".speakers [aria-current=step]")).to_have_text("Bob Member")
    expect(screen.locator(".speakers .is-presented")).to_have_text(
        "✓ Alice Facilitator (presented)"
    )
    press(screen, "s")
    expect(screen.get_by_role("button", name="★ Starred")).to_be_visible()

    # Carol's insight takes the star: the screen says where it came from.
    press(screen, "ArrowRight")
    expect(screen.get_by_role("heading", name="Carol Admin")).to_be_visible()
    press(screen, "s")
    expect(status).to_contain_text("Star moved from Bob Member's insight.")
    screen.screenshot(path="var/screenshots/presenter-stage.png")

    # A opens the follow-up form; Enter sends it; the stage stays.
    press(screen, "a")
    expect(screen.get_by_label("Follow-up action")).to_be_focused()
    screen.keyboard.type("Send Helios the renewal offer")
    screen.keyboard.press("Enter")
    expect(status).to_contain_text("Action for Carol Admin captured.")
    expect(screen.locator("#action-panel")).not_to_have_attribute("open", "")

    press(screen, "ArrowRight")
    expect(screen.get_by_role("heading", name="Dan Quiet")).to_be_visible()
    expect(stage.locator(".progress")).to_have_text("4 of 4")
    expect(screen.get_by_role("button", name="End meeting")).to_be_visible()

    # Back steps back through the URLs; Dan's turn, when it runs out, is announced once.
    screen.go_back()
    expect(screen.get_by_role("heading", name="Carol Admin")).to_be_visible()
    screen.go_forward()
    expect(screen.get_by_role("heading", name="Dan Quiet")).to_be_visible()
    screen.clock.run_for(121_000)
    expect(screen.locator("[data-countdown]")).to_have_class(re.compile("is-over"))
    expect(status).to_contain_text("Time is up for Dan Quiet.")
    screen.screenshot(path="var/screenshots/presenter-time-up.png")

    assert screen.evaluate("window.__marker") == 1
    action = Action.objects.get()
    assert (action.owner.name, action.insight.author.name) == ("Carol Admin", "Carol Admin")
    assert action.due_on is not None  # the end of the week, chosen for Alice
    assert meeting.insights.get(is_starred=True).author.name == "Carol Admin"


def test_keys_pressed_faster_than_the_screen_keep_stage_order_and_url_in_step(
    screen, round_about_to_start
):
    meeting = round_about_to_start
    meeting.start()
    log_in(screen, "alice@example.com", PASSWORD)
    screen.goto(f"/teams/sales/meetings/{meeting.pk}/present/")
    screen.evaluate("window.__marker = 1")
    names = ["Alice Facilitator", "Bob Member", "Carol Admin", "Dan Quiet"]

    press(screen, "ArrowRight")
    for _ in range(4):  # a press while a step is on its way is let go, never half-done
        screen.keyboard.press("ArrowRight")
    # Settled: nothing on its way, and the stage says who the address says.
    screen.wait_for_function(
        """(names) => {
          if (document.querySelector(".htmx-request")) return false;
          const name = document.querySelector("#presenter-name")?.innerText;
          const at = new URL(location.href).searchParams.get("at");
          return names.indexOf(name) === Number(at);
        }""",
        arg=names,
    )

    on_stage = screen.locator("#presenter-name").inner_text()
    assert on_stage in names[1:]
    expect(screen.locator(".speakers [aria-current=step]")).to_have_text(on_stage)
    expect(screen).to_have_url(re.compile(rf"/present/\?at={names.index(on_stage)}$"))
    assert screen.evaluate("window.__marker") == 1


def test_the_full_screen_button_puts_the_stage_on_the_whole_screen(screen, round_about_to_start):
    meeting = round_about_to_start
    meeting.start()
    log_in(screen, "alice@example.com", PASSWORD)
    screen.goto(f"/teams/sales/meetings/{meeting.pk}/present/")
    button = screen.get_by_role("button", name="Full screen")

    button.click()

    expect(button).to_have_attribute("aria-pressed", "true")
    press(screen, "f")
    expect(button).to_have_attribute("aria-pressed", "false")


# The room between a summary's drawn marker ("▸", its ::before) and its words.
MARKER_GAP = """s => {
  const text = [...s.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && n.data.trim());
  const range = document.createRange();
  range.selectNodeContents(text);
  const style = getComputedStyle(s);
  const start = s.getBoundingClientRect().left + parseFloat(style.borderLeftWidth)
    + parseFloat(style.paddingLeft);
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = getComputedStyle(s, "::before").font;
  return range.getBoundingClientRect().left - start - ctx.measureText("▸").width;
}"""


def test_the_action_panels_marker_stands_apart_from_its_words(screen, round_about_to_start):
    meeting = round_about_to_start
    meeting.start()
    log_in(screen, "alice@example.com", PASSWORD)
    screen.goto(f"/teams/sales/meetings/{meeting.pk}/present/")

    summary = screen.locator("summary", has_text="Capture a follow-up action")
    assert summary.evaluate("s => getComputedStyle(s, '::before').content") == '"▸"'
    assert summary.evaluate(MARKER_GAP) >= 4


def test_without_javascript_the_presenter_still_steps_marks_and_stars(
    new_context, live_server, round_about_to_start
):
    meeting = round_about_to_start
    meeting.start()
    page = new_context(viewport=SHARED_SCREEN, base_url=live_server.url,
                       java_script_enabled=False).new_page()  # fmt: skip
    log_in(page, "alice@example.com", PASSWORD)
    page.goto(f"/teams/sales/meetings/{meeting.pk}/present/")

    page.get_by_role("link", name="Next →").click()
    expect(page.get_by_role("heading", name="Bob Member")).to_be_visible()
    page.get_by_role("button", name="Mark presented").click()
    expect(page.get_by_role("button", name="✓ Presented")).to_be_visible()
    page.get_by_role("button", name="☆ Star as insight of the meeting").click()
    expect(page.locator("#presenter-status")).to_contain_text(
        "Bob Member's insight is the insight of the meeting."
    )
    page.get_by_text("Capture a follow-up action").click()
    page.get_by_label("Follow-up action").fill("Show Acme the depot filter")
    page.get_by_label("In two weeks").check()
    page.get_by_role("button", name="Add action").click()

    expect(page.locator("#presenter-status")).to_contain_text("Action for Bob Member captured.")
    expect(page).to_have_url(re.compile(r"/present/\?at=1$"))
    assert Action.objects.get().due_on == timezone.localdate() + dt.timedelta(days=14)


def test_alice_pressing_start_35_minutes_early_confirms_first(screen, team, facilitator):
    meeting = services.create_meeting(
        team=team, title="Monday customer round", duration_minutes=30,
        starts_at=timezone.now() + dt.timedelta(minutes=35, seconds=30),
    )  # fmt: skip
    log_in(screen, "alice@example.com", PASSWORD)
    screen.goto(f"/teams/sales/meetings/{meeting.pk}/")

    screen.get_by_role("button", name="Start meeting").click()
    expect(screen.get_by_role("heading", name="Start 35 minutes early?")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED
    screen.get_by_role("button", name="Start now").click()

    expect(screen.get_by_role("heading", name="Alice Facilitator")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.IN_PROGRESS


def test_stepping_with_enter_shows_the_focus_ring_on_the_next_name(
    screen, round_about_to_start, facilitator
):
    meeting = round_about_to_start
    meeting.start()
    log_in(screen, "alice@example.com", PASSWORD)
    screen.goto(f"/teams/sales/meetings/{meeting.pk}/present/?at=2")
    screen.locator("[data-presenter][data-ready]").wait_for()

    screen.get_by_role("link", name="Next →").focus()
    screen.keyboard.press("Enter")

    expect(screen.get_by_role("heading", name="Dan Quiet")).to_be_focused()
    ring = screen.evaluate(
        "[getComputedStyle(document.activeElement).outlineStyle,"
        " getComputedStyle(document.activeElement).outlineColor]"
    )
    assert ring == ["solid", "rgb(180, 83, 9)"]


def test_the_agenda_is_reordered_with_the_keyboard_and_focus_stays_on_the_item(
    screen, team, facilitator
):
    meeting = services.create_meeting(
        team=team, title="Monday customer round", duration_minutes=60,
        starts_at=timezone.now() + dt.timedelta(days=1),
    )  # fmt: skip
    for title in ("Pipeline review", "Renewals", "Hiring"):
        services.add_agenda_item(meeting=meeting, title=title, minutes=10)
    log_in(screen, "alice@example.com", PASSWORD)
    screen.goto(f"/teams/sales/meetings/{meeting.pk}/")
    screen.evaluate("window.__marker = 1")

    screen.get_by_role("button", name="Move Pipeline review down").focus()
    screen.keyboard.press("Enter")

    titles = screen.locator("#agenda .agenda-title")
    expect(titles).to_have_text([re.compile("Fresh customer insights"), "Renewals",
                                 "Pipeline review", "Hiring"])  # fmt: skip
    expect(screen.get_by_role("button", name="Move Pipeline review down")).to_be_focused()
    is_visible_focus = screen.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle !== 'none'"
    )
    assert is_visible_focus
    assert screen.evaluate("window.__marker") == 1
