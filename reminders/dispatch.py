"""The dispatcher: claim due rows, re-check them under their locks, send, record.

Every message the product sends goes through here (models.Message): reminders and
their digests and chat posts, planned ahead by planner.py, and the messages queued
by services.py when something happens (summaries, invitations, fresh links,
password resets).

1. claim()   a short transaction: `SELECT … FOR UPDATE SKIP LOCKED` of a batch of
             due pending rows (and sending rows whose lease expired: their worker
             died), then an UPDATE to `sending` with a short lease (LEASE, 30 s). Two
             sweeps at once never claim the same row; on SQLite, without row locks,
             the conditional UPDATE that must change exactly one row is what makes
             the claim exclusive. A batch that is abandoned (an error, a time limit)
             gives its unsent rows back at once: after any fault, a row is late by at
             most LEASE plus a tick, far less than the smallest offset (5 minutes).
2. gate      the last look (gate.py), for the whole batch, in the transaction that
             also sends and records it: the meetings are read under a share lock
             (moving, cancelling, starting or ending a meeting updates that row, so
             it waits for sends in flight), the reminders' attendance rows under the
             lock submit_insight takes, then the rows themselves. Insight in? excused
             or away? meeting started, moved, cancelled? attendee removed? a later
             stage due at the same time (coalesce)? muted, snoozed, quiet hours? A
             skip is recorded with its reason, never silently dropped. This check is
             the only one: moving, cancelling or leaving a meeting and submitting an
             insight don't touch pending rows, they make this check skip them.
3. send      still holding those locks (the rows' own: a send slower than the lease
             is not taken over and sent again), over one SMTP connection, each with a
             timeout (SEND_TIMEOUT) well under the lease: a move or a submission that
             commits while its reminder is being sent has waited for it, so once it
             has committed no reminder for the old time, or for someone whose insight
             is in, can be sent. The price is that move or submission waiting for the
             batch in flight: tens of milliseconds; a send that fails for any reason
             but the recipient's stops the batch (the rest are given back), so at
             most one send timeout when the mail server hangs.
4. record    `sent` where still `sending`, in the same transaction; if that commit
             fails (a database blip after the server accepted the messages), the
             write is retried in a fresh connection until it lands (record_delivery),
             so a delivered row never becomes claimable again. A transient error goes
             back to `pending` with backoff held in the row (never past the start); a
             permanent one is recorded as failed.

Why a batch per transaction: the locks, the checks and the record cost a few
statements per batch instead of per message, which is most of what makes the
dispatcher fast (bench/reminders.py). Its price is the unavoidable window below
widening from one message to a batch.

The one unavoidable window: a worker killed after the mail server accepted messages
but before step 4 leaves their rows `sending`; after the lease they are taken over
and sent again: at most the batch in flight per worker process. So can a database
outage longer than the lease that another sweep outlives first (record_delivery
retries every 2 s at most; a sweep comes every 30 s). At-least-once: a rare
duplicate (with the same Message-ID, so many clients fold it) beats a lost
reminder. tests/reminders/test_reliability.py measures it
(test_a_killed_worker_loses_nothing_and_resends_only_its_unrecorded_batches).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import batch, gate, planner
from .channels import CHANNELS, PermanentError, TransientError
from .models import Message

log = logging.getLogger(__name__)

# Long enough for a claimed batch to be locked by the transaction that sends it (a
# lock, not the lease, keeps it from being taken over while it is sent); short
# enough that a row stranded by a dead worker goes out again long before a 5-minute
# final reminder would be late.
LEASE = dt.timedelta(seconds=settings.REMINDER_LEASE_SECONDS)
BATCH = 20
# How long a delivered row's record is retried through a database outage.
RECORD_RETRY = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
# A summary or an invitation is still worth sending after a long outage: with the
# backoff capped at 10 minutes, this keeps trying for about two and a half hours.
MAX_ATTEMPTS_CONSEQUENCE = 18
BACKOFF = [dt.timedelta(seconds=30), dt.timedelta(minutes=2), dt.timedelta(minutes=5),
           dt.timedelta(minutes=10)]  # fmt: skip

State = Message.State
Kind = Message.Kind


@dataclass
class Sweep:
    planned: int = 0
    claimed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, state: str) -> None:
        self.outcomes[state] = self.outcomes.get(state, 0) + 1


def due_count(*, now: dt.datetime | None = None, limit: int = 10_000) -> int:
    """How many rows are waiting (bounded: it only decides whether to fan out)."""
    now = now or timezone.now()
    return Message.objects.filter(state=State.PENDING, next_attempt_at__lte=now)[:limit].count()


def backlog(*, now: dt.datetime | None = None) -> tuple[dt.timedelta | None, int]:
    """(how long the oldest undelivered due row has waited, whatever its state:
    waiting to be claimed, being sent, or stranded by a dead worker; rows stuck in
    sending past their lease): the dispatcher's health, for /healthz and the
    failures page. A row held for quiet hours or backing off isn't due yet."""
    now = now or timezone.now()
    oldest = [
        Message.objects.filter(state=state, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
        for state in (State.PENDING, State.SENDING)  # each served by its partial index
    ]
    waited = min((t for t in oldest if t is not None), default=None)
    stuck = Message.objects.filter(state=State.SENDING, lease_until__lt=now).count()
    return (now - waited if waited else None), stuck


def tick(*, now: dt.datetime | None = None, budget: float = 45.0, plan: bool = True) -> Sweep:
    """One beat: plan what is owed, then work through what is due, in bounded batches."""
    sweep = Sweep(planned=planner.plan(now) if plan else 0)
    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        claimed = claim(now=now)
        if not claimed:
            break
        sweep.claimed += len(claimed)
        work_through(claimed, sweep, now=now)
    return sweep


def work_through(claimed: list[int], sweep: Sweep, *, now: dt.datetime | None = None) -> None:
    """Process a claimed batch, sharing what a batch can (batch.py): one SMTP
    connection, each meeting's round counts. If the batch is abandoned (an error, a
    time limit), the rows not yet attempted are given back at once instead of
    waiting out their lease."""
    try:
        with batch.batch():
            for state in process(claimed, now=now):
                sweep.count(state)
    except BaseException:
        release(claimed)
        raise


def release(rows: list) -> None:
    """Give back claimed rows (or their pks) that were never attempted (best effort:
    with the database down, their short lease gives them back)."""
    if not rows:
        return
    pks = [getattr(r, "pk", r) for r in rows]
    try:
        Message.objects.filter(pk__in=pks, state=State.SENDING).update(
            state=State.PENDING, lease_until=None, attempts=F("attempts") - 1
        )
    except DatabaseError:
        log.warning("could not give back %d claimed reminders; their lease will", len(pks))
        return
    for row in rows:
        if isinstance(row, Message):
            row.state = State.PENDING


def claim(*, now: dt.datetime | None = None, batch: int | None = None) -> list[int]:
    now = now or timezone.now()
    batch = batch or BATCH
    due = Q(state=State.PENDING, next_attempt_at__lte=now) | Q(
        state=State.SENDING, lease_until__lt=now
    )
    with transaction.atomic():
        # Two index-backed scans (see Message.Meta.indexes), each skipping rows
        # another sweep holds.
        taken_over = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(state=State.SENDING, lease_until__lt=now)
            .order_by("lease_until")
            .values_list("pk", flat=True)[:batch]
        )
        pending = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(state=State.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[: batch - len(taken_over)]
        )
        claim = {"state": State.SENDING, "lease_until": now + LEASE,
                 "attempts": F("attempts") + 1}  # fmt: skip
        if connection.vendor == "postgresql":
            # The rows are locked: nobody else can change them before this commits.
            Message.objects.filter(pk__in=taken_over + pending).update(**claim)
            return taken_over + pending
        claimed = []
        for pk in taken_over + pending:
            if Message.objects.filter(due, pk=pk).update(**claim) == 1:
                claimed.append(pk)
    return claimed


