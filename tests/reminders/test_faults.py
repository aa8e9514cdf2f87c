"""The dispatcher under faults, in one process with real PostgreSQL and a real SMTP
server: a database that drops the connection right after the server accepted a
message, a batch abandoned half way, a move or a submission that commits while a
reminder is being sent, and the lock orders that must not deadlock with a send
(reminders/dispatch.py says what each guarantees)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time

import psycopg2
import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from insights.services import submit_insight
from meetings import services
from meetings.models import Attendance
from reminders import channels, dispatch, gate, planner
from reminders.models import Message
from tests.factories import CustomerFactory

from . import harness
from .test_reliability import due_meetings, states

S = Message.State
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def kill_my_database_session() -> None:
    """Terminate this thread's PostgreSQL session from another connection: the next
    statement on it fails as it would if the server restarted."""
    pid = connection.connection.get_backend_pid()
    params = connection.get_connection_params()
    other = psycopg2.connect(**params)
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


def test_a_database_error_right_after_the_server_accepted_a_reminder_sends_no_duplicate(
    smtp_sink, monkeypatch
):
    due_meetings(meetings=1, attendees=3, starts_in=dt.timedelta(minutes=45), offsets=(50,))
    planner.plan()
    real_send = channels.EmailChannel.send
    lost = []

    def send_then_lose_the_database(self, reminder):
        real_send(self, reminder)
        if not lost:  # once: the server has it, the database goes away
            lost.append(reminder.message_id)
            kill_my_database_session()

    monkeypatch.setattr(channels.EmailChannel, "send", send_then_lose_the_database)

    with contextlib.suppress(DatabaseError):
        dispatch.tick(plan=False)
    connection.close()
    # The lease runs out; a later sweep takes over anything still marked sending.
    dispatch.tick(now=timezone.now() + dispatch.LEASE + dt.timedelta(seconds=1), plan=False)

    assert lost, "the fault was injected"
    assert smtp_sink.duplicates() == {}
    assert states() == {S.SENT: 3}
    assert len(smtp_sink.received) == 3


def test_a_batch_abandoned_before_its_sends_gives_its_rows_back_at_once(smtp_sink, monkeypatch):
    """The database goes away while the batch is being checked: nothing went out, and
    the claimed rows are due again at once, not after their lease, their attempt
    given back."""
    due_meetings(meetings=1, attendees=4, starts_in=dt.timedelta(minutes=45), offsets=(50,))
    planner.plan()

    def gone(rows, **kwargs):
        raise DatabaseError("the database went away")

    with monkeypatch.context() as patched:
        patched.setattr(gate, "passing", gone)
        with pytest.raises(DatabaseError):
            dispatch.tick(plan=False)

    assert states() == {S.PENDING: 4}
    assert all(m.attempts == 0 and m.lease_until is None for m in Message.objects.all())
    dispatch.tick(plan=False)
    assert states() == {S.SENT: 4}
    assert smtp_sink.duplicates() == {}


def test_a_send_failing_mid_batch_keeps_what_went_out_and_gives_the_rest_back(
    smtp_sink, monkeypatch
):
    """The second send of four times out: the first is recorded as sent, the second
    waits its backoff, and the two not attempted are due again at once rather than
    each waiting out a timeout of its own while the batch holds their locks."""
    due_meetings(meetings=1, attendees=4, starts_in=dt.timedelta(minutes=45), offsets=(50,))
    planner.plan()
    real_send = channels.EmailChannel.send
    calls = []

    def second_times_out(channel, reminder):
        calls.append(reminder.pk)
        if len(calls) == 2:
            raise channels.TransientError("TimeoutError: timed out")
        real_send(channel, reminder)

    with monkeypatch.context() as patched:
        patched.setattr(channels.EmailChannel, "send", second_times_out)
        sweep = dispatch.work_through(dispatch.claim(), dispatch.Sweep())

    assert len(calls) == 2
    assert states() == {S.SENT: 1, S.PENDING: 3}
    failed = Message.objects.get(pk=calls[1])
    assert failed.attempts == 1 and failed.next_attempt_at > timezone.now()
    assert "timed out" in failed.last_error
    untried = Message.objects.filter(state=S.PENDING).exclude(pk=calls[1])
    assert all(m.attempts == 0 and m.next_attempt_at <= timezone.now() for m in untried)
    assert sweep is None
    dispatch.tick(plan=False)
    assert states() == {S.SENT: 3, S.PENDING: 1}
    dispatch.tick(now=timezone.now() + dispatch.BACKOFF[0], plan=False)
    assert states() == {S.SENT: 4}
    assert smtp_sink.duplicates() == {}


def test_a_state_change_moves_updated_at(smtp_sink):
    due_meetings(meetings=1, attendees=1, starts_in=dt.timedelta(minutes=45), offsets=(50,))
    planner.plan()
    before = Message.objects.get().updated_at

    time.sleep(0.01)
    dispatch.tick(plan=False)

    row = Message.objects.get()
    assert row.state == S.SENT
    assert row.updated_at > before


# --- A move or a submission racing a send in flight ---------------------------------


class HeldSend:
    """The e-mail channel, holding each send until released, so a test can act while
    a reminder is being sent."""

    def __init__(self, monkeypatch):
        self.sending = threading.Event()
        self.go = threading.Event()
        self.finished_at: float | None = None
        real_send = channels.EmailChannel.send

        self.entered: list[int] = []  # the rows whose send has begun

        def held(channel, reminder):
            self.entered.append(reminder.pk)
            self.sending.set()
            assert self.go.wait(10), "never released"
            real_send(channel, reminder)
            self.finished_at = time.monotonic()

        monkeypatch.setattr(channels.EmailChannel, "send", held)


def in_thread(target) -> tuple[threading.Thread, dict]:
    """Run target() in a thread with its own database connection; the returned dict
    gets its result, or its error, and the moment it returned."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = target()
        except Exception as error:
            outcome["error"] = error
        finally:
            outcome["at"] = time.monotonic()
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_submission_during_a_send_waits_for_it_so_no_reminder_follows_it(smtp_sink, monkeypatch):
    [meeting] = due_meetings(meetings=1, attendees=1, starts_in=dt.timedelta(minutes=45),
                             offsets=(50,))  # fmt: skip
    planner.plan()
    person = Attendance.objects.get(meeting=meeting).user
    customer = CustomerFactory()
    held = HeldSend(monkeypatch)

    dispatcher, _ = in_thread(lambda: dispatch.tick(plan=False))
    assert held.sending.wait(10)
    submitter, submitted = in_thread(lambda: submit_insight(
        meeting=meeting, author=person,
        data={"customer": customer, "conversation_date": timezone.localdate(),
              "said": "They print it.", "so_what": "Paper."},
    ))  # fmt: skip
    time.sleep(0.5)
    waited = "at" not in submitted  # still waiting for the send's lock
    held.go.set()
    dispatcher.join(10)
    submitter.join(10)

    assert waited, "the submission did not wait for the send in flight"
    assert "error" not in submitted
    assert held.finished_at < submitted["at"], "the reminder went out before it committed"
    assert states() == {S.SENT: 1}


