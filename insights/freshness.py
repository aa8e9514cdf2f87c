"""What makes an insight *fresh*: a real, recent customer conversation, not last
week's story retold. The rules live here so the form, the hint shown before anyone
types, and the tests all use the same ones."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from difflib import SequenceMatcher

from meetings.models import Meeting, Team

# Above this similarity (0..1, word-level, after normalising case, accents and
# punctuation) a text counts as a near copy of an earlier one. Measured on real
# cases in tests/insights/test_freshness.py: edited copies score 0.85+, honest
# paraphrases of the same topic stay under 0.6.
NEAR_COPY_THRESHOLD = 0.8

IN_THE_FUTURE = "The conversation can't be in the future."
TOO_OLD_DAYS = "Fresh means within %(days)s days of the meeting: on or after %(earliest)s."
TOO_OLD_SINCE_PREVIOUS = "Fresh means since the previous meeting: on or after %(earliest)s."
NEAR_COPY = (
    "This is almost the same as your insight from %(when)s. Bring a new conversation: "
    "what did a customer tell you since?"
)


def meeting_day(meeting: Meeting) -> dt.date:
    return meeting.starts_at.astimezone(meeting.team.zone).date()


def earliest_fresh_date(meeting: Meeting) -> dt.date:
    """The oldest conversation date that still counts as fresh for this meeting."""
    team: Team = meeting.team
    day = meeting_day(meeting)
    if team.freshness_mode == Team.Freshness.SINCE_PREVIOUS and meeting.series_id:
        previous = (
            Meeting.objects.filter(series_id=meeting.series_id, starts_at__lt=meeting.starts_at)
            .exclude(status=Meeting.Status.CANCELLED)
            .order_by("-starts_at")
            .values_list("starts_at", flat=True)
            .first()
        )
        if previous is not None:
            return previous.astimezone(team.zone).date()
    return day - dt.timedelta(days=team.freshness_days)


def freshness_error(meeting: Meeting, conversation_date: dt.date, today: dt.date) -> str | None:
    """The message to show next to the date, or None when the date is fresh."""
    if conversation_date > today:
        return IN_THE_FUTURE
    earliest = earliest_fresh_date(meeting)
    if conversation_date < earliest:
        template = (
            TOO_OLD_SINCE_PREVIOUS
            if meeting.team.freshness_mode == Team.Freshness.SINCE_PREVIOUS and meeting.series_id
            else TOO_OLD_DAYS
        )
        return template % {"days": meeting.team.freshness_days, "earliest": f"{earliest:%a %-d %b}"}
    return None


def days_ago(days: int) -> str:
    """A number of days back, as people say it: "today", "yesterday", "3 days ago"."""
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


def heard_in_words(conversation_date: dt.date, meeting: Meeting, today: dt.date) -> str:
    """When an insight's conversation was, for its card: counted from today until
    the meeting's day ("heard yesterday"), from the meeting once it is past ("heard
    the day before"), so the words stay true whenever the page is read."""
    day = meeting_day(meeting)
    if today <= day:
        return f"heard {days_ago((today - conversation_date).days)}"
    before = (day - conversation_date).days
    if before <= 0:
        return "heard on the day"
    if before == 1:
        return "heard the day before"
    return f"heard {before} days before"


def normalise(text: str) -> list[str]:
    """Words, lower-cased, accents and punctuation dropped: what a copy keeps."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", text.lower())


def similarity(a: str, b: str) -> float:
    words_a, words_b = normalise(a), normalise(b)
    if not words_a or not words_b:
        return 0.0
    return SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()


def near_copy_of(text: str, earlier: list[tuple[str, dt.datetime]]) -> dt.datetime | None:
    """When the text nearly copies one of the earlier texts, when that one was written."""
    for other, when in earlier:
        if similarity(text, other) >= NEAR_COPY_THRESHOLD:
            return when
    return None
