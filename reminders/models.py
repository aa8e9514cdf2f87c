"""The outbox: one row per message the product owes someone, whatever it is."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from meetings.models import Invitation, Meeting


class MessageQuerySet(models.QuerySet):
    def update(self, **fields) -> int:
        """Every change moves updated_at, as a save() would: auto_now only acts on
        save(), and the dispatcher, the planner and snooze change rows with update()."""
        fields.setdefault("updated_at", timezone.now())
        return super().update(**fields)


class Message(models.Model):
    """One message owed: a reminder, a snoozed reminder, the facilitator's digest, a
    team channel's post, a meeting summary, an invitation, a fresh insight link or a
    password reset. Every outgoing message is a row here, written in the transaction
    of the event that owes it; the dispatcher (dispatch.py) sends it with retries,
    so a mail outage delays a message and never turns a request into an error.

    PostgreSQL holds the schedule; Redis only triggers the sweep that works
    through these rows."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED_SUBMITTED = "skipped_submitted", "Skipped: insight already in"
        SKIPPED_EXCUSED = "skipped_excused", "Skipped: excused or away"
        SKIPPED_STARTED = "skipped_started", "Skipped: the meeting had started"
        SKIPPED_CANCELLED = "skipped_cancelled", "Skipped: no longer applies"
        SKIPPED_SUPERSEDED = "skipped_superseded", "Skipped: the meeting moved"
        SKIPPED_COALESCED = "skipped_coalesced", "Skipped: a later reminder was due at once"
        SKIPPED_MUTED = "skipped_muted", "Skipped: muted by the recipient"
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
        SUMMARY = "summary", "Meeting summary"
        INVITATION = "invitation", "Invitation"
        FRESH_LINK = "fresh_link", "Fresh insight link"
        PASSWORD_RESET = "password_reset", "Password reset"
        EARLY_WARNING = "early_warning", "Early warning (weekly)"

    # Kinds that nag before a meeting: never sent once it has started.
    BEFORE_START = (Kind.REMINDER, Kind.SNOOZE)
    # Kinds sent as the consequence of something a person did, as soon as possible.
    CONSEQUENCES = (
        Kind.SUMMARY, Kind.INVITATION, Kind.FRESH_LINK, Kind.PASSWORD_RESET, Kind.EARLY_WARNING
    )  # fmt: skip

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    # The recipient; empty for a team channel's post and an invitation.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.REMINDER)
    # The Monday of the week a weekly message is about (the early warning).
    week = models.DateField(null=True, blank=True)
    # Minutes before the start this reminder belongs to (0 for the start digest and
    # for messages that aren't tied to a meeting's start).
    offset = models.PositiveIntegerField(default=0)
    is_final = models.BooleanField(default=False)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    schedule_version = models.PositiveIntegerField(default=1)
    due_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=24, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    note = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        constraints = [
            # One of each reminder, digest and summary per person, meeting and schedule.
            models.UniqueConstraint(
                fields=["meeting", "user", "kind", "offset", "channel", "schedule_version"],
                condition=models.Q(kind__in=["reminder", "snooze", "digest", "summary"]),
                name="message_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["meeting", "kind", "offset", "channel", "schedule_version"],
                condition=models.Q(kind="missing"),
                name="message_once_per_team_channel",
            ),
            # No more than one early warning a week per person.
            models.UniqueConstraint(
                fields=["user", "kind", "week"],
                condition=models.Q(kind="early_warning"),
                name="message_weekly_once_per_person",
            ),
        ]
        indexes = [
            # The dispatcher's claim of due work: pending rows by next attempt.
            # Partial, so it stays small however much history accumulates.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="message_pending_due",
            ),
            # Taking over rows whose worker died mid-send: sending rows by lease.
            models.Index(
                fields=["lease_until"],
                condition=models.Q(state="sending"),
                name="message_sending_lease",
            ),
            # The meeting page's reminder history.
            models.Index(fields=["meeting", "user"], name="message_meeting_user"),
        ]

    def __str__(self) -> str:
        whom = self.user or (self.invitation.email if self.invitation_id else self.channel)
        return f"{self.get_kind_display()} {self.offset}m for {whom} ({self.state})"

    @property
    def message_id(self) -> str:
        """Deterministic per row: a re-send after a crash is recognisably the same message."""
        return f"<{self.kind}-{self.pk}@insightboard>"

    @property
    def is_before_start(self) -> bool:
        return self.kind in self.BEFORE_START
