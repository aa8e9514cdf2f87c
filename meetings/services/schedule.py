"""The meeting calendar: series materialised into meetings, one-off meetings,
single occurrences skipped or moved, and who attends."""

from __future__ import annotations

import datetime as dt

from dateutil import rrule
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Away, User

from ..models import AgendaItem, Attendance, Meeting, Membership, Series, Team


def _close_reminders(meeting: Meeting, state: str, user: User | None = None) -> None:
    """Pending reminders that no longer apply, closed in the caller's transaction."""
    from insights.models import Reminder

    pending = Reminder.objects.filter(meeting=meeting, state=Reminder.State.PENDING)
    if user is not None:
        pending = pending.filter(user=user)
    pending.update(state=state, note="Closed when the meeting changed.")


# How far ahead a series' meetings exist as rows (for calendars, reminders, excuses).
MATERIALISE_AHEAD = dt.timedelta(weeks=8)
ROUND_TITLE = "Fresh customer insights"
MEETING_LOCKED = "This meeting has ended; its record can't change."
NOT_IN_TEAM = "%(email)s isn't in InsightBoard yet: invite them to a team first."
ALREADY_ATTENDING = "%(name)s is already on the list."


def round_minutes(team: Team, attendees: int) -> int:
    return max(team.minutes_per_person * attendees, team.minutes_per_person)


def _create_agenda(meeting: Meeting, attendee_count: int, template: list[dict]) -> None:
    items = [
        AgendaItem(
            meeting=meeting,
            kind=AgendaItem.Kind.ROUND,
            position=0,
            title=ROUND_TITLE,
            minutes=round_minutes(meeting.team, attendee_count),
        )
    ]
    for position, entry in enumerate(template, start=1):
        items.append(
            AgendaItem(
                meeting=meeting,
                position=position,
                title=str(entry.get("title", ""))[:160] or "Item",
                minutes=int(entry.get("minutes") or 5),
            )
        )
    AgendaItem.objects.bulk_create(items)


def _series_attendee_ids(series: Series) -> list[int]:
    members = set(series.team.memberships.values_list("user_id", flat=True))
    excluded = set(series.excluded.values_list("pk", flat=True))
    guests = set(series.guests.values_list("pk", flat=True))
    return sorted((members - excluded) | guests)


def _next_facilitator(series: Series, occurrence: dt.datetime) -> User | None:
    """Rotation: the member after the previous meeting's facilitator, by name."""
    if not series.rotate_facilitator:
        return series.facilitator
    people = list(
        User.objects.filter(memberships__team=series.team, is_active=True)
        .exclude(pk__in=series.excluded.values("pk"))
        .order_by("name", "pk")
    )
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
        return people[(ids.index(previous) + 1) % len(people)]
    if series.facilitator_id in ids:
        return series.facilitator
    return people[0]


@transaction.atomic
def materialise_series(*, series: Series, start: dt.datetime, end: dt.datetime) -> list[Meeting]:
    """Create the series' meetings in [start, end) that don't exist yet, each with its
    attendees and agenda. Run twice, it creates nothing more; a skipped (cancelled)
    or moved occurrence keeps its row, so it is never re-created."""
    attendee_ids = _series_attendee_ids(series)
    guest_ids = set(series.guests.values_list("pk", flat=True))
    meetings = []
    for occurrence in series.occurrences(start, end):
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
                facilitator=_next_facilitator(series, occurrence),
            )
            meeting.replan_reminders()
            meeting.save(update_fields=["next_reminder_at"])
            Attendance.objects.bulk_create(
                [
                    Attendance(meeting=meeting, user_id=uid, is_guest=uid in guest_ids)
                    for uid in attendee_ids
                ]
            )
            _create_agenda(meeting, len(attendee_ids), series.agenda_template)
            _excuse_away_attendees(meeting)
        meetings.append(meeting)
    return meetings