def test_a_move_during_a_send_waits_for_it_and_the_old_time_is_never_sent_after(
    smtp_sink, monkeypatch
):
    [meeting] = due_meetings(meetings=1, attendees=2, starts_in=dt.timedelta(minutes=45),
                             offsets=(50,))  # fmt: skip
    planner.plan()
    held = HeldSend(monkeypatch)

    # One row per sweep: the first is being sent when the move comes.
    monkeypatch.setattr(dispatch, "BATCH", 1)
    dispatcher, _ = in_thread(lambda: dispatch.tick(plan=False))
    assert held.sending.wait(10)
    new_start = meeting.starts_at + dt.timedelta(minutes=30)
    mover, moved = in_thread(lambda: services.update_meeting(
        meeting=type(meeting).objects.get(pk=meeting.pk), data={"starts_at": new_start}
    ))  # fmt: skip
    time.sleep(0.5)
    waited = "at" not in moved
    held.go.set()
    dispatcher.join(10)
    mover.join(10)

    assert waited, "the move did not wait for the send in flight"
    assert "error" not in moved
    # The send in flight went out before the move committed; the other attendee's
    # reminder for the old time was then superseded, never sent.
    old = Message.objects.filter(schedule_version=meeting.schedule_version)
    assert sorted(old.values_list("state", flat=True)) == [S.SENT, S.SKIPPED_SUPERSEDED]
    assert held.finished_at < moved["at"]