def process(claimed: list[int], *, now: dt.datetime | None = None) -> list[str]:
    """Gate, send and record a claimed batch in one transaction that holds the gate's
    locks through the sends (see above); returns the state each row ended in."""
    now = now or timezone.now()
    rows = gate.load(claimed)
    delivered: dict[Message, dt.datetime] = {}
    stopped_by: BaseException | None = None
    try:
        with transaction.atomic():
            ready = gate.passing(rows, now=now)
            if shared := batch.current():
                shared.rows = ready
            stopped_by = _send_each(ready, delivered, now=now)
            _record_sent(delivered)
    except DatabaseError:
        if not delivered:
            raise  # nothing went out: the rows' lease gives them back
        # The server has the messages; the database blinked. Not a crash: record them.
        log.warning("%d reminders delivered; recording them through a database error",
                    len(delivered))  # fmt: skip
        record_delivery(delivered)
    if stopped_by is not None and not isinstance(stopped_by, Exception):
        raise stopped_by  # a signal: what went out is recorded
    return [r.state if r.state != State.SENDING else "taken over" for r in rows]


def _send_each(ready: list[Message], delivered: dict, *, now: dt.datetime) -> BaseException | None:
    """Send in order, adding each delivery to delivered. A refusal is the recipient's
    and the batch goes on; any other failure (transient: the server is unwell; a bug;
    a time limit) stops it: that row is retried later and the rest go back to be
    claimed again, rather than holding their locks through more timeouts."""
    for position, reminder in enumerate(ready):
        try:
            CHANNELS[reminder.channel].send(reminder)
        except PermanentError as error:
            _finish(reminder, State.FAILED_PERMANENT, error=str(error))
        except BaseException as error:
            if isinstance(error, TransientError):
                _retry(reminder, str(error), now)
            else:
                log.exception("reminder %s: unexpected send failure", reminder.pk)
                _retry(reminder, f"{type(error).__name__}: {error}", now)
            release(ready[position + 1 :])
            return error
        else:
            # The crash window is here: accepted by the server, not yet recorded.
            delivered[reminder] = timezone.now()
    return None


