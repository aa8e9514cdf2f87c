"""The dispatcher: claim due rows, re-check each, send outside any lock, record.

Every message the product sends goes through here (models.Message): reminders and
their digests and chat posts, planned ahead by planner.py, and the messages queued
by services.py when something happens (summaries, invitations, fresh links,
password resets).

1. claim()   a short transaction: `SELECT … FOR UPDATE SKIP LOCKED` of due pending
             rows (and sending rows whose lease expired: their worker died), then
             a conditional UPDATE to `sending` with a short lease (LEASE, 30 s). Two
             sweeps at once never claim the same row; on SQLite, without row locks,
             the conditional UPDATE that must change exactly one row is what makes
             the claim exclusive. While a batch is worked through, the rows still
             waiting have their lease renewed before each send, and a batch that is
             abandoned (an error, a time limit) gives its unsent rows back at once:
             after any fault, a row is late by at most LEASE plus a tick, far less
             than the smallest reminder offset (5 minutes).
2. gate()    the last look, in the transaction that also sends and records: the
             meeting row is read under a share lock (moving, cancelling, starting or
             ending a meeting updates that row, so it waits for sends in flight) and
             the attendance row under the lock submit_insight takes. Insight in?
             excused or away? meeting started, moved, cancelled? attendee removed? a
             later stage due at the same time (coalesce)? muted, snoozed, quiet hours?
             A skip is recorded with its reason, never silently dropped. This check
             is the only one: moving, cancelling or leaving a meeting and submitting
             an insight don't touch pending rows, they make this check skip them.
3. send      still holding those two locks, and the row's own (hold(): a send slower
             than the lease is not taken over and sent again), with a timeout
             (SEND_TIMEOUT) well under the lease: a move or a submission that commits
             while a reminder is being sent has waited for it, so once it has
             committed no reminder for the old time, or for someone whose insight is
             in, can be sent. The price is that submission waiting for the send in
             flight: milliseconds, at most the send timeout when the mail server hangs.
4. record    `sent` where still `sending`, in the same transaction; if that commit
             fails (a database blip after the server accepted the message), the write
             is retried in a fresh connection until it lands (record_delivery), so a
             delivered row never becomes claimable again. A transient error goes back
             to `pending` with backoff held in the row (never past the start); a
             permanent one is recorded as failed.

The one unavoidable window: a worker killed after the mail server accepted a message
but before step 4 leaves the row `sending`; after the lease it is taken over and sent
again. So can a database outage longer than the lease that another sweep outlives
first (record_delivery retries every 2 s at most; a sweep comes every 30 s). At-least-once: a rare duplicate (with the same Message-ID, so many clients
fold it) beats a lost reminder. tests/reminders/test_reliability.py measures it
(test_a_killed_worker_loses_nothing_and_duplicates_at_most_its_rows_in_flight).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, F, Q, Subquery
from django.utils import timezone

from accounts.models import away_for
from insights.models import Insight
from meetings.models import Attendance, Meeting

from . import batch, planner, services
from .channels import CHANNELS, PermanentError, TransientError
from .models import Message

log = logging.getLogger(__name__)

# Long enough for one gate, send and record (the send times out well before it),
# renewed for the rows still waiting in a batch; short enough that a row stranded by
# a dead worker goes out again long before a 5-minute final reminder would be late.
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
# One message per attendee per meeting at a time: nothing within this gap of the last.
MIN_GAP = dt.timedelta(minutes=10)
# The who's-ready digest is worth sending a little after the start, not later.
DIGEST_GRACE = dt.timedelta(minutes=15)

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
    """Process a claimed batch in order, sharing one SMTP connection and each meeting's
    round counts (batch.py). The rows still waiting get a fresh lease whenever a third
    of it has passed; if the batch is abandoned (an error, a time limit), those not
    yet attempted are given back at once instead of waiting out their lease."""
    waiting = list(claimed)
    meetings = dict(Message.objects.filter(pk__in=claimed).values_list("pk", "meeting_id"))
    renewed = time.monotonic()
    try:
        with batch.batch():
            while waiting:
                if time.monotonic() - renewed > LEASE.total_seconds() / 3:
                    renew(waiting, now=now)
                    renewed = time.monotonic()
                pk = waiting.pop(0)
                sweep.count(process(pk, now=now, meeting_id=meetings.get(pk)))
    finally:
        if waiting:
            release(waiting)


def renew(pks: list[int], *, now: dt.datetime | None = None) -> None:
    Message.objects.filter(pk__in=pks, state=State.SENDING).update(
        lease_until=(now or timezone.now()) + LEASE
    )


def release(pks: list[int]) -> None:
    """Give back claimed rows that were never attempted (best effort: with the
    database down, their short lease gives them back)."""
    try:
        Message.objects.filter(pk__in=pks, state=State.SENDING).update(
            state=State.PENDING, lease_until=None, attempts=F("attempts") - 1
        )
    except DatabaseError:
        log.warning("could not give back %d claimed reminders; their lease will", len(pks))


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


def process(pk: int, *, now: dt.datetime | None = None, meeting_id: int | None = None) -> str:
    """Gate, send and record one claimed row, in one transaction that holds the gate's
    locks through the send (see above); returns the state it ended in."""
    now = now or timezone.now()
    delivered: Message | None = None
    try:
        with transaction.atomic():
            reminder = gate(pk, now=now, meeting_id=meeting_id)
            if reminder is None or not hold(reminder):
                return Message.objects.filter(pk=pk).values_list("state", flat=True).first() or ""
            try:
                CHANNELS[reminder.channel].send(reminder)
            except TransientError as error:
                return _retry(reminder, str(error), now)
            except PermanentError as error:
                return _finish(reminder, State.FAILED_PERMANENT, error=str(error))
            except Exception as error:  # a bug or an unexpected failure: retry, loudly
                log.exception("reminder %s: unexpected send failure", pk)
                return _retry(reminder, f"{type(error).__name__}: {error}", now)
            # The crash window is here: accepted by the server, not yet recorded.
            delivered, sent_at = reminder, timezone.now()
            return _finish(reminder, State.SENT, sent_at=sent_at)
    except DatabaseError:
        if delivered is None:
            raise  # nothing went out: the row's lease gives it back
        # The server has the message; the database blinked. Not a crash: record it.
        log.warning("reminder %s delivered; recording it through a database error", pk)
        record_delivery(delivered, sent_at)
        return State.SENT


def hold(reminder: Message) -> bool:
    """Lock the row itself until the send is recorded and check it is still being
    sent. A send slower than the lease would otherwise be sent again by the sweep
    that takes the row over: that sweep's claim skips the locked row, and one that
    claimed it just before waits here and finds it sent. Taken last, after the
    attendance lock, the order snooze() takes them in (no deadlock)."""
    locked = Message.objects.select_for_update(of=("self",)).filter(
        pk=reminder.pk, state=State.SENDING
    )
    return bool(list(locked.values_list("pk", flat=True)))


def record_delivery(reminder: Message, sent_at: dt.datetime) -> None:
    """Mark a delivered row sent, retrying in a fresh connection until the write
    lands (or RECORD_RETRY passes): a row the server accepted must never be claimed
    and sent again because the database was restarting at that moment."""
    deadline = time.monotonic() + RECORD_RETRY.total_seconds()
    pause = 0.1
    while True:
        try:
            connection.close()  # the old one is broken; Django opens a new one
            with transaction.atomic():
                _finish(reminder, State.SENT, sent_at=sent_at)
            return
        except DatabaseError:
            if time.monotonic() > deadline:
                log.error("reminder %s delivered but not recorded: it may be sent again",
                          reminder.pk)  # fmt: skip
                raise
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


def _finish(reminder: Message, state: str, *, error: str = "", note: str = "", sent_at=None) -> str:
    Message.objects.filter(pk=reminder.pk, state=State.SENDING).update(
        state=state, lease_until=None, last_error=error[:2000], sent_at=sent_at,
        note=note or reminder.note,
    )  # fmt: skip
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
    return State.PENDING


def _skip(reminder: Message, state: str, note: str = "") -> None:
    Message.objects.filter(pk=reminder.pk, state=State.SENDING).update(
        state=state, lease_until=None, note=note[:200]
    )


def gate(pk: int, *, now: dt.datetime, meeting_id: int | None = None) -> Message | None:
    """The last look before sending, inside process()'s transaction. Returns the row
    to send, or None once a skip (or a hold for quiet hours) is recorded. meeting_id,
    when the caller knows it, saves a query (a row's meeting never changes)."""
    if meeting_id is None:
        meeting_id = Message.objects.filter(pk=pk).values_list("meeting_id", flat=True).first()
    if meeting_id is not None:
        # Before reading it: a move, a cancel, a start or an end waits for this send,
        # and this read sees any that committed first (see the module docstring).
        lock_meeting(meeting_id)
    reminder = (
        Message.objects.select_related("meeting__team", "user", "invitation__team")
        .filter(pk=pk, state=State.SENDING)
        .first()
    )
    if reminder is None:
        return None  # not ours any more
    if reminder.kind == Kind.INVITATION:
        return _gate_invitation(reminder, now)
    if reminder.kind == Kind.PASSWORD_RESET:
        return _gate_account(reminder)
    if reminder.kind == Kind.EARLY_WARNING:
        return _gate_early_warning(reminder, now)
    meeting = reminder.meeting
    if meeting.is_cancelled:
        _skip(reminder, State.SKIPPED_CANCELLED, "The meeting was skipped.")
        return None
    if reminder.kind == Kind.SUMMARY:
        return _gate_summary(reminder)
    if reminder.kind == Kind.FRESH_LINK:
        return _gate_fresh_link(reminder, meeting, now)
    if reminder.schedule_version != meeting.schedule_version:
        _skip(reminder, State.SKIPPED_SUPERSEDED)
        return None
    if reminder.kind == Kind.DIGEST:
        return _gate_digest(reminder, meeting, now)
    if not meeting.is_scheduled or now >= meeting.starts_at:
        _skip(reminder, State.SKIPPED_STARTED)
        return None
    if reminder.kind == Kind.MISSING:
        return reminder
    return _gate_person(reminder, meeting, now)


def lock_meeting(meeting_id: int) -> None:
    """A share lock on the meeting row until the transaction ends: it conflicts with
    any UPDATE of the meeting, not with other sends. SQLite has no row locks (and one
    writer at a time)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {Meeting._meta.db_table} WHERE id = %s FOR SHARE", [meeting_id]
            )


def _gate_digest(reminder: Message, meeting: Meeting, now: dt.datetime) -> Message | None:
    if not reminder.user.is_active or meeting.facilitator_id != reminder.user_id:
        _skip(reminder, State.SKIPPED_CANCELLED, "No longer this meeting's facilitator.")
        return None
    if now > meeting.starts_at + DIGEST_GRACE or meeting.is_ended:
        _skip(reminder, State.SKIPPED_STARTED, "Too long after the start for a digest.")
        return None
    if away_for(reminder.user, meeting.starts_at) is not None:
        _skip(reminder, State.SKIPPED_EXCUSED, "The facilitator is away.")
        return None
    return reminder


def _gate_summary(reminder: Message) -> Message | None:
    if not reminder.user.is_active:
        _skip(reminder, State.SKIPPED_INACTIVE)
        return None
    if not reminder.user.meeting_summaries:
        _skip(reminder, State.SKIPPED_MUTED, "Meeting summaries turned off.")
        return None
    return reminder


def _gate_fresh_link(reminder: Message, meeting: Meeting, now: dt.datetime) -> Message | None:
    if not reminder.user.is_active:
        _skip(reminder, State.SKIPPED_INACTIVE)
        return None
    if not meeting.accepts_insights(now):
        _skip(reminder, State.SKIPPED_STARTED, "The meeting is over.")
        return None
    if not Attendance.objects.filter(meeting=meeting, user_id=reminder.user_id).exists():
        _skip(reminder, State.SKIPPED_CANCELLED, "No longer an attendee.")
        return None
    return reminder


def _gate_invitation(reminder: Message, now: dt.datetime) -> Message | None:
    invitation = reminder.invitation
    if not invitation.is_pending or invitation.expires_at <= now:
        _skip(reminder, State.SKIPPED_CANCELLED, "The invitation was used, revoked or expired.")
        return None
    return reminder


def _gate_early_warning(reminder: Message, now: dt.datetime) -> Message | None:
    if not reminder.user.is_active:
        _skip(reminder, State.SKIPPED_INACTIVE)
        return None
    # Kept on the instance for the e-mail (content.py): it says what was checked here,
    # and the decaying teams are worked out once per e-mail.
    reminder.warnings = services.warnings_for(reminder.user, now.date())
    if not reminder.warnings:
        _skip(reminder, State.SKIPPED_CANCELLED, "No team is decaying any more.")
        return None
    return reminder


def _gate_account(reminder: Message) -> Message | None:
    if not reminder.user.is_active or not reminder.user.has_usable_password():
        _skip(reminder, State.SKIPPED_INACTIVE)
        return None
    return reminder


def _gate_person(reminder: Message, meeting: Meeting, now: dt.datetime) -> Message | None:
    user = reminder.user
    recent = Message.objects.filter(
        meeting=meeting, user=user, channel=reminder.channel, state=State.SENT,
        sent_at__gt=now - MIN_GAP, kind__in=[Kind.REMINDER, Kind.SNOOZE],
    ).exclude(pk=reminder.pk)  # fmt: skip
    snoozed = Message.objects.filter(
        meeting=meeting, user=user, kind=Kind.SNOOZE, state=State.PENDING, due_at__gt=now
    ).order_by("due_at")
    # The same lock submit_insight takes: a submission and this check never interleave.
    attendance = Attendance.lock(meeting, reminder.user_id)
    if attendance is not None:
        # Read in a statement of its own, after the lock is held: a statement that
        # waited for the lock still sees the data as it was when it began (read
        # committed), so an insight committed during that wait would be missed.
        checks = (
            Attendance.objects.filter(pk=attendance.pk)
            .annotate(
                has_insight=Exists(Insight.objects.filter(meeting=meeting, author=user)),
                sent_recently=Exists(recent),
                snoozed_until=Subquery(snoozed.values("due_at")[:1]),
            )
            .values("has_insight", "sent_recently", "snoozed_until")
            .get()
        )
    if attendance is None:
        _skip(reminder, State.SKIPPED_CANCELLED, "No longer an attendee.")
        return None
    if not user.is_active:
        _skip(reminder, State.SKIPPED_INACTIVE)
        return None
    if attendance.is_excused:
        _skip(reminder, State.SKIPPED_EXCUSED, attendance.excuse_reason)
        return None
    if away_for(user, meeting.starts_at) is not None:
        _skip(reminder, State.SKIPPED_EXCUSED, "Away.")
        return None
    if checks["has_insight"]:
        _skip(reminder, State.SKIPPED_SUBMITTED)
        return None
    if reminder.kind == Kind.REMINDER and _later_stage_due(reminder, meeting, now):
        _skip(reminder, State.SKIPPED_COALESCED, "A later reminder was due at the same time.")
        return None
    if checks["sent_recently"]:
        _skip(reminder, State.SKIPPED_COALESCED, "Another reminder went out minutes ago.")
        return None
    if reminder.kind == Kind.SNOOZE or reminder.is_final:
        return reminder  # asked for by the person / the final one: always goes
    if user.mute_early_reminders:
        _skip(reminder, State.SKIPPED_MUTED)
        return None
    if checks["snoozed_until"] is not None:
        _skip(reminder, State.SKIPPED_SNOOZED,
              f"Snoozed until {checks['snoozed_until']:%H:%M} UTC.")  # fmt: skip
        return None
    return _respect_quiet_hours(reminder, meeting, now)


def _later_stage_due(reminder: Message, meeting: Meeting, now: dt.datetime) -> bool:
    """Several stages due at once (a meeting created an hour before, or after an
    outage): only the latest goes, the others are coalesced."""
    return any(
        o < reminder.offset and planner.due(meeting, o) <= now
        for o in meeting.team.reminder_offsets or []
    )


def quiet_hours_end(user, team, now: dt.datetime) -> dt.datetime | None:
    """When the recipient's quiet hours end, if it is quiet for them now."""
    zone = user.zone
    local = now.astimezone(zone)
    start, end = team.quiet_hours_start, team.quiet_hours_end
    if start == end:
        return None
    clock = local.time()
    quiet = (start <= clock or clock < end) if start > end else (start <= clock < end)
    if not quiet:
        return None
    day = local.date() if clock < end else local.date() + dt.timedelta(days=1)
    # On the recipient's wall clock, so 08:00 stays 08:00 on a daylight-saving morning.
    return dt.datetime.combine(day, end, tzinfo=zone).astimezone(dt.UTC)


def _respect_quiet_hours(reminder: Message, meeting: Meeting, now: dt.datetime) -> Message | None:
    end = quiet_hours_end(reminder.user, meeting.team, now)
    if end is None:
        return reminder
    final_due = planner.due(meeting, meeting.team.final_reminder_offset)
    if end >= final_due:
        _skip(reminder, State.SKIPPED_QUIET, "Quiet hours last until the final reminder.")
        return None
    # Held back, not attempted: the attempt counter is given back.
    Message.objects.filter(pk=reminder.pk, state=State.SENDING).update(
        state=State.PENDING, lease_until=None, next_attempt_at=end, attempts=F("attempts") - 1,
        note=f"Held for quiet hours until {end.astimezone(reminder.user.zone):%H:%M}.",
    )  # fmt: skip
    return None