# --- The locks a send holds are the attendee's, not the whole meeting's -----------------


def test_two_sends_for_the_same_meeting_go_out_at_once(smtp_sink, monkeypatch):
    """Each send holds its attendee's lock and a share lock on the meeting; two of
    them never wait for each other (before, the attendance query's join also locked
    the meeting row FOR UPDATE: the second send waited for the first, or the two
    deadlocked)."""
    due_meetings(meetings=1, attendees=2, starts_in=dt.timedelta(minutes=45), offsets=(50,))
    planner.plan()
    held = HeldSend(monkeypatch)

    first, _ = in_thread(lambda: dispatch.work_through(dispatch.claim(batch=1), dispatch.Sweep()))
    assert held.sending.wait(10)
    second, outcome = in_thread(lambda: dispatch.tick(plan=False))
    try:
        harness.wait_until(lambda: len(held.entered) == 2, timeout=3,
                           what="the second send to begin while the first is in flight")  # fmt: skip
    finally:
        held.go.set()
        first.join(10)
        second.join(10)

    assert "error" not in outcome
    assert states() == {S.SENT: 2}
    assert smtp_sink.duplicates() == {}


def test_a_submission_while_its_reminder_is_being_checked_neither_deadlocks_nor_fails(
    smtp_sink, monkeypatch
):
    """The dispatcher holds the meeting's share lock and is about to take the
    attendee's; the attendee submits just then. The submission takes only the
    attendee's lock, commits, and the reminder is skipped (before, its query also
    wanted the meeting row FOR UPDATE: the two deadlocked and one was aborted)."""
    [meeting] = due_meetings(meetings=1, attendees=1, starts_in=dt.timedelta(minutes=45),
                             offsets=(50,))  # fmt: skip
    planner.plan()
    person = Attendance.objects.get(meeting=meeting).user
    customer = CustomerFactory()
    locked, go = threading.Event(), threading.Event()
    real_lock_meetings = gate.lock_meetings

    def lock_meetings_then_pause(ids):
        meetings = real_lock_meetings(ids)
        locked.set()
        assert go.wait(10), "never released"
        return meetings

    monkeypatch.setattr(gate, "lock_meetings", lock_meetings_then_pause)

    dispatcher, dispatched = in_thread(lambda: dispatch.tick(plan=False))
    assert locked.wait(10)
    submitter, submitted = in_thread(lambda: submit_insight(
        meeting=meeting, author=person,
        data={"customer": customer, "conversation_date": timezone.localdate(),
              "said": "They print it.", "so_what": "Paper."},
    ))  # fmt: skip
    time.sleep(0.5)  # the submission takes its lock (and, before, waited for the meeting's)
    go.set()
    dispatcher.join(10)
    submitter.join(10)

    assert "error" not in submitted, submitted.get("error")
    assert "error" not in dispatched, dispatched.get("error")
    assert states() == {S.SKIPPED_SUBMITTED: 1}
    assert smtp_sink.received == []


def test_a_send_that_outlasts_its_lease_is_not_sent_again_by_the_sweep_that_takes_it_over(
    smtp_sink, monkeypatch
):
    """A slow server keeps a send in flight past the row's lease; the next sweep
    finds the lease run out. It must not send the row a second time."""
    due_meetings(meetings=1, attendees=1, starts_in=dt.timedelta(minutes=45), offsets=(50,))
    planner.plan()
    held = HeldSend(monkeypatch)

    first, _ = in_thread(lambda: dispatch.tick(plan=False))
    assert held.sending.wait(10)
    later = timezone.now() + dispatch.LEASE + dt.timedelta(seconds=1)
    second, took_over = in_thread(lambda: dispatch.tick(now=later, plan=False))
    time.sleep(0.5)
    held.go.set()
    first.join(10)
    second.join(10)

    assert "error" not in took_over, took_over.get("error")
    assert states() == {S.SENT: 1}
    assert smtp_sink.duplicates() == {}
