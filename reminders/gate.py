"""The last look before a message goes out (dispatch.py's step 2), inside the
transaction that also sends and records a claimed batch.

The locks, for the whole batch at once, each kind in id order and the kinds always
in this order (the order a submission and a snooze take theirs):
1. the meetings, FOR SHARE, read as they are once locked: moving, cancelling,
   starting or ending a meeting updates its row, so it waits for the sends in
   flight, and a change that committed first is what this read sees;
2. for reminders to attendees, their attendance rows, FOR UPDATE: the lock
   submit_insight and snooze take, so no insight or snooze for these people commits
   between this check and the send;
3. the message rows themselves, FOR UPDATE (hold): a send slower than its lease is
   not taken over and sent again. The statement that takes them also reads what may
   have changed for each person (insight in, a reminder just sent, a snooze
   pending); it starts after the attendance locks are held, so it sees whatever
   committed while waiting for them (read committed takes a new snapshot per
   statement).

What only the recipient or an admin changes (the person's account and away periods,
the team's settings) is read with the rows (load()), a moment earlier.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, F, OuterRef, Subquery, prefetch_related_objects

from accounts.models import away_for
from insights.models import Insight
from meetings.models import Attendance, Meeting, Team

from . import planner, services
from .models import Message

State = Message.State
Kind = Message.Kind

# One message per attendee per meeting at a time: nothing within this gap of the last.
MIN_GAP = dt.timedelta(minutes=10)
# The who's-ready digest is worth sending a little after the start, not later.
DIGEST_GRACE = dt.timedelta(minutes=15)
# The kinds that nag one attendee about their own insight (the ones sent before the
# start): checked under their attendance lock.
PERSONAL = Message.BEFORE_START


def load(pks: list[int]) -> list[Message]:
    """The claimed rows, in claim order, with what their checks and their content
    read: recipient and their away periods, invitation. Their meetings are read
    under a lock (passing())."""
    rows = Message.objects.select_related("user", "invitation__team").in_bulk(pks)
    prefetch_related_objects([r.user for r in rows.values() if r.user_id], "away_periods")
    return [rows[pk] for pk in pks if pk in rows]


@dataclass(frozen=True)
class Facts:
    """What may have changed for a row's recipient since the rows were loaded, read
    under the locks (see the module docstring)."""

    has_insight: bool = False
    sent_recently: bool = False
    snooze_id: int | None = None  # their pending snooze, if any


def passing(rows: list[Message], *, now: dt.datetime) -> list[Message]:
    """Take the batch's locks, then decide each row: the rows to send now, in order.
    A skip (or a hold for quiet hours) is recorded with its reason and left in the
    row's state; a row another sweep took over and finished is left alone."""
    meetings = lock_meetings({r.meeting_id for r in rows if r.meeting_id is not None})
    teams = Team.objects.in_bulk({m.team_id for m in meetings.values()})
    for meeting in meetings.values():
        meeting.team = teams[meeting.team_id]
    for reminder in rows:
        if reminder.meeting_id in meetings:  # else deleted, and the row with it
            reminder.meeting = meetings[reminder.meeting_id]
    attendances = Attendance.lock_many(
        {(r.meeting_id, r.user_id) for r in rows if r.kind in PERSONAL}
    )
    facts = hold(rows, now=now)
    ready, reminded = [], set()
    for reminder in rows:
        if reminder.pk not in facts:
            continue  # not ours any more
        attendance = attendances.get((reminder.meeting_id, reminder.user_id))
        if not _decide(reminder, now, attendance, facts[reminder.pk]):
            continue
        if reminder.kind in PERSONAL:
            # Two stages for one person in one batch: the first is enough.
            person = (reminder.meeting_id, reminder.user_id, reminder.channel)
            if person in reminded:
                _skip(reminder, State.SKIPPED_COALESCED, "Another reminder went out minutes ago.")
                continue
            reminded.add(person)
        ready.append(reminder)
    return ready


