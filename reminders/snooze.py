"""Snooze: "not now, remind me later", from a link in a reminder.

A snooze only ever promises something true: a choice is offered only when its time
comes before the meeting's final reminder (which always goes, so it would beat any
later promise), and none once the person's insight is in."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from sesame.utils import get_query_string

from meetings.models import Attendance, Meeting

from . import planner
from .models import Message

LABELS = {"1h": "In 1 hour", "tomorrow": "Tomorrow at 08:00"}


def scope(meeting: Meeting) -> str:
    return f"snooze:{meeting.pk}"


def link(user, meeting: Meeting, choice: str) -> str:
    path = reverse("reminders:snooze", args=[meeting.pk, choice])
    return settings.SITE_URL + path + get_query_string(user, scope=scope(meeting))


def wanted(choice: str, user, now: dt.datetime) -> dt.datetime:
    """The moment a choice names, on the person's own clock."""
    if choice == "tomorrow":
        tomorrow = now.astimezone(user.zone).date() + dt.timedelta(days=1)
        return dt.datetime.combine(tomorrow, dt.time(8, 0), tzinfo=user.zone).astimezone(dt.UTC)
    return now + dt.timedelta(hours=1)


def final_reminder_at(meeting: Meeting) -> dt.datetime:
    return planner.due(meeting, meeting.team.final_reminder_offset)


def choices(meeting: Meeting, user, now: dt.datetime) -> dict[str, dt.datetime]:
    """The choices that mean something now: each one's time, if it comes before the
    final reminder."""
    final = final_reminder_at(meeting)
    times = {key: wanted(key, user, now) for key in LABELS}
    return {key: at for key, at in times.items() if now < at < final}


@transaction.atomic
def snooze(meeting: Meeting, user, until: dt.datetime, choice: str) -> None:
    """Hold the early reminders until then, with one reminder at that time."""
    # Lock the attendance: a double tap waits, then finds the first snooze to move.
    # Only the attendance row (of=self), not the meeting and user its ordering joins.
    Attendance.objects.select_for_update(of=("self",)).filter(meeting=meeting, user=user).first()
    # One pending snooze per person and meeting: a new one moves it.
    Message.objects.filter(
        meeting=meeting, user=user, kind=Message.Kind.SNOOZE, state=Message.State.PENDING
    ).update(state=Message.State.SKIPPED_SUPERSEDED, note="Snoozed again.")
    offset = int((meeting.starts_at - until).total_seconds() // 60)
    Message.objects.update_or_create(
        meeting=meeting, user=user, kind=Message.Kind.SNOOZE, offset=offset,
        channel=Message.Channel.EMAIL, schedule_version=meeting.schedule_version,
        defaults={"due_at": until, "next_attempt_at": until, "state": Message.State.PENDING,
                  "attempts": 0, "note": f"Snoozed: {LABELS[choice].lower()}."},
    )  # fmt: skip
