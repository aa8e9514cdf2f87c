"""A facilitator runs a whole meeting from the browser."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from insights.models import Action
from insights.services import submit_insight
from meetings import services
from meetings.models import Meeting
from tests.factories import PASSWORD, CustomerFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def insight_data(team, customer: str, said: str) -> dict:
    return {
        "customer": CustomerFactory(name=customer),
        "conversation_date": timezone.localdate() - dt.timedelta(days=2),
        "channel": "call",
        "said": said,
        "so_what": "We should act on it.",
    }


def press(page, key: str) -> None:
    """Press a key once the presenter's keyboard shortcuts are listening."""
    page.locator("[data-presenter][data-ready]").wait_for()
    page.keyboard.press(key)


def test_facilitator_runs_a_meeting_from_agenda_to_summary(
    desktop, team, facilitator, member, team_admin
):
    meeting = services.create_meeting(
        team=team, title="Monday customer round", duration_minutes=30,
        starts_at=timezone.now() + dt.timedelta(minutes=10),
    )  # fmt: skip
    services.add_agenda_item(meeting=meeting, title="Pipeline review", minutes=10)
    submit_insight(meeting=meeting, author=team_admin,
                   data=insight_data(team, "Helios Energy", "They want SCIM before rollout."))  # fmt: skip

    log_in(desktop, "alice@example.com", PASSWORD)
    desktop.goto(f"/teams/sales/meetings/{meeting.pk}/")
    round_panel = desktop.locator("#round")
    expect(round_panel).to_contain_text("1 of 3")
    expect(round_panel).to_contain_text("Bob Member")  # missing
    desktop.screenshot(path="var/screenshots/agenda-before.png", full_page=True)

    # Bob submits from his phone while the facilitator watches: no reload.
    submit_insight(meeting=meeting, author=member,
                   data=insight_data(team, "Acme Logistics", "We export to Excel every Monday."))  # fmt: skip
    expect(round_panel).to_contain_text("2 of 3", timeout=10_000)
    expect(round_panel).to_contain_text("Acme Logistics")
    desktop.screenshot(path="var/screenshots/agenda-live.png", full_page=True)

    desktop.get_by_role("button", name="Start meeting").click()
    # Ten minutes before the scheduled start: Alice is asked first.
    expect(
        desktop.get_by_role("heading", name=re.compile(r"Start \d+ minutes early\?"))
    ).to_be_visible()
    desktop.get_by_role("button", name="Start now").click()
    expect(desktop.get_by_role("heading", name="Alice Facilitator")).to_be_visible()
    expect(desktop.get_by_text("No insight this time.")).to_be_visible()

    press(desktop, "ArrowRight")
    expect(desktop.get_by_role("heading", name="Bob Member")).to_be_visible()
    expect(desktop.get_by_text("We export to Excel every Monday.")).to_be_visible()
    press(desktop, "p")
    expect(desktop.get_by_role("button", name="✓ Presented")).to_be_visible()
    press(desktop, "s")
    expect(desktop.get_by_role("button", name="★ Starred")).to_be_visible()
    press(desktop, "a")  # the action form is closed on the shared screen until asked for
    desktop.get_by_label("Follow-up action").fill("Show Acme the depot filter")
    desktop.get_by_label("Or on").fill((timezone.localdate() + dt.timedelta(days=4)).isoformat())
    desktop.get_by_role("button", name="Add action").click()
    expect(desktop.get_by_text("Action for Bob Member captured.")).to_be_visible()
    desktop.screenshot(path="var/screenshots/presenter.png", full_page=True)

    press(desktop, "ArrowRight")
    expect(desktop.get_by_role("heading", name="Carol Admin")).to_be_visible()
    desktop.get_by_role("button", name="End meeting").click()
    # Nobody was marked presented, so ending is asked first.
    expect(desktop.get_by_role("heading", name="End the meeting?")).to_be_visible()
    desktop.get_by_role("button", name="End meeting").click()

    expect(desktop.get_by_role("heading", name="Monday customer round: summary")).to_be_visible()
    expect(desktop.get_by_text("Show Acme the depot filter")).to_be_visible()
    desktop.screenshot(path="var/screenshots/summary.png", full_page=True)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ENDED
    action = Action.objects.get()
    assert (action.owner, action.insight.author) == (member, member)
    assert meeting.insights.get(author=member).is_starred
    assert sorted(m.to[0] for m in mail.outbox) == [
        "alice@example.com", "bob@example.com", "carol@example.com",
    ]  # fmt: skip
