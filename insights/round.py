"""The insight round: the one answer to "who brought an insight?".

Every page, message and figure that says "N of M" asks this module: the agenda, the
meeting cards on home and in lists, the reminders' "4 of 7", the facilitator's digest,
the chat post, the summary page and e-mail, and the dashboards.

The rules:
- Each attendee of a meeting is **expected** or **excused** (by hand, or because an
  away period covers the meeting's day).
- "N of M": M counts the expected attendees; N those of them who brought an insight.
- An expected attendee's insight is **on time** or **late** (first saved at or after the
  start, or after the meeting was started if that came first: `Meeting.is_late`,
  decided once when it is first saved). Without one they are **missing**.
- An excused person's insight is shown and kept, and counts apart: "+1 from someone
  excused". It is neither in N nor in M.
- An insight by someone no longer on the meeting's list stays in the library and on
  its customer's page, but is not part of the round.

The rules are applied twice: over loaded rows (`round_for`, for a page about one
meeting) and over plain rows (`with_round_counts`, for lists of meetings: two queries
whatever their number). tests/insights/test_round.py holds both to the same fixture.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q

from accounts.models import User
from meetings.models import Attendance, Meeting

from .models import Insight, SeatResult

# The attendances that count in M. Attendance.is_excused is the same rule in Python.
EXPECTED = ~Q(status=Attendance.Status.EXCUSED)


# The four outcomes, as the results written when a meeting ends store them.
Outcome = SeatResult.Outcome


@dataclass(frozen=True)
class Seat:
    """One attendee's place in the round."""

    attendance: Attendance
    insight: Insight | None

    @property
    def user(self) -> User:
        return self.attendance.user

    @property
    def is_expected(self) -> bool:
        return not self.attendance.is_excused

    @property
    def outcome(self) -> Outcome:
        if not self.is_expected:
            return Outcome.EXCUSED
        if self.insight is None:
            return Outcome.MISSING
        return Outcome.LATE if self.insight.is_late else Outcome.ON_TIME


@dataclass(frozen=True)
class Round:
    """A meeting's round at a glance, from rows loaded once. Each view of it is
    worked out once: a page asks for the same lists many times."""

    seats: list[Seat]

    @cached_property
    def expected(self) -> list[Seat]:
        return [s for s in self.seats if s.is_expected]

    @cached_property
    def excused(self) -> list[Seat]:
        return [s for s in self.seats if not s.is_expected]

    @cached_property
    def brought(self) -> list[Seat]:
        """Expected attendees who brought an insight: the N of "N of M"."""
        return [s for s in self.expected if s.insight is not None]

    @cached_property
    def missing(self) -> list[Seat]:
        return [s for s in self.expected if s.insight is None]

    @cached_property
    def late(self) -> list[Seat]:
        return [s for s in self.brought if s.insight.is_late]

    @cached_property
    def from_excused(self) -> list[Seat]:
        """Insights brought anyway by someone excused: shown and kept, counted apart."""
        return [s for s in self.excused if s.insight is not None]

    @cached_property
    def submitted_count(self) -> int:
        return len(self.brought)

    @cached_property
    def expected_count(self) -> int:
        return len(self.expected)

    @cached_property
    def extra_count(self) -> int:
        return len(self.from_excused)

    @cached_property
    def with_insight(self) -> list[Seat]:
        """Every seat with an insight, expected or not: the cards on the agenda."""
        return [s for s in self.seats if s.insight is not None]

    @cached_property
    def presenters(self) -> list[Seat]:
        """The presenter view's order: everyone expected, and anyone excused who
        brought an insight anyway, by name."""
        return [s for s in self.seats if s.is_expected or s.insight is not None]

    def seat_of(self, user) -> Seat | None:
        return next((s for s in self.seats if s.attendance.user_id == user.pk), None)


def round_for(meeting: Meeting) -> Round:
    """Two queries whatever the team size: attendees with their users, insights with theirs."""
    attendances = list(meeting.attendances.select_related("user").order_by("user__name", "pk"))
    insights = {
        i.author_id: i
        for i in meeting.insights.select_related("author", "customer").prefetch_related("tags")
    }
    for insight in insights.values():
        insight.meeting = meeting  # freshness needs the meeting's day; no extra query
    return Round(seats=[Seat(a, insights.get(a.user_id)) for a in attendances])


def round_fingerprint(meeting: Meeting) -> str:
    """A digest of everything the round shows (its seats and their people, each
    insight's words, customer, tags and star, the meeting's times and state), read
    as plain values without building the round: an agenda polling a
    round that hasn't changed is answered 304, without loading or rendering it."""
    seats = meeting.attendances.order_by("pk").values_list(
        "user_id", "user__name", "status", "excuse_reason", "presented_at"
    )
    insights = meeting.insights.order_by("pk").values_list(
        "pk", "author_id", "customer__name", "contact", "said", "so_what", "channel",
        "conversation_date", "is_late", "is_starred",
    )  # fmt: skip
    tags = (
        Insight.tags.through.objects.filter(insight__meeting=meeting)
        .order_by("pk")
        .values_list("insight_id", "tag__name")
    )
    shown = (meeting.status, meeting.title, meeting.starts_at, meeting.ends_at,
             list(seats), list(insights), list(tags))  # fmt: skip
    return hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()


def counts(meeting: Meeting) -> tuple[int, int, int]:
    """(N, M, from the excused) for one meeting in one query, where loading the whole
    round isn't needed."""
    return counts_for([meeting.pk])[meeting.pk]


def counts_for(meeting_ids) -> dict[int, tuple[int, int, int]]:
    """counts() of several meetings: meeting id -> (N, M, from the excused)."""
    counted = with_round_counts([Meeting(pk=pk) for pk in meeting_ids])
    return {m.pk: (m.submitted_count, m.expected_count, m.extra_count) for m in counted}


def with_round_counts(meetings, user=None) -> list[Meeting]:
    """Give each meeting its round at a glance: expected_count (M), submitted_count (N),
    extra_count (from the excused), and with a user, my_status and my_insight_id.
    Two queries of plain rows for all of them, counted here by the rules above:
    cheaper than asking the database to count in correlated subqueries, which cost
    more to compile than to run."""
    meetings = list(meetings)
    ids = [m.pk for m in meetings]
    statuses: dict[int, dict[int, str]] = {pk: {} for pk in ids}  # meeting -> user -> status
    for meeting_id, user_id, status in Attendance.objects.filter(meeting_id__in=ids).values_list(
        "meeting_id", "user_id", "status"
    ):
        statuses[meeting_id][user_id] = status
    written: dict[int, dict[int, int]] = {pk: {} for pk in ids}  # meeting -> author -> insight
    for meeting_id, author_id, pk in Insight.objects.filter(meeting_id__in=ids).values_list(
        "meeting_id", "author_id", "pk"
    ):
        written[meeting_id][author_id] = pk
    for meeting in meetings:
        seats, authors = statuses[meeting.pk], written[meeting.pk]
        expected = {u for u, status in seats.items() if status != Attendance.Status.EXCUSED}
        meeting.expected_count = len(expected)
        meeting.submitted_count = sum(1 for a in authors if a in expected)
        meeting.extra_count = sum(1 for a in authors if a in seats and a not in expected)
        if user is not None:
            meeting.my_status = seats.get(user.pk)
            meeting.my_insight_id = authors.get(user.pk)
    return meetings