def _excuse_away_attendees(meeting: Meeting) -> None:
    day_before = (meeting.starts_at - dt.timedelta(days=1)).date()
    day_after = (meeting.starts_at + dt.timedelta(days=1)).date()
    candidates = Away.objects.select_related("user").filter(
        user__attendances__meeting=meeting, starts_on__lte=day_after, ends_on__gte=day_before
    )
    for away in candidates:
        if away.covers(meeting.starts_at):
            meeting.attendances.filter(
                user_id=away.user_id, status=Attendance.Status.EXPECTED
            ).update(status=Attendance.Status.EXCUSED, excuse_reason=away.excuse, away=away)


def materialise_all_series(*, now: dt.datetime | None = None) -> int:
    """Create the missing meetings of every series up to MATERIALISE_AHEAD; returns how many
    meetings the window holds. Past occurrences are never back-filled."""
    now = now or timezone.now()
    total = 0
    for series in Series.objects.select_related("team", "facilitator"):
        total += len(materialise_series(series=series, start=now, end=now + MATERIALISE_AHEAD))
    return total


@transaction.atomic
def create_series(*, team: Team, data: dict) -> Series:
    """A facilitator sets up a recurring meeting; its first weeks appear at once."""
    series = Series.objects.create(team=team, **data)
    materialise_series(series=series, start=timezone.now(), end=timezone.now() + MATERIALISE_AHEAD)
    return series


@transaction.atomic
def create_meeting(
    *,
    team: Team,
    title: str,
    starts_at: dt.datetime,
    duration_minutes: int,
    location: str = "",
    facilitator: User | None = None,
) -> Meeting:
    """A one-off meeting with the team's members as attendees."""
    meeting = Meeting(
        team=team,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=duration_minutes),
        location=location,
        facilitator=facilitator,
    )
    meeting.replan_reminders()
    meeting.save()
    member_ids = list(team.memberships.values_list("user_id", flat=True))
    Attendance.objects.bulk_create([Attendance(meeting=meeting, user_id=u) for u in member_ids])
    _create_agenda(meeting, len(member_ids), [])
    _excuse_away_attendees(meeting)
    return meeting


def _guard_open(meeting: Meeting) -> None:
    if meeting.status in (Meeting.Status.ENDED, Meeting.Status.CANCELLED):
        raise ValidationError(MEETING_LOCKED, code="meeting_locked")


