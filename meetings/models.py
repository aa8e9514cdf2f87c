from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo
from dataclasses import dataclass
from urllib.parse import urlsplit

from dateutil import rrule
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from accounts.timezones import validate_time_zone

from . import recurrence, webhook_targets
from .signals import meeting_ended


def default_reminder_offsets() -> list[int]:
    return [24 * 60, 2 * 60, 15]


class Team(models.Model):
    """A group that meets: its zone anchors recurrence, its rules shape the ritual."""

    class Freshness(models.TextChoices):
        DAYS = "days", "Within a number of days"
        SINCE_PREVIOUS = "since_previous", "Since the series' previous meeting"

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True)
    time_zone = models.CharField(
        max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )
    freshness_mode = models.CharField(
        max_length=20, choices=Freshness.choices, default=Freshness.DAYS
    )
    freshness_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    # Minutes before the start, latest last; the smallest is the "final" reminder.
    reminder_offsets = models.JSONField(default=default_reminder_offsets)
    quiet_hours_start = models.TimeField(default=dt.time(20, 0))
    quiet_hours_end = models.TimeField(default=dt.time(8, 0))
    minutes_per_person = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    # A meeting nobody ends by hand ends itself this long after its scheduled end.
    close_after_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(0), MaxValueValidator(24 * 60)]
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("meetings:team-detail", args=[self.slug])

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def final_reminder_offset(self) -> int:
        return min(self.reminder_offsets)

    def round_minutes(self, attendees: int) -> int:
        """The insight round's time: the team's minutes for each person expected."""
        return max(self.minutes_per_person * attendees, self.minutes_per_person)


class MembershipQuerySet(models.QuerySet):
    def admins(self) -> MembershipQuerySet:
        return self.filter(role=Membership.Role.ADMIN)


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        FACILITATOR = "facilitator", "Facilitator"
        ADMIN = "admin", "Team admin"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["team", "user__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_one_per_team"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.get_role_display()})"

    @property
    def rank(self) -> int:
        return ROLE_RANK[self.role]


# Each role can do everything the roles below it can.
ROLE_RANK = {Membership.Role.MEMBER: 1, Membership.Role.FACILITATOR: 2, Membership.Role.ADMIN: 3}


