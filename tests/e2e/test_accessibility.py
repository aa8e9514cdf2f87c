"""Every main page, checked by axe-core in Chromium at phone and desktop size, and
photographed whole into var/screenshots/<page>-<size>.png for anyone to look at.

axe's script comes from the pinned `axe-playwright-python` wheel (see pyproject.toml):
it is injected into the page, never fetched. A serious or critical violation fails
the test with the rule, its impact, the elements and axe's help; the insight form,
the page every attendee uses from a phone, is held to moderate too."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.urls import reverse
from django.utils import timezone

from insightboard import outbox
from insights.services import add_action, star_insight, submit_insight
from meetings import services
from meetings.models import Membership
from tests.factories import PASSWORD, CustomerFactory, TagFactory, UserFactory, held

from .conftest import DESKTOP, PHONE, has_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations", "incomplete"],
}
SERIOUS = ("serious", "critical")
MODERATE = ("moderate", *SERIOUS)


@dataclass(frozen=True)
class Page:
    """A page as one persona sees it: Alice facilitates Sales, Bob attends, Carol is
    its team admin, Olivia the organisation admin; None is nobody logged in."""

    who: str | None
    path: Callable[[dict], str]
    fails_on: tuple[str, ...] = SERIOUS
    then: Callable | None = None  # what the person does before the check
    rules_off: tuple[str, ...] = ()


# A mail client wraps an e-mail in its own page, with its own landmarks and headings:
# the rules about a page's structure are not the e-mail's to meet.
NOT_A_PAGE = ("bypass", "landmark-one-main", "page-has-heading-one", "region")


def submit_empty(page) -> None:
    page.get_by_role("button", name="Save my insight").click()
    page.locator('[aria-invalid="true"]').first.wait_for()


def outside_the_sandbox(page) -> None:
    """The same document, without the CSP sandbox that lets it run no script: axe
    could not run in it (its evaluate would never return)."""
    html = page.request.get(page.url).text()
    page.goto("about:blank")
    page.set_content(html)


def insight_form(world: dict) -> str:
    return reverse("insights:submit", args=["sales", world["upcoming"].pk])


PAGES = {
    "login": Page(None, lambda w: "/accounts/login/"),
    "home": Page("bob", lambda w: "/"),
    "meetings": Page("alice", lambda w: "/meetings/"),
    "agenda": Page("alice", lambda w: w["upcoming"].get_absolute_url()),
    "presenter": Page("alice", lambda w: w["running"].url("meeting-present") + "?at=1"),
    "insight-form": Page("bob", insight_form, MODERATE),
    "insight-form-errors": Page("bob", insight_form, MODERATE, then=submit_empty),
    "library": Page("alice", lambda w: "/insights/"),
    "insight": Page("alice", lambda w: w["insight"].get_absolute_url()),
    "customer": Page("alice", lambda w: w["insight"].customer.get_absolute_url()),
    "team": Page("carol", lambda w: "/teams/sales/"),
    "team-settings": Page("carol", lambda w: "/teams/sales/settings/"),
    "series": Page(
        "alice", lambda w: reverse("meetings:series-detail", args=["sales", w["series"].pk])
    ),
    "profile": Page("bob", lambda w: "/accounts/profile/"),
    "team-dashboard": Page("alice", lambda w: "/teams/sales/dashboard/"),
    "dashboard": Page("olivia", lambda w: "/dashboard/"),
    "my-record": Page("bob", lambda w: "/me/record/"),
    "customers": Page("olivia", lambda w: "/customers/"),
    "outbox": Page("olivia", lambda w: "/outbox/"),
    "outbox-message": Page("olivia", lambda w: reverse("outbox-message", args=[w["mail"]])),
    # The e-mail itself, as the page's frame shows it: axe can't enter a frame that may
    # run no script, so the frame's document is checked on its own.
    "invitation-email": Page(
        "olivia",
        lambda w: reverse("outbox-message-html", args=[w["mail"]]),
        then=outside_the_sandbox,
        rules_off=NOT_A_PAGE,
    ),
}
SIZES = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture
def world(settings, tmp_path, team, other_team, facilitator, member, team_admin, org_admin,
          time_machine, deliver):  # fmt: skip
    """Sales keeping the ritual for a month while Engineering's slips, a series, a
    meeting in an hour that Bob has not prepared for yet, one running on the shared
    screen, and an invitation e-mailed."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    now = timezone.now()
    people = [facilitator, member, team_admin]
    held(team, people, weeks=4, bring=3, now=now, time_machine=time_machine, tick=True)
    engineers = UserFactory.create_batch(3)
    for person in engineers:
        Membership.objects.create(team=other_team, user=person)
    held(other_team, engineers, weeks=4, bring=1, now=now, time_machine=time_machine, tick=True)
    TagFactory(team=team, name="pricing")
    TagFactory(team=team, name="onboarding")

    series = services.create_series(team=team, data={
        "title": "Weekly customer round", "rule": "FREQ=WEEKLY;BYDAY=MO",
        "first_date": timezone.localdate() + dt.timedelta(days=7), "start_time": dt.time(9),
        "duration_minutes": 30, "agenda_template": [{"title": "Pipeline", "minutes": 10}],
    })  # fmt: skip
    upcoming = services.create_meeting(team=team, title="Monday customer round",
                                       starts_at=now + dt.timedelta(hours=1), duration_minutes=30)  # fmt: skip
    services.add_agenda_item(meeting=upcoming, title="Pipeline review", minutes=10)
    insight = submit_insight(meeting=upcoming, author=team_admin, data=_insight(
        "Helios Energy", "They want single sign-on before rolling out to 400 engineers."))  # fmt: skip

    running = services.create_meeting(team=team, title="Tuesday customer round",
                                      starts_at=now + dt.timedelta(minutes=5), duration_minutes=30)  # fmt: skip
    submit_insight(meeting=running, author=facilitator, data=_insight(
        "Acme Logistics", "We export to Excel every Monday to plan the depots."))  # fmt: skip
    bobs = submit_insight(meeting=running, author=member, data=_insight(
        "Brightside Dental", "The receptionist answers patients from her phone."))  # fmt: skip
    star_insight(insight=bobs)
    add_action(meeting=running, title="Call Brightside about the phone view", owner=member,
               due_on=timezone.localdate() + dt.timedelta(days=4), insight=bobs, by=facilitator)  # fmt: skip
    running.start()

    services.invite(team=team, emails=["ana@example.com"], role="member", invited_by=team_admin)
    deliver()
    mail = next(m.key for m in outbox.messages() if "ana@example.com" in m.to)
    return {"upcoming": upcoming, "running": running, "series": series, "insight": insight,
            "mail": mail}  # fmt: skip


