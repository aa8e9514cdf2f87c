"""No stale send under load, with real parts: a Celery worker (two pool processes)
sends 3,000 due reminders from PostgreSQL into a real SMTP server while test threads
move meetings (every 0.1 s) and submit insights (every 0.05 s), picking the meetings
and attendees whose reminders are being sent right then.

A stale send is a message the server received after the commit of something that
should have stopped it: a move of its meeting to a newer schedule_version than the
message was planned for, or its recipient's insight for that meeting. The SMTP
server runs in this process, so its receive times and the commit times recorded
here come from one clock (time.monotonic)."""

from __future__ import annotations

import collections
import datetime as dt
import random
import threading
import time
from dataclasses import dataclass

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from insights.models import Insight
from insights.services import submit_insight
from meetings import services
from meetings.models import Meeting
from reminders import planner
from reminders.models import Message
from tests.factories import CustomerFactory

from . import harness
from .test_reliability import OPEN, due_meetings, enqueue, states

S = Message.State
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

MEETINGS, ATTENDEES = 150, 20  # 3,000 final reminders due now: load for about 10 s
MOVE_EVERY, SUBMIT_EVERY = 0.1, 0.05  # seconds, as in the report
# A send received from this long before a move or a submission began on raced it.
RACE = 0.05


@dataclass(frozen=True)
class Move:
    meeting_id: int
    version: int  # the meeting's schedule_version once moved
    starts_at: dt.datetime
    began: float
    committed: float


@dataclass(frozen=True)
class Submission:
    meeting_id: int
    user_id: int
    began: float
    committed: float


class Every(threading.Thread):
    """Calls act() at a fixed rate, in its own database connection, until stopped;
    keeps what act() returned and any error."""

    def __init__(self, seconds: float, act) -> None:
        super().__init__(daemon=True)
        self.seconds, self.act = seconds, act
        self.halt = threading.Event()
        self.done: list = []
        self.errors: list[Exception] = []

    def run(self) -> None:
        next_at = time.monotonic()
        try:
            while not self.halt.wait(max(0.0, next_at - time.monotonic())):
                next_at += self.seconds
                try:
                    if (result := self.act()) is not None:
                        self.done.append(result)
                except Exception as error:
                    self.errors.append(error)
        finally:
            connection.close()

    def stop(self) -> None:
        self.halt.set()
        self.join(10)