def invitation_key() -> str:
    return secrets.token_urlsafe(24)


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """An e-mail invitation to join a team. The link carries a signed id and key;
    resending changes the key, so only the latest link works, and only once."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    role = models.CharField(
        max_length=20, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    key = models.CharField(max_length=64, default=invitation_key)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accepted_invitations",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            # Inviting the same address again resends the pending invitation.
            models.UniqueConstraint(
                "team",
                Lower("email"),
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.team}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None

    @property
    def expires_at(self) -> dt.datetime:
        return self.sent_at + INVITATION_TTL


INVITATION_TTL = dt.timedelta(days=7)


class SeriesQuerySet(models.QuerySet):
    def with_next_meeting(self, now: dt.datetime | None = None) -> SeriesQuerySet:
        """Each series' next meeting not yet over nor skipped, as next_meeting_id and
        next_meeting_start (None when there is none)."""
        upcoming = Meeting.objects.upcoming(now).filter(series=models.OuterRef("pk"))
        upcoming = upcoming.order_by("starts_at")
        return self.annotate(
            next_meeting_id=models.Subquery(upcoming.values("pk")[:1]),
            next_meeting_start=models.Subquery(upcoming.values("starts_at")[:1]),
        )


class Series(models.Model):
    """A recurring meeting. The rule is an RFC 5545 RRULE evaluated on the team's
    wall clock, so a 09:00 meeting stays at 09:00 across daylight-saving changes."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="series")
    title = models.CharField(max_length=120)
    rule = models.CharField(
        max_length=200, help_text="RRULE, e.g. FREQ=WEEKLY;BYDAY=MO,TH;INTERVAL=1"
    )
    first_date = models.DateField()
    start_time = models.TimeField(help_text="Wall-clock time in the team's zone.")
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    location = models.CharField(max_length=200, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Each new meeting goes to the next member (by name) after the previous facilitator.
    rotate_facilitator = models.BooleanField(default=False)
    # Items every meeting of the series starts with, after the insight round:
    # [{"title": "Pipeline review", "minutes": 10}, ...]
    agenda_template = models.JSONField(default=list, blank=True)
    # Per-series attendee list: the team's members, plus guests, minus the excluded.
    guests = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="guest_series"
    )
    excluded = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="excluded_series"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        ordering = ["team", "title"]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return f"{self.title} ({self.team})"

    @property
    def in_words(self) -> str:
        """ "Every Monday, 09:00 for 30 min": the rule as the team page shows it."""
        return (
            f"{recurrence.describe(self.rule)} · {self.start_time:%H:%M} "
            f"for {self.duration_minutes} min"
        )

    def attendee_ids(self) -> list[int]:
        """Who each new meeting of the series expects: the team's members, minus the
        excluded, plus the guests."""
        members = set(self.team.memberships.values_list("user_id", flat=True))
        excluded = set(self.excluded.values_list("pk", flat=True))
        guests = set(self.guests.values_list("pk", flat=True))
        return sorted((members - excluded) | guests)

    def agenda_time(self) -> AgendaTime:
        """What each new meeting's agenda plans: the round for today's attendees, then
        the standing items, as the meeting will copy them."""
        standing = self.agenda_template[:MAX_STANDING_ITEMS]
        return AgendaTime(
            round=self.team.round_minutes(len(self.attendee_ids())),
            items=sum(int(entry.get("minutes") or 5) for entry in standing),
            length=self.duration_minutes,
        )

    def has_ended(self, now: dt.datetime | None = None) -> bool:
        """No occurrence left after now: it ran out of its count, passed its last
        date, or was ended (which gives it a last date)."""
        now = now or timezone.now()
        rule = rrule.rrulestr(
            self.rule, dtstart=dt.datetime.combine(self.first_date, self.start_time)
        )
        return rule.after(now.astimezone(self.team.zone).replace(tzinfo=None)) is None

    def occurrences(self, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
        """Aware UTC starts in [start, end), computed on the team's wall clock."""
        zone = self.team.zone
        dtstart = dt.datetime.combine(self.first_date, self.start_time)
        rule = rrule.rrulestr(self.rule, dtstart=dtstart)
        local_start = start.astimezone(zone).replace(tzinfo=None)
        local_end = end.astimezone(zone).replace(tzinfo=None)
        starts = []
        for naive in rule.between(local_start, local_end, inc=True):
            aware = naive.replace(tzinfo=zone)
            # A wall-clock time skipped by a spring-forward gap still happens,
            # shifted by the gap (fold semantics of zoneinfo), never dropped.
            utc = aware.astimezone(dt.UTC)
            if start <= utc < end:
                starts.append(utc)
        return starts


# Every meeting of a series copies its standing agenda: a few recurring items, not a
# list whose length multiplies the rows each new meeting brings.
MAX_STANDING_ITEMS = 20


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> MeetingQuerySet:
        if user.is_staff:
            return self
        return self.filter(team__memberships__user=user)

    def upcoming(self, now: dt.datetime | None = None) -> MeetingQuerySet:
        now = now or timezone.now()
        return self.filter(status__in=Meeting.OPEN, ends_at__gt=now)

    def overdue(self, now: dt.datetime | None = None) -> MeetingQuerySet:
        """Still open after their scheduled end: candidates for closing themselves
        (each one's own grace period decides, see Meeting.closes_at)."""
        now = now or timezone.now()
        return self.filter(status__in=Meeting.OPEN, ends_at__lte=now)

    def past(self, now: dt.datetime | None = None) -> MeetingQuerySet:
        now = now or timezone.now()
        return self.filter(Q(status=Meeting.Status.ENDED) | Q(ends_at__lte=now)).exclude(
            status=Meeting.Status.CANCELLED
        )


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        IN_PROGRESS = "in_progress", "In progress"
        ENDED = "ended", "Ended"
        CANCELLED = "cancelled", "Cancelled"

    # Not yet ended or skipped: it can still change, and may still take insights.
    OPEN = (Status.SCHEDULED, Status.IN_PROGRESS)

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="meetings")
    series = models.ForeignKey(
        Series, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    # The start the series rule gave this occurrence, kept when it is moved, so
    # materialising the series again finds it instead of creating a twin.
    occurrence_start = models.DateTimeField(null=True, blank=True)
    title = models.CharField(max_length=120)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitated_meetings",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Bumped whenever the start moves: reminders planned for an older version are
    # superseded, and new ones are planned for the new time.
    schedule_version = models.PositiveIntegerField(default=1)
    # When the reminder planner next has something to plan for this meeting: the
    # due time of its earliest stage not yet planned. Denormalised so the planner's
    # sweep is one indexed range scan, whatever the number of meetings.
    next_reminder_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "occurrence_start"], name="meeting_one_per_occurrence"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
        ]
        indexes = [
            # Meeting lists and "my next meeting": team + time range.
            models.Index(fields=["team", "starts_at"], name="meeting_team_starts"),
            # The reminder planner: scheduled meetings with a stage coming due.
            models.Index(
                fields=["next_reminder_at"],
                condition=Q(status="scheduled", next_reminder_at__isnull=False),
                name="meeting_next_reminder",
            ),
            # The closing sweep (MeetingQuerySet.overdue): open meetings by end.
            models.Index(
                fields=["ends_at"],
                condition=Q(status__in=["scheduled", "in_progress"]),
                name="meeting_open_ends",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_at:%Y-%m-%d %H:%M} UTC"

    def get_absolute_url(self) -> str:
        return self.url("meeting-detail")

    def url(self, name: str) -> str:
        """One of this meeting's pages, by URL name: `meeting.url("meeting-present")`."""
        return reverse(f"meetings:{name}", args=[self.team.slug, self.pk])

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at

    # --- State -------------------------------------------------------------------

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.SCHEDULED

    @property
    def is_in_progress(self) -> bool:
        return self.status == self.Status.IN_PROGRESS

    @property
    def is_ended(self) -> bool:
        return self.status == self.Status.ENDED

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_editable(self) -> bool:
        """Its agenda, attendees and record can still change: not ended, not skipped."""
        return self.status in self.OPEN

    @property
    def closes_at(self) -> dt.datetime:
        """When a meeting nobody ended by hand ends itself (the closing sweep)."""
        return self.ends_at + dt.timedelta(minutes=self.team.close_after_minutes)

    def accepts_insights(self, now: dt.datetime | None = None) -> bool:
        """Insights can be given or edited, and one-tap links work, until the meeting
        ends: by hand, or by itself at closes_at."""
        now = now or timezone.now()
        return self.is_editable and now < self.closes_at

    @property
    def is_open(self) -> bool:
        return self.accepts_insights()

    def has_started(self, now: dt.datetime | None = None) -> bool:
        """Whether the meeting has begun by this moment: its scheduled start has come,
        or a facilitator started it early, whichever came first."""
        now = now or timezone.now()
        return now >= min(self.starts_at, self.started_at or self.starts_at)

    def is_late(self, moment: dt.datetime) -> bool:
        """Whether an insight first saved at this moment is late: once the meeting has
        started (see has_started)."""
        return self.has_started(moment)

    @property
    def reminders_start_at(self) -> dt.datetime:
        """When the first reminder is due (the team's earliest offset before the start):
        from then on a missing insight is worth mentioning, before then it isn't."""
        offsets = self.team.reminder_offsets or [0]
        return self.starts_at - dt.timedelta(minutes=max(offsets))

    @property
    def reminders_started(self) -> bool:
        return timezone.now() >= self.reminders_start_at

    def is_early_start(self, now: dt.datetime | None = None) -> bool:
        """Starting now would be more than a few minutes before the scheduled start:
        everyone who hasn't brought their insight yet would become late, so the
        facilitator is asked first."""
        return (now or timezone.now()) < self.starts_at - EARLY_START_GRACE

    def next_in_series(self) -> Meeting | None:
        """The series' next meeting that will take place (skipped ones don't count)."""
        if self.series_id is None:
            return None
        return (
            Meeting.objects.filter(series_id=self.series_id, starts_at__gt=self.starts_at)
            .exclude(status=self.Status.CANCELLED)
            .order_by("starts_at")
            .first()
        )

    def replan_reminders(self) -> None:
        """Plan reminders from the first stage again (idempotent: rows already there stay)."""
        self.next_reminder_at = self.reminders_start_at

    # --- Transitions: each a conditional UPDATE, so two at once do the work once ----

    def _transition(self, from_statuses, **changes) -> bool:
        won = Meeting.objects.filter(pk=self.pk, status__in=from_statuses).update(**changes)
        if won:
            for name, value in changes.items():
                setattr(self, name, value)
        return bool(won)

    def start(self, *, now: dt.datetime | None = None) -> None:
        """The facilitator opens the round: from now on, new insights are late."""
        if not self._transition(
            [self.Status.SCHEDULED],
            status=self.Status.IN_PROGRESS,
            started_at=now or timezone.now(),
        ):
            raise ValidationError(ALREADY_STARTED, code="already_started")

    def cancel(self) -> None:
        """Skip this occurrence (or cancel a one-off). The row stays, so the series
        doesn't bring it back; its reminders are skipped at their last check."""
        if not self._transition(self.OPEN, status=self.Status.CANCELLED):
            raise ValidationError(MEETING_LOCKED, code="meeting_locked")

    def end(self, *, now: dt.datetime | None = None) -> bool:
        """End the meeting, by hand or by the closing sweep; True for the call that did.

        Records who was there: whoever presented, and whoever the apps listening to
        `meeting_ended` mark (insights: everyone who brought an insight); anyone still
        expected after that was absent. The listeners also queue the summary. All in
        the caller's transaction, so it happens entirely or not at all."""
        with transaction.atomic():
            if not self._transition(
                self.OPEN, status=self.Status.ENDED, ended_at=now or timezone.now()
            ):
                return False
            expected = self.attendances.filter(status=Attendance.Status.EXPECTED)
            expected.filter(presented_at__isnull=False).update(status=Attendance.Status.ATTENDED)
            meeting_ended.send(sender=Meeting, meeting=self)
            expected.update(status=Attendance.Status.ABSENT)
        return True

    def guard_editable(self) -> None:
        if not self.is_editable:
            raise ValidationError(MEETING_LOCKED, code="meeting_locked")


# How long before its scheduled start a meeting may be started without a question.
EARLY_START_GRACE = dt.timedelta(minutes=5)
MEETING_LOCKED = "This meeting has ended; its record can't change."
ALREADY_STARTED = "The meeting has already started."


class Attendance(models.Model):
    """One person invited to one meeting; kept after the meeting for dashboards."""

    class Status(models.TextChoices):
        EXPECTED = "expected", "Expected"
        EXCUSED = "excused", "Excused"
        ATTENDED = "attended", "Attended"
        ABSENT = "absent", "Absent"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.EXPECTED)
    excuse_reason = models.CharField(max_length=200, blank=True)
    # Set when an away period excused this attendance, so removing it can undo that.
    away = models.ForeignKey(
        "accounts.Away",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="excused_attendances",
    )
    is_guest = models.BooleanField(default=False)
    added_at = models.DateTimeField(default=timezone.now)
    # Marked by the facilitator while stepping through the insight round.
    presented_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "user__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendance_one_per_meeting"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.meeting} ({self.get_status_display()})"

    @property
    def is_excused(self) -> bool:
        """Excused people don't count in "N of M" (insights/round.py)."""
        return self.status == self.Status.EXCUSED

    @classmethod
    def lock(cls, meeting, user) -> Attendance | None:
        """Lock one person's attendance row until the transaction ends: the lock a
        submission, a snooze and the reminder dispatcher's last check all take."""
        key = (getattr(meeting, "pk", meeting), getattr(user, "pk", user))
        return cls.lock_many([key]).get(key)

    @classmethod
    def lock_many(cls, keys) -> dict[tuple[int, int], Attendance]:
        """lock() for several (meeting id, user id) at once, in id order, the order
        every caller takes them in (no deadlock between two dispatchers), and read
        as they are once locked. Those rows only, not their meeting's and user's (as
        select_for_update() without `of` would, joining them for Meta.ordering): a
        submission would then want the meeting row the dispatcher holds a share lock
        on through a send, while the send waited for the submission's attendance
        row: a deadlock."""
        keys = sorted(keys)
        if not keys:
            return {}
        # SQL, not the ORM: the reminder dispatcher takes these for every batch, and
        # an OR of pairs is costly to compile.
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        pairs = ", ".join(["(%s, %s)"] * len(keys))
        query = (
            f"SELECT * FROM {cls._meta.db_table} WHERE (meeting_id, user_id) IN ({pairs}) "
            f"ORDER BY id{lock}"
        )
        rows = cls.objects.raw(query, [value for key in keys for value in key])
        return {(a.meeting_id, a.user_id): a for a in rows}


