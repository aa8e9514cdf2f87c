"""Rotating facilitators: each meeting of a series goes to the next member in turn
(by name), passing over anyone away from the team's meeting that day; someone who
goes away after their meeting was made hands it to the next person in turn."""

from __future__ import annotations

import datetime as dt

from accounts.models import User, away_for

from ..models import Meeting, Series


def _in_turn(series: Series) -> list[User]:
    return list(
        User.objects.filter(memberships__team=series.team, is_active=True)
        .exclude(pk__in=series.excluded.values("pk"))
        .order_by("name", "pk")
    )


def _first_not_away(people: list[User], start: int, moment: dt.datetime, team_id: int) -> User:
    turn = people[start:] + people[:start]
    # When everyone is away, the person whose turn it is keeps it.
    return next((p for p in turn if away_for(p, moment, team_id=team_id) is None), turn[0])


def next_facilitator(series: Series, occurrence: dt.datetime) -> User | None:
    """Who facilitates a new meeting of the series: the member after the previous
    meeting's facilitator, or the series' own facilitator without rotation."""
    if not series.rotate_facilitator:
        return series.facilitator
    people = _in_turn(series)
    if not people:
        return series.facilitator
    previous = (
        series.meetings.filter(occurrence_start__lt=occurrence, facilitator__isnull=False)
        .order_by("-occurrence_start")
        .values_list("facilitator_id", flat=True)
        .first()
    )
    ids = [p.pk for p in people]
    if previous in ids:
        start = (ids.index(previous) + 1) % len(people)
    elif series.facilitator_id in ids:
        start = ids.index(series.facilitator_id)
    else:
        start = 0
    return _first_not_away(people, start, occurrence, series.team_id)


def stand_in(meeting: Meeting) -> None:
    """The facilitator of a rotating series' scheduled meeting is away for it: the
    next person in turn takes it (the digest then goes to them)."""
    series = meeting.series
    if series is None or not series.rotate_facilitator or not meeting.is_scheduled:
        return
    people = _in_turn(series)
    ids = [p.pk for p in people]
    if meeting.facilitator_id not in ids:
        return
    pick = _first_not_away(people, (ids.index(meeting.facilitator_id) + 1) % len(ids),
                           meeting.starts_at, meeting.team_id)  # fmt: skip
    if (
        pick.pk != meeting.facilitator_id
        and away_for(pick, meeting.starts_at, team_id=meeting.team_id) is None
    ):
        meeting.facilitator = pick
        meeting.save(update_fields=["facilitator"])
