"""When a follow-up action is due: the quick choices the presenter view offers.

Dates are days in the team's zone, as the person reading "Friday" means it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from meetings.models import Meeting

FRIDAY = 4


@dataclass(frozen=True)
class DueChoice:
    label: str
    date: dt.date
    # The choice picked before anyone touches the field: the end of the week.
    is_default: bool = False

    @property
    def text(self) -> str:
        return f"{self.label} · {self.date:%a} {self.date.day} {self.date:%b}"


def end_of_week(today: dt.date) -> DueChoice:
    """This week's Friday while at least two days remain; from Thursday on, next
    week's (a follow-up due tomorrow, today or yesterday is rarely what anyone means)."""
    friday = today + dt.timedelta(days=FRIDAY - today.weekday())
    if (friday - today).days >= 2:
        return DueChoice("End of this week", friday, is_default=True)
    return DueChoice("End of next week", friday + dt.timedelta(days=7), is_default=True)


def due_choices(meeting: Meeting, *, today: dt.date | None = None) -> list[DueChoice]:
    """End of the week (the default), the series' next meeting if there is one, and
    two weeks from today, in date order: a list read top to bottom as a calendar."""
    zone = meeting.team.zone
    today = today or timezone.localdate(timezone=zone)
    choices = [end_of_week(today)]
    if (following := meeting.next_in_series()) is not None:
        choices.append(
            DueChoice("Next meeting", timezone.localtime(following.starts_at, zone).date())
        )
    choices.append(DueChoice("In two weeks", today + dt.timedelta(days=14)))
    return sorted(choices, key=lambda c: c.date)