def record_delivery(delivered: dict[Message, dt.datetime]) -> None:
    """Mark delivered rows sent, retrying in a fresh connection until the write lands
    (or RECORD_RETRY passes): a row the server accepted must never be claimed and
    sent again because the database was restarting at that moment."""
    deadline = time.monotonic() + RECORD_RETRY.total_seconds()
    pause = 0.1
    while True:
        try:
            connection.close()  # the old one is broken; Django opens a new one
            with transaction.atomic():
                _record_sent(delivered)
            return
        except DatabaseError:
            if time.monotonic() > deadline:
                log.error("%d reminders delivered but not recorded: they may be sent again",
                          len(delivered))  # fmt: skip
                raise
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


def _record_sent(delivered: dict[Message, dt.datetime]) -> None:
    """`sent` where still `sending`, in one statement. One time for the batch, the
    last delivery's: its sends are a fraction of a second apart."""
    if not delivered:
        return
    Message.objects.filter(pk__in=[r.pk for r in delivered], state=State.SENDING).update(
        state=State.SENT, lease_until=None, last_error="", sent_at=max(delivered.values())
    )
    for reminder in delivered:
        reminder.state = State.SENT


def _finish(reminder: Message, state: str, *, error: str = "", note: str = "") -> str:
    Message.objects.filter(pk=reminder.pk, state=State.SENDING).update(
        state=state, lease_until=None, last_error=error[:2000], note=note or reminder.note
    )
    reminder.state = state
    return state


def _retry(reminder: Message, error: str, now: dt.datetime) -> str:
    limit = MAX_ATTEMPTS_CONSEQUENCE if reminder.kind in Message.CONSEQUENCES else MAX_ATTEMPTS
    if reminder.attempts >= limit:
        return _finish(reminder, State.FAILED_MAX_ATTEMPTS, error=error)
    next_attempt = now + BACKOFF[min(reminder.attempts, len(BACKOFF)) - 1]
    if reminder.is_before_start and next_attempt >= reminder.meeting.starts_at:
        return _finish(reminder, State.FAILED_MAX_ATTEMPTS, error=error,
                       note="No time left to retry before the start.")  # fmt: skip
    Message.objects.filter(pk=reminder.pk, state=State.SENDING).update(
        state=State.PENDING, lease_until=None, next_attempt_at=next_attempt,
        last_error=error[:2000],
    )  # fmt: skip
    reminder.state = State.PENDING
    return State.PENDING
