"""Series: recurring meetings materialised ahead from their rule, edited from one
occurrence on ("this and following"), ended, and re-anchored when the team's zone
changes. Rules are read and changed in recurrence.py."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import recurrence
from ..models import AgendaItem, Attendance, Meeting, Series, Team
from .agenda import create_agenda, renumber, standing_items
from .attendance import excuse_away_attendees
from .rotation import next_facilitator

log = logging.getLogger(__name__)

# How far ahead a series' meetings exist as rows (for calendars, reminders, excuses).
MATERIALISE_AHEAD = dt.timedelta(weeks=8)
# The most meetings one call creates for a series: a meeting a day, over twice the
# window, as "this and following" materialises MATERIALISE_AHEAD past the last
# meeting it replaces (those it replaces come on top). More is a rule or a date no
# form lets through: each meeting brings its attendees, agenda and reminders.
MAX_MEETINGS_AT_ONCE = 2 * MATERIALISE_AHEAD.days
TOO_MANY_MEETINGS = "A series creates at most %(max)s meetings at once."
FOLLOWING_FROM_THE_PAST = "The following meetings can't start before today."


@transaction.atomic
def materialise_series(
    *, series: Series, start: dt.datetime, end: dt.datetime, replacing: int = 0
) -> list[Meeting]:
    """Create the series' meetings in [start, end) that don't exist yet, each with its
    attendees and agenda. Run twice, it creates nothing more; a skipped (cancelled)
    or moved occurrence keeps its row, so it is never re-created. Refuses a window
    holding more than MAX_MEETINGS_AT_ONCE occurrences (plus the `replacing` meetings
    these take over from), before creating any."""
    occurrences = series.occurrences(start, end)
    limit = MAX_MEETINGS_AT_ONCE + replacing
    if len(occurrences) > limit:
        raise ValidationError(TOO_MANY_MEETINGS, code="too_many_meetings", params={"max": limit})
    attendee_ids = series.attendee_ids()
    guest_ids = set(series.guests.values_list("pk", flat=True))
    meetings = []
    for occurrence in occurrences:
        meeting = Meeting.objects.filter(series=series, occurrence_start=occurrence).first()
        if meeting is None:
            meeting = Meeting.objects.create(
                series=series,
                occurrence_start=occurrence,
                team=series.team,
                title=series.title,
                starts_at=occurrence,
                ends_at=occurrence + dt.timedelta(minutes=series.duration_minutes),
                location=series.location,
                facilitator=next_facilitator(series, occurrence),
            )
            meeting.replan_reminders()
            meeting.save(update_fields=["next_reminder_at"])
            Attendance.objects.bulk_create(
                [
                    Attendance(meeting=meeting, user_id=uid, is_guest=uid in guest_ids)
                    for uid in attendee_ids
                ]
            )
            create_agenda(meeting, len(attendee_ids), series.agenda_template)
            excuse_away_attendees(meeting)
        meetings.append(meeting)
    return meetings


def materialise_all_series(*, now: dt.datetime | None = None) -> int:
    """Create the missing meetings of every series up to MATERIALISE_AHEAD; returns how many
    meetings the window holds. Past occurrences are never back-filled."""
    now = now or timezone.now()
    total = 0
    for series in Series.objects.select_related("team", "facilitator"):
        try:
            total += len(materialise_series(series=series, start=now, end=now + MATERIALISE_AHEAD))
        except ValidationError:
            # A rule changed in the admin can ask for more than MAX_MEETINGS_AT_ONCE:
            # that series waits for a fix, every other one still gets its meetings.
            log.exception("Series %s was not materialised", series.pk)
    return total


@transaction.atomic
def create_series(*, team: Team, data: dict) -> Series:
    """A facilitator sets up a recurring meeting; its first weeks appear at once."""
    series = Series.objects.create(team=team, **data)
    materialise_series(series=series, start=timezone.now(), end=timezone.now() + MATERIALISE_AHEAD)
    return series


@transaction.atomic
def edit_series_from(*, meeting: Meeting, data: dict) -> Series:
    """ "This and following": the series ends before this occurrence, and a new series
    with the new settings takes over from it. Later meetings' insights and actions
    move to the new series' meeting of the same day (or the next one); skipped
    occurrences stay skipped; nothing anyone brought is ever deleted."""
    meeting.guard_editable()
    old = Series.objects.select_for_update().get(pk=meeting.series_id)
    split = meeting.occurrence_start or meeting.starts_at
    local_split = split.astimezone(old.team.zone)
    first_date = data.get("first_date", local_split.date())
    # Its own day may have passed (a meeting not yet closed); any earlier day would
    # bring back meetings that are over before they exist, as many as the date allows.
    if first_date < min(local_split.date(), timezone.localdate(timezone=old.team.zone)):
        raise ValidationError(FOLLOWING_FROM_THE_PAST, code="following_from_the_past")
    new = Series.objects.create(
        team=old.team,
        title=data.get("title", old.title),
        rule=data.get("rule")
        or recurrence.continued(
            old.rule,
            dtstart=dt.datetime.combine(old.first_date, old.start_time),
            split_local=local_split,
            new_day=first_date,
        ),
        first_date=first_date,
        start_time=data.get("start_time", old.start_time),
        duration_minutes=data.get("duration_minutes", old.duration_minutes),
        location=data.get("location", old.location),
        facilitator=data.get("facilitator", old.facilitator),
        rotate_facilitator=data.get("rotate_facilitator", old.rotate_facilitator),
        agenda_template=old.agenda_template,
    )
    new.guests.set(old.guests.all())
    new.excluded.set(old.excluded.all())
    # The old rule stops just before the split (on the team's wall clock).
    old.rule = recurrence.ending(
        old.rule, local_split.replace(tzinfo=None) - dt.timedelta(seconds=1)
    )
    old.save(update_fields=["rule"])

    later = list(
        old.meetings.filter(
            Q(occurrence_start__gte=split) | Q(occurrence_start__isnull=True, starts_at__gte=split),
            status__in=[Meeting.Status.SCHEDULED, Meeting.Status.CANCELLED],
        ).order_by("starts_at")
    )
    horizon = max([m.starts_at for m in later] + [timezone.now()]) + MATERIALISE_AHEAD
    start = min(split, dt.datetime.combine(first_date, dt.time.min, old.team.zone), timezone.now())
    fresh = sorted(
        materialise_series(series=new, start=start, end=horizon, replacing=len(later)),
        key=lambda m: m.starts_at,
    )
    zone = new.team.zone
    for meeting_before in later:
        day = meeting_before.starts_at.astimezone(zone).date()
        same_day = next((m for m in fresh if m.starts_at.astimezone(zone).date() == day), None)
        if meeting_before.is_cancelled:
            if same_day is not None:
                same_day.cancel()
            if not (meeting_before.insights.exists() or meeting_before.actions.exists()):
                meeting_before.delete()  # a skipped day that held nothing
            continue
        target = same_day or next(
            (m for m in fresh if m.starts_at.astimezone(zone).date() >= day), None
        )
        if target is None:
            continue  # nowhere to go: it stays, with all it holds
        taken = set(target.insights.values_list("author_id", flat=True))
        meeting_before.insights.exclude(author_id__in=taken).update(meeting=target)
        meeting_before.actions.update(meeting=target)
        if meeting_before.insights.exists():
            continue  # two insights from one person for one day: keep both meetings
        meeting_before.delete()
    return new


@transaction.atomic
def update_series_settings(
    *,
    series: Series,
    agenda_template: list[dict],
    rotate_facilitator: bool,
    apply_to_scheduled: bool,
) -> int:
    """The series' standing agenda and rotation, for the meetings it creates from now
    on and, if asked, for its scheduled ones; returns how many of those changed."""
    previous = {entry.get("title") for entry in series.agenda_template}
    series.agenda_template = agenda_template
    series.rotate_facilitator = rotate_facilitator
    series.save(update_fields=["agenda_template", "rotate_facilitator"])
    if not apply_to_scheduled:
        return 0
    scheduled = list(
        series.meetings.filter(status=Meeting.Status.SCHEDULED, starts_at__gt=timezone.now())
    )
    for meeting in scheduled:
        # The old standing items go, unless someone wrote notes on them or owns them.
        meeting.agenda_items.filter(
            kind=AgendaItem.Kind.ITEM, title__in=previous, notes="", owner__isnull=True
        ).delete()
        last = (
            meeting.agenda_items.order_by("-position").values_list("position", flat=True).first()
            or 0
        )
        AgendaItem.objects.bulk_create(standing_items(meeting, agenda_template, after=last))
        renumber(meeting)
    return len(scheduled)


@transaction.atomic
def end_series(*, series: Series, now: dt.datetime | None = None) -> int:
    """Stop a series from now on. Scheduled meetings nobody has brought anything to
    go; those with insights are kept, skipped. Returns how many meetings went."""
    now = now or timezone.now()
    local_now = now.astimezone(series.team.zone).replace(tzinfo=None)
    series.rule = recurrence.ending(series.rule, local_now)
    series.save(update_fields=["rule"])
    removed = 0
    for meeting in series.meetings.filter(status=Meeting.Status.SCHEDULED, starts_at__gt=now):
        if meeting.insights.exists() or meeting.actions.exists():
            meeting.cancel()
        else:
            meeting.delete()
            removed += 1
    return removed


@transaction.atomic
def rezone_team(*, team: Team, old_zone: str) -> int:
    """The team moved to another time zone: its series keep their wall-clock time in
    the new zone. Scheduled series meetings are re-anchored (and their reminders
    replanned), so materialising again finds them instead of creating twins."""
    old = zoneinfo.ZoneInfo(old_zone)
    moved = 0
    for meeting in team.meetings.filter(
        status=Meeting.Status.SCHEDULED, series__isnull=False, starts_at__gt=timezone.now()
    ).select_related("series"):
        anchor = meeting.occurrence_start or meeting.starts_at
        local = anchor.astimezone(old).replace(tzinfo=None)
        new_anchor = local.replace(tzinfo=team.zone).astimezone(dt.UTC)
        shift = new_anchor - anchor
        meeting.occurrence_start = new_anchor
        meeting.starts_at += shift
        meeting.ends_at += shift
        meeting.schedule_version += 1
        meeting.team = team
        meeting.replan_reminders()
        meeting.save()
        moved += 1
    return moved


def replan_team(team: Team) -> int:
    """The team's reminder offsets changed: plan its scheduled meetings again."""
    meetings = list(
        team.meetings.filter(status=Meeting.Status.SCHEDULED, starts_at__gt=timezone.now())
    )
    for meeting in meetings:
        meeting.team = team
        meeting.replan_reminders()
    Meeting.objects.bulk_update(meetings, ["next_reminder_at"])
    return len(meetings)