AGENDA_TITLE_MAX_LENGTH = 160


class AgendaItem(models.Model):
    """One line of a meeting's agenda. The insight round is always first and stays."""

    class Kind(models.TextChoices):
        ROUND = "round", "Fresh customer insights"
        ITEM = "item", "Item"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ITEM)
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=AGENDA_TITLE_MAX_LENGTH)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    minutes = models.PositiveSmallIntegerField(default=5)
    notes = models.TextField(blank=True, max_length=10_000)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(kind="round"), name="agenda_one_round_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_round(self) -> bool:
        return self.kind == self.Kind.ROUND


AGENDA_RUNS_OVER = (
    "The agenda runs {over} min over the meeting's {length} min: the insight round takes "
    "{round} min, the other items {items} min. Trim an item or make the meeting longer."
)


@dataclass(frozen=True)
class AgendaTime:
    """An agenda's minutes against its meeting's length. Running over is a warning,
    never an error: the facilitator may mean to, or trim on the day."""

    round: int
    items: int
    length: int

    @classmethod
    def of(cls, items: list[AgendaItem], length: int) -> AgendaTime:
        return cls(
            round=sum(item.minutes for item in items if item.is_round),
            items=sum(item.minutes for item in items if not item.is_round),
            length=length,
        )

    @property
    def planned(self) -> int:
        return self.round + self.items

    @property
    def over(self) -> int:
        return max(self.planned - self.length, 0)

    @property
    def warning(self) -> str:
        if not self.over:
            return ""
        return AGENDA_RUNS_OVER.format(
            over=self.over, length=self.length, round=self.round, items=self.items
        )


