"""Every HTML e-mail is a whole document a phone lays out at its own width, from one
shared base (templates/emails/_base.html), with its main link as a thumb-sized button."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from meetings import services
from tests.factories import one_email_of_each_kind

pytestmark = pytest.mark.django_db

EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


@pytest.fixture
def emails(team, facilitator, member, org_admin):
    meeting = services.create_meeting(
        team=team, title="Monday round", facilitator=facilitator, duration_minutes=30,
        starts_at=timezone.now() + dt.timedelta(hours=3),
    )  # fmt: skip
    return one_email_of_each_kind(meeting=meeting, member=member, org_admin=org_admin)


def test_every_html_email_is_a_whole_document_with_the_phone_viewport(emails):
    assert len(emails) == 7
    for message in emails:
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        assert html.lstrip().startswith("<!doctype html>"), message.subject
        assert html.count(VIEWPORT) == 1, message.subject
        found = [tag for tag, _ in tags(html)]
        assert found[:3] == ["html", "head", "meta"], message.subject
        assert "body" in found
        assert f"<title>{message.subject}</title>" in html.replace("&#x27;", "'")


def test_each_email_template_states_the_document_once_through_the_shared_base():
    bodies = sorted(EMAILS.glob("*_body.html"))
    assert len(bodies) == 7
    for body in bodies:
        text = body.read_text()
        assert text.startswith('{% extends "emails/_base.html" %}'), body.name
        assert "viewport" not in text and "<html" not in text and "<body" not in text, body.name


def test_the_one_tap_link_is_a_button_a_thumb_finds(emails):
    reminder = next(m for m in emails if "Monday round" in m.subject and "/i/" in m.body)
    html = reminder.alternatives[0][0]

    buttons = [attrs for tag, attrs in tags(html) if tag == "a" and attrs.get("class") == "button"]

    assert len(buttons) == 1
    assert "/i/" in buttons[0]["href"] and "?t=" in buttons[0]["href"]
    style = buttons[0]["style"]
    assert "display:inline-block" in style
    padding = int(re.search(r"padding:(\d+)px", style).group(1))
    line = int(re.search(r"line-height:(\d+)px", style).group(1))
    assert 2 * padding + line >= 48  # px: the app's own minimum tap target
    # On a phone, capable mail clients make it full width.
    assert ".button { display: block !important; }" in html


def test_a_customer_name_with_accents_and_curly_quotes_reaches_the_summary_intact(emails):
    summary = next(m for m in emails if "Société Générale" in m.alternatives[0][0])

    assert "Société Générale d’Électricité de Wallonie-Bruxelles" in summary.alternatives[0][0]
    assert "“We reconcile the depot reports" in summary.alternatives[0][0]