def lock_meetings(ids: set[int]) -> dict[int, Meeting]:
    """The meetings as they are, under a share lock until the transaction ends: it
    conflicts with any UPDATE of a meeting, not with other sends (the ORM only has
    FOR UPDATE). SQLite has no row locks (and one writer at a time)."""
    if not ids:
        return {}
    lock = " FOR SHARE" if connection.features.has_select_for_update else ""
    query = (
        f"SELECT * FROM {Meeting._meta.db_table} WHERE id IN ({', '.join(['%s'] * len(ids))}) "
        f"ORDER BY id{lock}"
    )
    return {m.pk: m for m in Meeting.objects.raw(query, sorted(ids))}


def hold(rows: list[Message], *, now: dt.datetime) -> dict[int, Facts]:
    """Lock the rows themselves until their sends are recorded, those still ours
    (being sent), and read each recipient's Facts: a sweep that takes a row over
    after its lease skips it, and one that claimed it just before waits here and
    finds it sent."""
    mine = Message.objects.filter(meeting=OuterRef("meeting"), user=OuterRef("user"))
    recent = mine.filter(
        channel=OuterRef("channel"), kind__in=PERSONAL, state=State.SENT,
        sent_at__gt=now - MIN_GAP,
    ).exclude(pk=OuterRef("pk"))  # fmt: skip
    snoozed = mine.filter(kind=Kind.SNOOZE, state=State.PENDING, due_at__gt=now).order_by("due_at")
    insight = Insight.objects.filter(meeting=OuterRef("meeting"), author=OuterRef("user"))
    held = (
        Message.objects.select_for_update(of=("self",))
        .filter(pk__in=[r.pk for r in rows], state=State.SENDING)
        .annotate(
            has_insight=Exists(insight),
            sent_recently=Exists(recent),
            snooze_id=Subquery(snoozed.values("pk")[:1]),
        )
        .order_by("pk")
        .values_list("pk", "has_insight", "sent_recently", "snooze_id")
    )
    return {pk: Facts(*facts) for pk, *facts in held}


def _decide(reminder: Message, now: dt.datetime, attendance, facts: Facts) -> bool:
    if reminder.kind == Kind.INVITATION:
        return _gate_invitation(reminder, now)
    if reminder.kind == Kind.PASSWORD_RESET:
        return _gate_account(reminder)
    if reminder.kind == Kind.EARLY_WARNING:
        return _gate_early_warning(reminder, now)
    meeting = reminder.meeting
    if meeting.is_cancelled:
        return _skip(reminder, State.SKIPPED_CANCELLED, "The meeting was skipped.")
    if reminder.kind == Kind.SUMMARY:
        return _gate_summary(reminder)
    if reminder.kind == Kind.FRESH_LINK:
        return _gate_fresh_link(reminder, meeting, now)
    if reminder.schedule_version != meeting.schedule_version:
        return _skip(reminder, State.SKIPPED_SUPERSEDED)
    if reminder.kind == Kind.DIGEST:
        return _gate_digest(reminder, meeting, now)
    if not meeting.is_scheduled or now >= meeting.starts_at:
        return _skip(reminder, State.SKIPPED_STARTED)
    if reminder.kind == Kind.MISSING:
        return True
    return _gate_person(reminder, meeting, now, attendance, facts)


def _skip(reminder: Message, state: str, note: str = "") -> bool:
    Message.objects.filter(pk=reminder.pk, state=State.SENDING).update(
        state=state, lease_until=None, note=note[:200]
    )
    reminder.state = state
    return False


def _gate_digest(reminder: Message, meeting: Meeting, now: dt.datetime) -> bool:
    if not reminder.user.is_active or meeting.facilitator_id != reminder.user_id:
        return _skip(reminder, State.SKIPPED_CANCELLED, "No longer this meeting's facilitator.")
    if now > meeting.starts_at + DIGEST_GRACE or meeting.is_ended:
        return _skip(reminder, State.SKIPPED_STARTED, "Too long after the start for a digest.")
    if away_for(reminder.user, meeting.starts_at, team_id=meeting.team_id) is not None:
        return _skip(reminder, State.SKIPPED_EXCUSED, "The facilitator is away.")
    return True


