from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from .timezones import validate_time_zone


def calendar_token() -> str:
    return secrets.token_urlsafe(32)


def normalize_address(address: str | None) -> str:
    """An e-mail address as stored and looked up: no surrounding spaces, case-folded.
    Everything that names a person by address (login, lockouts, resets, fresh links)
    goes through here, so no spelling of it is a different person."""
    return (address or "").strip().casefold()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalize_address(username))

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=normalize_address(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: logs in with an e-mail address, sees times in their own zone."""

    # Stored lower-cased (see save), so unique also means unique ignoring case.
    email = models.EmailField("e-mail address", max_length=254, unique=True)
    name = models.CharField("display name", max_length=120)
    time_zone = models.CharField(
        max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "organisation admin",
        default=False,
        help_text="Sees and manages every team, the organisation dashboards and the admin.",
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # Notification preferences. The final reminder before a meeting can't be muted.
    mute_early_reminders = models.BooleanField(
        "mute early reminders",
        default=False,
        help_text="Only the last reminder before each meeting reaches you.",
    )
    # The secret in the person's private calendar feed URL; replacing it revokes the old URL.
    calendar_token = models.CharField(max_length=64, unique=True, default=calendar_token)
    meeting_summaries = models.BooleanField(
        "meeting summaries by e-mail",
        default=True,
        help_text="After each meeting: the insights, who presented, the actions.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_address(self.email)

    def save(self, *args, **kwargs) -> None:
        self.email = normalize_address(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


AWAY_ENDS_BEFORE_START = "The last day can't be before the first day."
# What an attendance excused by an away period says. Every attendee reads it (the
# meeting's page, its summary e-mail), so the note stays out: Away.note_for decides
# who reads that.
AWAY_EXCUSE = "Away"


class AwayQuerySet(models.QuerySet):
    def current_or_future(self, today: dt.date) -> AwayQuerySet:
        return self.filter(ends_on__gte=today)

    def for_team(self, team_id: int) -> AwayQuerySet:
        """The periods that count for the team's meetings (the team part of Away.covers,
        in SQL): the person's own, and those this team set."""
        return self.filter(models.Q(team__isnull=True) | models.Q(team_id=team_id))


class Away(models.Model):
    """A person is away (holiday, leave, travel) from one date to another, inclusive,
    on their own calendar. Meetings in that range excuse them automatically: all of
    theirs, or only the team's when a team's facilitator marked them away."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="away_periods")
    # Set when a team's facilitator or admin marks the person away: they speak for
    # their own team's meetings only, not for the other teams the person is in. The
    # person's own period (no team) covers every meeting they have.
    team = models.ForeignKey(
        "meetings.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="away_periods",
        help_text="Only this team's meetings; empty for every meeting the person has.",
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    note = models.CharField(max_length=120, blank=True)
    # A note the person writes is theirs alone unless they tick this; one a team's
    # facilitator writes is read by that team's facilitators and admins (note_for).
    share_note = models.BooleanField("show the note to my teams' facilitators", default=False)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AwayQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on"]
        verbose_name = "away period"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="away_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} away {self.starts_on}–{self.ends_on}"

    def covers(self, moment: dt.datetime, *, team_id: int) -> bool:
        """Whether it excuses the person from a meeting of the team starting then: the
        period is their own or that team's, and the meeting's day on the person's own
        calendar is in it. AwayQuerySet.for_team is the team part in SQL."""
        if self.team_id not in (None, team_id):
            return False
        day = moment.astimezone(self.user.zone).date()
        return self.starts_on <= day <= self.ends_on

    def note_for(self, viewer: User, *, team_id: int) -> str:
        """The note as the viewer may read it on a team's pages about the person (only
        the team's facilitators and admins open those): the person always reads
        theirs; the team reads the notes it wrote, and the person's own only when they
        chose to share it. Another team's periods are not shown there at all."""
        if viewer.pk == self.user_id or self.team_id == team_id:
            return self.note
        return self.note if self.team_id is None and self.share_note else ""


def away_for(user: User, starts_at: dt.datetime, *, team_id: int) -> Away | None:
    """The one answer to "is this person away for the team's meeting starting then?":
    the away period that covers it (Away.covers), if any. Reads user.away_periods, so
    a caller asking for many people prefetches them once."""
    return next((a for a in user.away_periods.all() if a.covers(starts_at, team_id=team_id)), None)