def _insight(customer: str, said: str) -> dict:
    return {
        "customer": CustomerFactory(name=customer),
        "conversation_date": timezone.localdate() - dt.timedelta(days=2),
        "channel": "call",
        "said": said,
        "so_what": "We should act on it this quarter.",
    }


def run_axe(page, rules_off: tuple[str, ...] = ()) -> list[dict]:
    """axe's violations, and what it left for review that is a defect all the same (an
    aria-describedby naming no element, a label on an element that can't carry one).
    Colour contrast it could not compute (a glyph, text over a gradient) stays out:
    that is for a person with the screenshot; so does a sandboxed frame it could not
    enter, whose document PAGES checks by its own address."""
    page.evaluate(AXE_SCRIPT)
    options = {**AXE_OPTIONS, "rules": {rule: {"enabled": False} for rule in rules_off}}
    results = page.evaluate("options => axe.run(document, options)", options)
    review = [
        {**found, "help": f"{found['help']} (axe: needs review)"}
        for found in results["incomplete"]
        if found["id"] not in ("color-contrast", "frame-tested")
    ]
    return results["violations"] + review


def report(violations: list[dict], levels: tuple[str, ...]) -> str:
    """One block per rule: id, impact, what it checks, the elements, where to read."""
    lines = []
    for violation in violations:
        if violation["impact"] not in levels:
            continue
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {' '.join(node['target'])} — {summary}")
        lines.append(f"    {violation['helpUrl']}")
    return "\n".join(lines)


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_accessibility_violation(new_context, live_server, world, name):
    """Both sizes in one test: the world is built once, and a failure lists both."""
    spec = PAGES[name]
    path = spec.path(world)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    found = []
    for size, viewport in SIZES.items():
        phone = size == "phone"
        page = new_context(viewport=viewport, base_url=live_server.url, is_mobile=phone,
                           has_touch=phone).new_page()  # fmt: skip
        if spec.who:
            log_in(page, f"{spec.who}@example.com", PASSWORD)
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
        response = page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        assert page.url.endswith(path), f"{path} went to {page.url}"
        if spec.then:
            spec.then(page)
        page.wait_for_load_state("networkidle")
        if phone:
            assert not has_horizontal_scroll(page), f"{name} scrolls sideways on a phone"
        page.screenshot(path=SCREENSHOTS / f"{name}-{size}.png", full_page=True)
        violations = run_axe(page, spec.rules_off)
        (SCREENSHOTS / f"{name}-{size}.axe.json").write_text(json.dumps(violations, indent=1))
        if failures := report(violations, spec.fails_on):
            found.append(f"axe on {name} at {size} ({path}):\n{failures}")

    assert not found, "\n".join(found)


def test_violations_and_defects_left_for_review_are_reported_readably(phone, db):
    """The page check can fail: an unlabelled field, and help text the field points at
    but that isn't there, are both caught."""
    phone.goto("/accounts/login/")
    phone.evaluate("""() => {
        const form = document.querySelector('form');
        form.append(document.createElement('select'));
        document.querySelector('#id_username').setAttribute('aria-describedby', 'nowhere');
    }""")

    found = report(run_axe(phone), SERIOUS)

    assert "select-name (critical): Select element must have an accessible name\n" in found
    assert "\n    select — Fix any of the following:" in found
    assert "dequeuniversity.com/rules/axe/" in found
    assert "aria-valid-attr-value (critical): ARIA attributes must conform to valid values " \
        "(axe: needs review)\n    #id_username — " in found  # fmt: skip
