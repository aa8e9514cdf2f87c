from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting, Team


class Customer(models.Model):
    """A customer organisation a team hears from."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="customers")
    name = models.CharField(max_length=120)
    segment = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("team", Lower("name"), name="customer_name_ci_unique_per_team"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("insights:customer", args=[self.team.slug, self.pk])


class Tag(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=40)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("team", Lower("name"), name="tag_name_ci_unique_per_team"),
        ]

    def __str__(self) -> str:
        return self.name


class Insight(models.Model):
    """What one attendee brought to one meeting: a recent customer contact and its so-what."""

    class Channel(models.TextChoices):
        CALL = "call", "Call"
        VIDEO = "video", "Video call"
        VISIT = "visit", "Visit"
        TICKET = "ticket", "Support ticket"
        EMAIL = "email", "E-mail"
        EVENT = "event", "Event"
        SURVEY = "survey", "Survey"
        OTHER = "other", "Other"

    # team duplicates meeting.team so the library filters without a join.
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="insights")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="insights")
    # PROTECT: a removed member's insights stay, attributed to them.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="insights"
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="insights")
    contact = models.CharField("who you talked to", max_length=120, blank=True)
    conversation_date = models.DateField(help_text="In the author's own time zone.")
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.CALL)
    said = models.TextField("what the customer said or did", max_length=2000)
    so_what = models.TextField("what it means for us", max_length=2000)
    tags = models.ManyToManyField(Tag, blank=True, related_name="insights")
    is_late = models.BooleanField(default=False, help_text="Saved after the meeting started.")
    # The facilitator's pick: the insight of the meeting (at most one per meeting).
    is_starred = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "author"], name="insight_one_per_attendee"),
            models.UniqueConstraint(
                fields=["meeting"],
                condition=models.Q(is_starred=True),
                name="insight_one_star_per_meeting",
            ),
        ]
        indexes = [
            # The library: a team's insights, newest first.
            models.Index(fields=["team", "-submitted_at"], name="insight_team_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.customer} ({self.conversation_date})"

    def get_absolute_url(self) -> str:
        return reverse("insights:detail", args=[self.team.slug, self.pk])

    @property
    def freshness_days(self) -> int:
        """Days between the conversation and the meeting, on the team's calendar."""
        meeting_day = self.meeting.starts_at.astimezone(self.meeting.team.zone).date()
        return (meeting_day - self.conversation_date).days


class Reaction(models.Model):
    """A teammate's one-click response to an insight; one of each kind per person."""

    class Kind(models.TextChoices):
        USEFUL = "useful", "Useful"
        SURPRISING = "surprising", "Surprising"
        ACT = "act", "Act on this"

    insight = models.ForeignKey(Insight, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["insight", "user", "kind"], name="reaction_one_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} finds {self.insight} {self.get_kind_display().lower()}"


class Reminder(models.Model):
    """One reminder owed: the outbox row that makes delivery exactly-once in practice.

    PostgreSQL holds the schedule; Redis only triggers the sweep that works through
    these rows (see insights/reminders/dispatch.py)."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED_SUBMITTED = "skipped_submitted", "Skipped: insight already in"
        SKIPPED_EXCUSED = "skipped_excused", "Skipped: excused or away"
        SKIPPED_STARTED = "skipped_started", "Skipped: the meeting had started"
        SKIPPED_CANCELLED = "skipped_cancelled", "Skipped: meeting cancelled or attendee removed"
        SKIPPED_SUPERSEDED = "skipped_superseded", "Skipped: the meeting moved"
        SKIPPED_COALESCED = "skipped_coalesced", "Skipped: a later reminder was due at once"
        SKIPPED_MUTED = "skipped_muted", "Skipped: early reminders muted"
        SKIPPED_SNOOZED = "skipped_snoozed", "Skipped: snoozed"
        SKIPPED_QUIET = "skipped_quiet", "Skipped: quiet hours until the final reminder"
        SKIPPED_INACTIVE = "skipped_inactive", "Skipped: account deactivated"
        FAILED_PERMANENT = "failed_permanent", "Failed: refused"
        FAILED_MAX_ATTEMPTS = "failed_max_attempts", "Failed: gave up after retries"

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SLACK = "slack", "Slack"
        TEAMS = "teams", "Microsoft Teams"

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Reminder"
        SNOOZE = "snooze", "Snoozed reminder"
        DIGEST = "digest", "Who's ready (to the facilitator)"
        MISSING = "missing", "Who's missing (to the team channel)"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reminders")
    # The recipient; empty for a team channel's post.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REMINDER)
    # Minutes before the start this reminder belongs to (0 for the start digest).
    offset = models.PositiveIntegerField()
    is_final = models.BooleanField(default=False)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    schedule_version = models.PositiveIntegerField(default=1)
    due_at = models.DateTimeField()
    state = models.CharField(max_length=24, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    note = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user", "kind", "offset", "channel", "schedule_version"],
                condition=models.Q(user__isnull=False),
                name="reminder_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["meeting", "kind", "offset", "channel", "schedule_version"],
                condition=models.Q(user__isnull=True),
                name="reminder_once_per_team_channel",
            ),
        ]
        indexes = [
            # The dispatcher's claim of due work: pending rows by next attempt.
            # Partial, so it stays small however much history accumulates.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="reminder_pending_due",
            ),
            # Taking over rows whose worker died mid-send: sending rows by lease.
            models.Index(
                fields=["lease_until"],
                condition=models.Q(state="sending"),
                name="reminder_sending_lease",
            ),
            # The meeting page's reminder history.
            models.Index(fields=["meeting", "user"], name="reminder_meeting_user"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.offset}m for {self.user or self.channel} ({self.state})"

    @property
    def message_id(self) -> str:
        """Deterministic per row: a re-send after a crash is recognisably the same message."""
        return f"<reminder-{self.pk}@insightboard>"