class TeamWebhook(models.Model):
    """A team's Slack or Microsoft Teams incoming webhook: before each meeting it
    gets the list of who is still missing. The URL is a secret: never shown back."""

    class Kind(models.TextChoices):
        SLACK = "slack", "Slack"
        TEAMS = "teams", "Microsoft Teams"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="webhooks")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    url = models.URLField(max_length=500)
    mention_names = models.BooleanField(
        default=False, help_text="Name who is missing. Off: only how many."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["team", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["team", "kind"], name="webhook_one_per_kind_per_team"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.team}"

    def clean(self) -> None:
        # Every ModelForm (the Django admin's) checks here; the team settings form and
        # the sender call the same rule.
        if self.url and self.kind:
            try:
                webhook_targets.check(self.kind, self.url)
            except ValidationError as error:
                raise ValidationError({"url": error}) from None

    @property
    def masked_url(self) -> str:
        """Enough to recognise it, never enough to use it: the host, the path's first
        word and the last four characters, https://hooks.slack.com/services/T…/…1234."""
        parts = urlsplit(self.url)
        host = f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname or ""
        head, _, rest = parts.path.lstrip("/").partition("/")
        if len(rest) < 20:  # too short to show any of it
            return f"{parts.scheme}://{host}/…"
        return f"{parts.scheme}://{host}/{head}/{rest[0]}…/…{self.url[-4:]}"