def being_sent(limit: int = 4) -> list[tuple[int, int]]:
    """(meeting, attendee) of reminders claimed right now, lowest pk first: a batch is
    worked through in that order, so these are in flight or next."""
    return list(
        Message.objects.filter(state=S.SENDING, kind=Message.Kind.REMINDER)
        .order_by("pk")
        .values_list("meeting_id", "user_id")[:limit]
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def test_no_reminder_is_sent_after_a_move_or_a_submission_that_commits_during_dispatch(
    smtp_sink, broker_url, celery_worker
):
    meetings = due_meetings(meetings=MEETINGS, attendees=ATTENDEES)
    base = {m.pk: m.starts_at for m in meetings}
    planner.plan()
    assert states() == {S.PENDING: MEETINGS * ATTENDEES}
    first_round = set(Message.objects.values_list("pk", flat=True))
    customer = CustomerFactory()
    rng = random.Random(1)
    submitted: set[tuple[int, int]] = set()

    def move() -> Move | None:
        targets = being_sent()
        if not targets:
            return None
        meeting = Meeting.objects.get(pk=rng.choice(targets)[0])
        # Between two times a minute apart, both with the final reminder due now.
        starts_at = base[meeting.pk] + dt.timedelta(minutes=1 + meeting.schedule_version % 2)
        began = time.monotonic()
        moved = services.update_meeting(meeting=meeting, data={"starts_at": starts_at})
        return Move(meeting.pk, moved.schedule_version, starts_at, began, time.monotonic())

    def submit() -> Submission | None:
        targets = [t for t in being_sent() if t not in submitted]
        if not targets:
            return None
        meeting_id, user_id = rng.choice(targets)
        submitted.add((meeting_id, user_id))
        data = {"customer": customer, "conversation_date": timezone.localdate(),
                "said": "They export it every Monday.", "so_what": "Schedule the CSV."}  # fmt: skip
        began = time.monotonic()
        submit_insight(meeting=Meeting(pk=meeting_id), author=User.objects.get(pk=user_id),
                       data=data)  # fmt: skip
        return Submission(meeting_id, user_id, began, time.monotonic())

    celery_worker("w1", concurrency=2)
    began = time.monotonic()
    enqueue("reminders.dispatch", 2, broker_url=broker_url)  # one per pool process
    harness.wait_until(lambda: Message.objects.filter(state=S.SENDING).exists(), timeout=20,
                       what="dispatch to start")  # fmt: skip
    movers, submitters = Every(MOVE_EVERY, move), Every(SUBMIT_EVERY, submit)
    movers.start()
    submitters.start()

    # The load lasts as long as the first round is being dispatched; beat's tick (every
    # second here) plans the reminders for the new times, which go out too.
    def first_round_done() -> bool:
        # A move or a submission that fails (a deadlock with a send) fails the test now.
        assert movers.errors == [], f"moves failed: {movers.errors}"
        assert submitters.errors == [], f"submissions failed: {submitters.errors}"
        enqueue("reminders.tick", broker_url=broker_url)
        return not Message.objects.filter(pk__in=first_round, state__in=OPEN).exists()

    try:
        harness.wait_until(first_round_done, timeout=60, interval=1,
                           what="the first round to be dispatched")  # fmt: skip
    finally:
        movers.stop()
        submitters.stop()
    loaded = time.monotonic() - began

    def settled() -> bool:
        # Nothing left to plan (a meeting moved at the very end has its new reminders
        # planned by a later tick) and nothing left to send.
        planner.plan()
        enqueue("reminders.tick", broker_url=broker_url)
        horizon = timezone.now() + planner.PLAN_AHEAD
        unplanned = Meeting.objects.filter(
            pk__in=base, status=Meeting.Status.SCHEDULED, next_reminder_at__lte=horizon
        )
        return not unplanned.exists() and not Message.objects.filter(state__in=OPEN).exists()

    harness.wait_until(settled, timeout=30, interval=1, what="the new times' reminders")
    assert movers.errors == [], f"moves failed: {movers.errors}"
    assert submitters.errors == [], f"submissions failed: {submitters.errors}"
    moves, submissions = movers.done, submitters.done

    # --- Stale sends: received after a commit that should have stopped them ---------
    rows = {m.message_id: m for m in Message.objects.all()}
    received = smtp_sink.received
    moves_of = collections.defaultdict(list)
    for m in moves:
        moves_of[m.meeting_id].append(m)
    submission_of = {(s.meeting_id, s.user_id): s for s in submissions}

    # (the move or submission, the send, when the server got it) for each send it raced:
    # one it should stop, received from just before it began.
    move_races: list[tuple[Move, Message, float]] = []
    submission_races: list[tuple[Submission, Message, float]] = []
    for r in received:
        row = rows[r.message_id]
        for m in moves_of[row.meeting_id]:
            if m.version > row.schedule_version and r.at > m.began - RACE:
                move_races.append((m, row, r.at))
        s = submission_of.get((row.meeting_id, row.user_id))
        if s is not None and r.at > s.began - RACE:
            submission_races.append((s, row, r.at))
    stale_moves = [(m, row, at) for m, row, at in move_races if at > m.committed]
    stale_submissions = [(s, row, at) for s, row, at in submission_races if at > s.committed]

    def figures(events: list, races: list) -> str:
        before = [e.committed - at for e, _, at in races if at <= e.committed]
        after = [at - e.committed for e, _, at in races if at > e.committed]
        during = [at for e, _, at in races if e.began <= at <= e.committed]
        took = sorted(e.committed - e.began for e in events)
        text = (
            f"{len(events)} (each took {ms(took[len(took) // 2])} median, {ms(took[-1])} "
            f"at most); {len({e for e, _, _ in races})} raced by {len(races)} sends, "
            f"{len(during)} of them received while it was in progress"
        )
        if before:
            text += f"; {len(before)} received before its commit (closest {ms(min(before))})"
        if after:
            followed = len({e for e, _, at in races if at > e.committed})
            text += (f"; {len(after)} STALE, received after its commit ({ms(min(after))} to "
                     f"{ms(max(after))}), following {followed} of them")  # fmt: skip
        return text

    print(
        f"\n{len(first_round)} reminders due, {len(received)} sends over {loaded:.1f} s of "
        f"load; final states {states()}"
        f"\nmoves: {figures(moves, move_races)}"
        f"\nsubmissions: {figures(submissions, submission_races)}"
    )
    assert len(moves) >= 50 and len(submissions) >= 100, "the load was applied"
    assert move_races and submission_races, "sends raced the moves and the submissions"
    assert stale_moves == [], f"{len(stale_moves)} old-time sends after a move committed"
    assert stale_submissions == [], f"{len(stale_submissions)} sends after an insight was in"

    # --- Nothing lost: every reminder sent once, or skipped for a recorded reason ------
    final = states()
    assert set(final) <= {S.SENT, S.SKIPPED_SUPERSEDED, S.SKIPPED_SUBMITTED,
                          S.SKIPPED_COALESCED}, final  # fmt: skip
    assert smtp_sink.duplicates() == {}
    assert set(smtp_sink.counts()) == {m.message_id for m in rows.values() if m.state == S.SENT}
    version = dict(Meeting.objects.values_list("pk", "schedule_version"))
    for row in rows.values():
        if row.state == S.SKIPPED_SUPERSEDED:
            assert row.schedule_version < version[row.meeting_id], row
        if row.state == S.SKIPPED_SUBMITTED:
            assert (row.meeting_id, row.user_id) in submission_of, row
    insights = set(Insight.objects.values_list("meeting_id", "author_id"))
    assert insights == set(submission_of)
    reached = {(rows[r.message_id].meeting_id, rows[r.message_id].user_id) for r in received}
    owed = {(m.pk, a.user_id) for m in meetings for a in m.attendances.all()}
    assert owed - reached - insights == set(), "every attendee was reminded or submitted"
