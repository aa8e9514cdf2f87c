"""Queueing the messages that follow from what people do: a summary when a meeting
ends, an invitation, a fresh insight link, a password reset. Each is a row written in
the caller's transaction; the dispatcher sends it (with retries) and re-checks it just
before, so nothing half-done is ever sent and a mail outage is never a 500.

After the commit the dispatcher is nudged, so these go out in seconds rather than at
the next beat; if the broker is down, the nudge is logged and the beat catches up."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from insights import participation
from insights.models import SeatResult
from meetings.models import Attendance, Invitation, Meeting, Membership, Team

from .models import Message

log = logging.getLogger(__name__)

FRESH_LINK_GAP = dt.timedelta(minutes=2)

Kind = Message.Kind
State = Message.State


def _nudge() -> None:
    from .tasks import dispatch  # tasks imports this module, so not at the top

    def send() -> None:
        try:
            dispatch.apply_async(retry=False)
        except Exception:  # the broker is down: the beat's next tick sends it anyway
            log.warning("could not nudge the dispatcher; the next tick will send", exc_info=True)

    transaction.on_commit(send)


def queue_summaries(meeting: Meeting) -> int:
    """One summary per attendee of an ended meeting; once each, by a unique constraint."""
    rows = [
        Message(meeting=meeting, user_id=uid, kind=Kind.SUMMARY)
        for uid in meeting.attendances.values_list("user_id", flat=True)
    ]
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    _nudge()
    return len(rows)


def queue_invitation(invitation: Invitation) -> Message:
    """The invitation e-mail; an unsent one for an older key goes, as that link is dead."""
    Message.objects.filter(invitation=invitation, state=State.PENDING).update(
        state=State.SKIPPED_SUPERSEDED, note="Sent again with a new link."
    )
    _nudge()
    return Message.objects.create(invitation=invitation, kind=Kind.INVITATION)


def queue_fresh_link(attendance: Attendance) -> Message | None:
    """A new one-tap link to the insight form of this attendee's meeting. Asked again
    within a couple of minutes (a double tap), the first one is already on its way."""
    recent = Message.objects.filter(
        meeting=attendance.meeting, user=attendance.user, kind=Kind.FRESH_LINK,
        created_at__gte=timezone.now() - FRESH_LINK_GAP,
    )  # fmt: skip
    if recent.exists():
        return None
    _nudge()
    return Message.objects.create(
        meeting=attendance.meeting, user=attendance.user, kind=Kind.FRESH_LINK
    )


def queue_password_reset(user: User) -> Message:
    """The reset link is made when the e-mail is sent, so it is fresh then."""
    _nudge()
    return Message.objects.create(user=user, kind=Kind.PASSWORD_RESET)


NUDGE_WINDOW = dt.timedelta(hours=2)


def record_nudges(meeting: Meeting) -> None:
    """Complete the meeting's round results (insights.record_round, which runs first)
    with when each insight came compared with its author's reminders: before any,
    within two hours after one, or later. The dashboards' reminder effectiveness."""
    sent: dict[int, list[dt.datetime]] = {}
    for user_id, sent_at in Message.objects.filter(
        meeting=meeting, kind__in=Message.BEFORE_START, state=State.SENT
    ).values_list("user_id", "sent_at"):
        sent.setdefault(user_id, []).append(sent_at)
    seats = list(
        SeatResult.objects.filter(result__meeting=meeting, insight__isnull=False).select_related(
            "insight"
        )
    )
    for seat in seats:
        earlier = [at for at in sent.get(seat.user_id, []) if at <= seat.insight.submitted_at]
        if not earlier:
            seat.nudge = SeatResult.Nudge.BEFORE_ANY
        elif seat.insight.submitted_at - max(earlier) <= NUDGE_WINDOW:
            seat.nudge = SeatResult.Nudge.WITHIN_2H
        else:
            seat.nudge = SeatResult.Nudge.LATER
    SeatResult.objects.bulk_update(seats, ["nudge"])


def hears_about(
    *, team_ids: list[int] | None = None, user: User | None = None
) -> dict[int, set[int]]:
    """Who hears about which teams' early warnings, the one rule: each team's admins
    about their team, organisation admins about every team; active people only. Asked
    for some teams (who is told) or for one person (what they are told).
    {user_id: {team_id, …}}"""
    people = User.objects.filter(is_active=True)
    if user is not None:
        people = people.filter(pk=user.pk)
    admins = Membership.objects.admins().filter(user__in=people)
    if team_ids is not None:
        admins = admins.filter(team_id__in=team_ids)
    heard: dict[int, set[int]] = {}
    for user_id, team_id in admins.values_list("user_id", "team_id"):
        heard.setdefault(user_id, set()).add(team_id)
    org_admins = list(people.filter(is_staff=True).values_list("pk", flat=True))
    if org_admins:
        every = set(team_ids if team_ids is not None else Team.objects.values_list("pk", flat=True))
        for user_id in org_admins:
            heard[user_id] = set(every)
    return heard


def warning_recipients(warnings: dict) -> dict[int, list[int]]:
    """Who hears about which of these decaying teams (hears_about). {user_id: [team_id, …]}"""
    return {
        user_id: sorted(teams) for user_id, teams in hears_about(team_ids=list(warnings)).items()
    }


def queue_early_warnings(today: dt.date) -> int:
    """The weekly early warning: one message per person and week at most (a unique
    constraint), so the daily sweep that calls this may run any number of times. What
    it says is worked out again when it is sent."""
    warnings = participation.decaying(list(Team.objects.values_list("pk", flat=True)), today)
    if not warnings:
        return 0
    week = today - dt.timedelta(days=today.weekday())
    told = set(
        Message.objects.filter(kind=Kind.EARLY_WARNING, week=week).values_list("user_id", flat=True)
    )
    rows = [
        Message(user_id=user_id, kind=Kind.EARLY_WARNING, week=week)
        for user_id in warning_recipients(warnings)
        if user_id not in told
    ]
    # A sweep running at the same moment inserts the same rows once (unique constraint).
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        _nudge()
    return len(rows)


def warnings_for(user: User, today: dt.date) -> list[tuple[Team, participation.Warning]]:
    """The decaying teams this person hears about (hears_about), by team name."""
    teams = hears_about(user=user).get(user.pk, set())
    warnings = participation.decaying(sorted(teams), today)
    by_id = Team.objects.in_bulk(list(warnings))
    return sorted(((by_id[t], w) for t, w in warnings.items()), key=lambda p: p[0].name)
