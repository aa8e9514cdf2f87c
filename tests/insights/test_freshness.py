"""Fresh means recent and new: the date rule at its boundaries, and copies caught."""

from __future__ import annotations

import datetime as dt

import pytest

from insights.freshness import (
    IN_THE_FUTURE,
    NEAR_COPY_THRESHOLD,
    days_ago,
    earliest_fresh_date,
    freshness_error,
    heard_in_words,
    similarity,
)
from meetings.models import Team
from tests.factories import MeetingFactory, SeriesFactory, TeamFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def meeting(db):
    team = TeamFactory(time_zone="Europe/Brussels", freshness_days=14)
    # Monday 9 March 2026, 09:00 in Brussels.
    return MeetingFactory(team=team, starts_at=dt.datetime(2026, 3, 9, 8, tzinfo=UTC))


def test_a_conversation_exactly_n_days_before_the_meeting_is_fresh(meeting):
    assert freshness_error(meeting, dt.date(2026, 2, 23), today=dt.date(2026, 3, 8)) is None


def test_one_day_older_is_not(meeting):
    error = freshness_error(meeting, dt.date(2026, 2, 22), today=dt.date(2026, 3, 8))

    assert error == "Fresh means within 14 days of the meeting: on or after Mon 23 Feb."


def test_today_is_fresh_and_tomorrow_is_in_the_future(meeting):
    today = dt.date(2026, 3, 8)

    assert freshness_error(meeting, today, today=today) is None
    assert freshness_error(meeting, today + dt.timedelta(days=1), today=today) == IN_THE_FUTURE


def test_the_meeting_day_is_the_teams_day_not_utcs(db):
    # 23:30 UTC on Sunday is already Monday in Brussels.
    team = TeamFactory(time_zone="Europe/Brussels", freshness_days=1)
    meeting = MeetingFactory(team=team, starts_at=dt.datetime(2026, 3, 8, 23, 30, tzinfo=UTC))

    assert earliest_fresh_date(meeting) == dt.date(2026, 3, 8)


def test_since_previous_meeting_uses_the_series_previous_meeting(db):
    team = TeamFactory(time_zone="Europe/Brussels", freshness_mode=Team.Freshness.SINCE_PREVIOUS)
    series = SeriesFactory(team=team)
    MeetingFactory(team=team, series=series, starts_at=dt.datetime(2026, 3, 2, 8, tzinfo=UTC))
    meeting = MeetingFactory(
        team=team, series=series, starts_at=dt.datetime(2026, 3, 9, 8, tzinfo=UTC)
    )

    assert freshness_error(meeting, dt.date(2026, 3, 2), today=dt.date(2026, 3, 8)) is None
    assert "since the previous meeting: on or after Mon 2 Mar" in freshness_error(
        meeting, dt.date(2026, 3, 1), today=dt.date(2026, 3, 8)
    )


LAST_WEEK = (
    "The CFO said the new price is fine, but she can't explain the jump to her board "
    "without a breakdown of usage per department."
)
COPIES = [
    LAST_WEEK,
    # Copied with cosmetic edits: case, punctuation, a word swapped.
    "the CFO said the new price is fine but she cannot explain the jump to her board "
    "without a breakdown of usage per department!!",
    "The CFO said the new pricing is fine, but she can't explain the jump to the board "
    "without a breakdown of usage per department.",
]
FRESH = [
    # The same customer topic, honestly new evidence in new words.
    "Their procurement lead asked for a usage report before renewal; finance wants to "
    "see which teams actually log in.",
    "A warehouse manager showed me the paper list of difficult customers taped to the screen.",
    "Pricing came up again: a small dental practice thinks the per-seat price punishes part-timers.",
]


@pytest.mark.parametrize("text", COPIES)
def test_copies_of_last_weeks_answer_are_near_copies(text):
    assert similarity(text, LAST_WEEK) >= NEAR_COPY_THRESHOLD


@pytest.mark.parametrize("text", FRESH)
def test_honest_paraphrases_and_new_stories_are_not(text):
    assert similarity(text, LAST_WEEK) < 0.6


# --- The words: "today", not "0 days" ------------------------------------------------


@pytest.mark.parametrize(
    ("days", "words"), [(0, "today"), (1, "yesterday"), (2, "2 days ago"), (14, "14 days ago")]
)
def test_days_back_read_as_people_say_them(days, words):
    assert days_ago(days) == words


@pytest.mark.parametrize(
    ("conversation", "words"),
    [(dt.date(2026, 3, 9), "heard today"), (dt.date(2026, 3, 8), "heard yesterday"),
     (dt.date(2026, 3, 4), "heard 5 days ago")],
)  # fmt: skip
def test_on_the_meetings_day_an_insight_was_heard_counting_from_today(meeting, conversation, words):
    assert heard_in_words(conversation, meeting, today=dt.date(2026, 3, 9)) == words


def test_before_the_meeting_an_insight_heard_today_says_today_not_days_before_it(meeting):
    """Brought on Friday to Monday's meeting: heard today, not "3 days"."""
    assert heard_in_words(dt.date(2026, 3, 6), meeting, today=dt.date(2026, 3, 6)) == "heard today"


@pytest.mark.parametrize(
    ("conversation", "words"),
    [(dt.date(2026, 3, 9), "heard on the day"), (dt.date(2026, 3, 8), "heard the day before"),
     (dt.date(2026, 3, 2), "heard 7 days before")],
)  # fmt: skip
def test_once_the_meeting_is_past_it_counts_from_the_meeting(meeting, conversation, words):
    """Read a month later, "heard today" would be false: the meeting is the anchor."""
    assert heard_in_words(conversation, meeting, today=dt.date(2026, 4, 9)) == words