def _gate_summary(reminder: Message) -> bool:
    if not reminder.user.is_active:
        return _skip(reminder, State.SKIPPED_INACTIVE)
    if not reminder.user.meeting_summaries:
        return _skip(reminder, State.SKIPPED_MUTED, "Meeting summaries turned off.")
    return True


def _gate_fresh_link(reminder: Message, meeting: Meeting, now: dt.datetime) -> bool:
    if not reminder.user.is_active:
        return _skip(reminder, State.SKIPPED_INACTIVE)
    if not meeting.accepts_insights(now):
        return _skip(reminder, State.SKIPPED_STARTED, "The meeting is over.")
    if not Attendance.objects.filter(meeting=meeting, user_id=reminder.user_id).exists():
        return _skip(reminder, State.SKIPPED_CANCELLED, "No longer an attendee.")
    return True


def _gate_invitation(reminder: Message, now: dt.datetime) -> bool:
    invitation = reminder.invitation
    if not invitation.is_pending or invitation.expires_at <= now:
        return _skip(
            reminder, State.SKIPPED_CANCELLED, "The invitation was used, revoked or expired."
        )
    return True


def _gate_early_warning(reminder: Message, now: dt.datetime) -> bool:
    if not reminder.user.is_active:
        return _skip(reminder, State.SKIPPED_INACTIVE)
    # Kept on the instance for the e-mail (content.py): it says what was checked here,
    # and the decaying teams are worked out once per e-mail.
    reminder.warnings = services.warnings_for(reminder.user, now.date())
    if not reminder.warnings:
        return _skip(reminder, State.SKIPPED_CANCELLED, "No team is decaying any more.")
    return True


def _gate_account(reminder: Message) -> bool:
    if not reminder.user.is_active or not reminder.user.has_usable_password():
        return _skip(reminder, State.SKIPPED_INACTIVE)
    return True


def _gate_person(reminder: Message, meeting: Meeting, now: dt.datetime, attendance,
                 facts: Facts) -> bool:  # fmt: skip
    user = reminder.user
    if attendance is None:
        return _skip(reminder, State.SKIPPED_CANCELLED, "No longer an attendee.")
    if not user.is_active:
        return _skip(reminder, State.SKIPPED_INACTIVE)
    if attendance.is_excused:
        return _skip(reminder, State.SKIPPED_EXCUSED, attendance.excuse_reason)
    if away_for(user, meeting.starts_at, team_id=meeting.team_id) is not None:
        return _skip(reminder, State.SKIPPED_EXCUSED, "Away.")
    if facts.has_insight:
        return _skip(reminder, State.SKIPPED_SUBMITTED)
    if reminder.kind == Kind.REMINDER and _later_stage_due(reminder, meeting, now):
        return _skip(
            reminder, State.SKIPPED_COALESCED, "A later reminder was due at the same time."
        )
    if facts.sent_recently:
        return _skip(reminder, State.SKIPPED_COALESCED, "Another reminder went out minutes ago.")
    if reminder.kind == Kind.SNOOZE or reminder.is_final:
        return True  # asked for by the person / the final one: always goes
    if user.mute_early_reminders:
        return _skip(reminder, State.SKIPPED_MUTED)
    if facts.snooze_id is not None:
        until = Message.objects.values_list("due_at", flat=True).get(pk=facts.snooze_id)
        return _skip(reminder, State.SKIPPED_SNOOZED, f"Snoozed until {until:%H:%M} UTC.")
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


def _respect_quiet_hours(reminder: Message, meeting: Meeting, now: dt.datetime) -> bool:
    end = quiet_hours_end(reminder.user, meeting.team, now)
    if end is None:
        return True
    final_due = planner.due(meeting, meeting.team.final_reminder_offset)
    if end >= final_due:
        return _skip(reminder, State.SKIPPED_QUIET, "Quiet hours last until the final reminder.")
    # Held back, not attempted: the attempt counter is given back.
    Message.objects.filter(pk=reminder.pk, state=State.SENDING).update(
        state=State.PENDING, lease_until=None, next_attempt_at=end, attempts=F("attempts") - 1,
        note=f"Held for quiet hours until {end.astimezone(reminder.user.zone):%H:%M}.",
    )  # fmt: skip
    reminder.state = State.PENDING
    return False