@transaction.atomic
def update_meeting(*, meeting: Meeting, data: dict) -> Meeting:
    """Move or edit one meeting; for a series occurrence, only this one."""
    from insights.models import Reminder

    _guard_open(meeting)
    old_start = meeting.starts_at
    duration = data.pop("duration_minutes", None) or int(meeting.duration.total_seconds() // 60)
    for field, value in data.items():
        setattr(meeting, field, value)
    meeting.ends_at = meeting.starts_at + dt.timedelta(minutes=duration)
    moved = meeting.starts_at != old_start
    if moved:
        # Reminders planned for the old time are superseded; new ones follow the new time.
        meeting.schedule_version += 1
        meeting.replan_reminders()
        _close_reminders(meeting, Reminder.State.SKIPPED_SUPERSEDED)
    meeting.save()
    if moved:
        # Away periods are about days: the new day may excuse others, or nobody.
        meeting.attendances.filter(away__isnull=False).update(
            status=Attendance.Status.EXPECTED, excuse_reason="", away=None
        )
        _excuse_away_attendees(meeting)
    return meeting


@transaction.atomic
def skip_meeting(*, meeting: Meeting) -> Meeting:
    """Skip one occurrence (or cancel a one-off). The row stays, so the series
    doesn't bring it back."""
    from insights.models import Reminder

    _guard_open(meeting)
    meeting.status = Meeting.Status.CANCELLED
    meeting.save(update_fields=["status"])
    _close_reminders(meeting, Reminder.State.SKIPPED_CANCELLED)
    return meeting


def _rule_until(rule: str, until: dt.datetime) -> str:
    parsed = rrule.rrulestr(rule, dtstart=until)
    # COUNT and UNTIL can't be combined: the part before the split ends by date.
    ended = parsed.replace(until=until, count=None)
    return _rrule_line(ended)


def _rrule_line(parsed: rrule.rrule) -> str:
    return next(line for line in str(parsed).splitlines() if line.startswith("RRULE:"))[6:]


def _rule_from(old: Series, split_local: dt.datetime, new_day: dt.date) -> str:
    """The old rule, continued from the split: the meetings a COUNT still owes, and
    the split occurrence's weekday moved to the new day's (Monday → Tuesday)."""
    dtstart = dt.datetime.combine(old.first_date, old.start_time)
    parsed = rrule.rrulestr(old.rule, dtstart=dtstart)
    changes: dict = {}
    if parsed._count:
        before = split_local.replace(tzinfo=None) - dt.timedelta(seconds=1)
        done = len(parsed.between(dtstart, before, inc=True))
        changes["count"] = max(parsed._count - done, 1)
    old_weekday, new_weekday = split_local.weekday(), new_day.weekday()
    if parsed._byweekday and old_weekday != new_weekday:
        changes["byweekday"] = sorted(
            {new_weekday if day == old_weekday else day for day in parsed._byweekday}
        )
    if parsed._bynweekday and old_weekday != new_weekday:
        changes["byweekday"] = [
            rrule.weekday(new_weekday if day == old_weekday else day, n)
            for day, n in parsed._bynweekday
        ]
    if not changes:
        return old.rule
    return _rrule_line(
        parsed.replace(dtstart=dt.datetime.combine(new_day, old.start_time), **changes)
    )


@transaction.atomic
def edit_series_from(*, meeting: Meeting, data: dict) -> Series:
    """ "This and following": the series ends before this occurrence, and a new series
    with the new settings takes over from it. Later meetings' insights and actions
    move to the new series' meeting of the same day (or the next one); skipped
    occurrences stay skipped; nothing anyone brought is ever deleted."""
    _guard_open(meeting)
    old = Series.objects.select_for_update().get(pk=meeting.series_id)
    split = meeting.occurrence_start or meeting.starts_at
    local_split = split.astimezone(old.team.zone)
    first_date = data.get("first_date", local_split.date())
    new = Series.objects.create(
        team=old.team,
        title=data.get("title", old.title),
        rule=data.get("rule") or _rule_from(old, local_split, first_date),
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
    old.rule = _rule_until(old.rule, local_split.replace(tzinfo=None) - dt.timedelta(seconds=1))
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
        materialise_series(series=new, start=start, end=horizon), key=lambda m: m.starts_at
    )
    zone = new.team.zone
    for meeting_before in later:
        day = meeting_before.starts_at.astimezone(zone).date()
        same_day = next((m for m in fresh if m.starts_at.astimezone(zone).date() == day), None)
        if meeting_before.status == Meeting.Status.CANCELLED:
            if same_day is not None:
                skip_meeting(meeting=same_day)
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


# --- Attendees ------------------------------------------------------------------


@transaction.atomic
def add_attendee(*, meeting: Meeting, user: User, whole_series: bool = False) -> Attendance:
    """Someone joins this meeting (or every meeting of its series); people from
    outside the team come as guests."""
    _guard_open(meeting)
    is_guest = not Membership.objects.filter(team_id=meeting.team_id, user=user).exists()
    attendance, created = Attendance.objects.get_or_create(
        meeting=meeting, user=user, defaults={"is_guest": is_guest}
    )
    if not created:
        raise ValidationError(ALREADY_ATTENDING, params={"name": user.name}, code="attending")
    _excuse_away_attendees(meeting)
    if whole_series and meeting.series_id:
        series = meeting.series
        series.excluded.remove(user)
        if is_guest:
            series.guests.add(user)
        for later in series.meetings.filter(
            starts_at__gt=meeting.starts_at, status=Meeting.Status.SCHEDULED
        ):
            Attendance.objects.get_or_create(
                meeting=later, user=user, defaults={"is_guest": is_guest}
            )
            _excuse_away_attendees(later)
    _resize_round(meeting)
    _replan(meeting)
    return attendance


def _replan(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.SCHEDULED:
        meeting.replan_reminders()
        Meeting.objects.filter(pk=meeting.pk).update(next_reminder_at=meeting.next_reminder_at)


@transaction.atomic
def remove_attendee(*, attendance: Attendance, whole_series: bool = False) -> None:
    meeting = attendance.meeting
    _guard_open(meeting)
    if whole_series and meeting.series_id:
        series = meeting.series
        series.guests.remove(attendance.user)
        if Membership.objects.filter(team_id=meeting.team_id, user=attendance.user).exists():
            series.excluded.add(attendance.user)
        Attendance.objects.filter(
            meeting__series=series,
            meeting__starts_at__gt=meeting.starts_at,
            meeting__status=Meeting.Status.SCHEDULED,
            user=attendance.user,
        ).delete()
    from insights.models import Reminder

    attendance.delete()
    _close_reminders(meeting, Reminder.State.SKIPPED_CANCELLED, user=attendance.user)
    _resize_round(meeting)


def _resize_round(meeting: Meeting) -> None:
    count = meeting.attendances.exclude(status=Attendance.Status.EXCUSED).count()
    meeting.agenda_items.filter(kind=AgendaItem.Kind.ROUND).update(
        minutes=round_minutes(meeting.team, count)
    )


@transaction.atomic
def excuse(*, attendance: Attendance, reason: str) -> Attendance:
    _guard_open(attendance.meeting)
    attendance.status = Attendance.Status.EXCUSED
    attendance.excuse_reason = reason
    attendance.save(update_fields=["status", "excuse_reason"])
    _resize_round(attendance.meeting)
    return attendance


@transaction.atomic
def unexcuse(*, attendance: Attendance) -> Attendance:
    _guard_open(attendance.meeting)
    attendance.status = Attendance.Status.EXPECTED
    attendance.excuse_reason = ""
    attendance.away = None
    attendance.save(update_fields=["status", "excuse_reason", "away"])
    _resize_round(attendance.meeting)
    return attendance


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
        AgendaItem.objects.bulk_create(
            AgendaItem(meeting=meeting, position=last + i, title=e["title"], minutes=e["minutes"])
            for i, e in enumerate(agenda_template, start=1)
        )
        _renumber(meeting)
    return len(scheduled)


def _renumber(meeting: Meeting) -> None:
    items = list(meeting.agenda_items.order_by("position", "pk"))
    for position, item in enumerate(items):
        item.position = position
    AgendaItem.objects.bulk_update(items, ["position"])


@transaction.atomic
def end_series(*, series: Series, now: dt.datetime | None = None) -> int:
    """Stop a series from now on. Scheduled meetings nobody has brought anything to
    go; those with insights are kept, skipped. Returns how many meetings went."""
    from insights.models import Reminder

    now = now or timezone.now()
    local_now = now.astimezone(series.team.zone).replace(tzinfo=None)
    series.rule = _rule_until(series.rule, local_now)
    series.save(update_fields=["rule"])
    removed = 0
    for meeting in series.meetings.filter(status=Meeting.Status.SCHEDULED, starts_at__gt=now):
        if meeting.insights.exists() or meeting.actions.exists():
            meeting.status = Meeting.Status.CANCELLED
            meeting.save(update_fields=["status"])
            _close_reminders(meeting, Reminder.State.SKIPPED_CANCELLED)
        else:
            meeting.delete()
            removed += 1
    return removed


@transaction.atomic
def rezone_team(*, team: Team, old_zone: str) -> int:
    """The team moved to another time zone: its series keep their wall-clock time in
    the new zone. Scheduled series meetings are re-anchored (and their reminders
    replanned), so materialising again finds them instead of creating twins."""
    import zoneinfo

    from insights.models import Reminder

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
        _close_reminders(meeting, Reminder.State.SKIPPED_SUPERSEDED)
        moved += 1
    return moved
