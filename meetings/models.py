from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo

from dateutil import rrule
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone

from accounts.timezones import validate_time_zone


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

    class Meta:
        ordering = ["team", "title"]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return f"{self.title} ({self.team})"

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


def _count(qs: models.QuerySet) -> Coalesce:
    """COUNT of a meeting-correlated subquery; two plain Count()s would multiply."""
    counted = qs.order_by().values("meeting").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), 0)


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> MeetingQuerySet:
        if user.is_staff:
            return self
        return self.filter(team__memberships__user=user)

    def upcoming(self, now: dt.datetime | None = None) -> MeetingQuerySet:
        now = now or timezone.now()
        return self.exclude(status__in=[Meeting.Status.ENDED, Meeting.Status.CANCELLED]).filter(
            ends_at__gt=now
        )

    def with_round_counts(self, user=None) -> MeetingQuerySet:
        """Annotate each meeting with its insight round at a glance, in one query."""
        from insights.models import Insight

        expected = Attendance.objects.filter(meeting=OuterRef("pk")).exclude(
            status=Attendance.Status.EXCUSED
        )
        insights = Insight.objects.filter(meeting=OuterRef("pk"))
        qs = self.annotate(
            expected_count=_count(expected),
            submitted_count=_count(insights),
        )
        if user is not None:
            qs = qs.annotate(
                my_status=Subquery(
                    Attendance.objects.filter(meeting=OuterRef("pk"), user=user).values("status")[
                        :1
                    ]
                ),
                my_insight_id=Subquery(insights.filter(author=user).values("pk")[:1]),
            )
        return qs

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
    summary_sent_at = models.DateTimeField(null=True, blank=True)
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
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at

    def replan_reminders(self) -> None:
        """Plan reminders from the first stage again (idempotent: rows already there stay)."""
        offsets = self.team.reminder_offsets or [0]
        self.next_reminder_at = self.starts_at - dt.timedelta(minutes=max(offsets))

    def is_late_now(self, now: dt.datetime | None = None) -> bool:
        """Whether an insight saved now counts as late: the round has begun."""
        now = now or timezone.now()
        return self.started_at is not None and now >= self.started_at


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


class AgendaItem(models.Model):
    """One line of a meeting's agenda. The insight round is always first and stays."""

    class Kind(models.TextChoices):
        ROUND = "round", "Fresh customer insights"
        ITEM = "item", "Item"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ITEM)
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=160)
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


class ActionQuerySet(models.QuerySet):
    def open(self) -> ActionQuerySet:
        return self.filter(done_at__isnull=True)


class Action(models.Model):
    """A follow-up captured in a meeting, usually caused by one insight."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    insight = models.ForeignKey(
        "insights.Insight",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="actions"
    )
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["done_at", "due_on", "created_at"]

    def __str__(self) -> str:
        return self.title


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

    @property
    def masked_url(self) -> str:
        """Enough to recognise it, never enough to use it."""
        from urllib.parse import urlsplit

        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}/…{self.url[-4:]}"
