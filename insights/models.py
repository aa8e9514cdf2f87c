from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting, Team

from . import freshness


class CustomerQuerySet(models.QuerySet):
    def named(self, name: str) -> Customer | None:
        """The customer called `name`, or once called it (an alias), whatever the case."""
        return (
            self.filter(models.Q(name__iexact=name) | models.Q(aliases__name__iexact=name))
            .distinct()
            .first()
        )

    def segments(self):
        """The segments in use, each once: the filters' and forms' suggestions."""
        return (
            self.exclude(segment="")
            .order_by("segment")
            .values_list("segment", flat=True)
            .distinct()
        )


class Customer(models.Model):
    """A customer organisation, one for the whole organisation: when Sales and Product
    both hear from Acme, they hear from one customer, with both teams' insights."""

    class Tier(models.TextChoices):
        KEY = "key", "Key account"
        STANDARD = "standard", "Standard"

    name = models.CharField(max_length=120)
    segment = models.CharField(max_length=60, blank=True)
    # How much hearing from them matters: key accounts lead the "who are we not
    # hearing" list, and the maturity ladder's last step asks that they are heard.
    tier = models.CharField(max_length=10, choices=Tier.choices, default=Tier.STANDARD)
    # The latest conversation anyone recorded with them (their insights'
    # conversation_date), kept by insights.customers.refresh_last_heard.
    last_heard_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="customer_name_ci_unique"),
        ]
        indexes = [
            # "Who are we not hearing": key accounts first, the longest unheard first.
            models.Index(fields=["tier", "last_heard_on"], name="customer_tier_last_heard"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("insights:customer", args=[self.pk])

    @property
    def is_key(self) -> bool:
        return self.tier == self.Tier.KEY


class CustomerAlias(models.Model):
    """A name a customer was known by (a typo merged away, a former name): typing it
    again in the insight form finds the customer instead of making a new one."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=120)
    # The id of the customer merged away under this name: its old page and links
    # lead to the customer it became.
    former_id = models.PositiveBigIntegerField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "customer aliases"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="customer_alias_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Sharing(models.Model):
    """What a member reads of other teams' insights: the organisation admins' one
    setting (a single row). Team management, meetings and rounds never cross teams."""

    class Scope(models.TextChoices):
        INSIGHTS = "insights", "Their insights in full, on customer pages and in the library"
        COUNTS = "counts", "Only how many insights, and when"

    other_teams = models.CharField(max_length=10, choices=Scope.choices, default=Scope.INSIGHTS)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "sharing"
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="sharing_single_row")]

    def __str__(self) -> str:
        return self.get_other_teams_display()

    @classmethod
    def current(cls) -> Sharing:
        """The setting; the default until an organisation admin first saves it (a
        page that reads it never writes)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @property
    def shares_insights(self) -> bool:
        return self.other_teams == self.Scope.INSIGHTS


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
    # Decided once, when the insight is first saved (Meeting.is_late); editing keeps it.
    is_late = models.BooleanField(default=False, help_text="First saved after the meeting began.")
    # The facilitator's pick: the insight of the meeting (at most one per meeting).
    is_starred = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # The library's full-text document (said, so what, contact), kept by a PostgreSQL
    # trigger (migration 0009) so a search never re-parses a row; empty on SQLite,
    # whose search is word by word (insights/search.py).
    document = SearchVectorField(null=True, editable=False)

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
            # The library: a team's insights, newest conversation first (search.NEWEST).
            models.Index(
                fields=["team", "-conversation_date", "-submitted_at"], name="insight_team_heard"
            ),
            # The library across teams (the organisation shares insights), newest
            # conversation first, and the newest matches of a search (insights/search.py).
            models.Index(fields=["-conversation_date", "-submitted_at"], name="insight_heard"),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.customer} ({self.conversation_date})"

    def get_absolute_url(self) -> str:
        return reverse("insights:detail", args=[self.team.slug, self.pk])

    @property
    def freshness_days(self) -> int:
        """Days between the conversation and the meeting, on the team's calendar."""
        return (freshness.meeting_day(self.meeting) - self.conversation_date).days

    @property
    def heard(self) -> str:
        """When the conversation was, in words, on the team's calendar: "heard yesterday"."""
        today = timezone.localdate(timezone=self.meeting.team.zone)
        return freshness.heard_in_words(self.conversation_date, self.meeting, today)


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


class ActionQuerySet(models.QuerySet):
    def open(self) -> ActionQuerySet:
        return self.filter(done_at__isnull=True)

    def following(self, meeting: Meeting) -> ActionQuerySet:
        """Open actions from earlier meetings of the series: they follow it until done."""
        if meeting.series_id is None:
            return self.none()
        return self.open().filter(
            meeting__series_id=meeting.series_id, meeting__starts_at__lt=meeting.starts_at
        )


class Action(models.Model):
    """A follow-up captured in a meeting, usually caused by one insight."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    insight = models.ForeignKey(
        Insight, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
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


class RoundResult(models.Model):
    """How one meeting's round ended, written once when the meeting ends (by hand or
    by the closing sweep): the dashboards' figures are plain aggregates over these
    rows, whatever the number of meetings (insights/participation.py)."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="result")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="round_results")
    # The meeting's day and the Monday of its week, on the team's calendar.
    local_date = models.DateField()
    week = models.DateField()
    expected = models.PositiveIntegerField()
    on_time = models.PositiveIntegerField()
    late = models.PositiveIntegerField()
    missing = models.PositiveIntegerField()
    excused = models.PositiveIntegerField()
    from_excused = models.PositiveIntegerField()
    # The ritual was kept: someone was expected and every one of them brought a fresh
    # insight before the start.
    kept = models.BooleanField()

    class Meta:
        ordering = ["-local_date"]
        indexes = [
            # Team and organisation dashboards: a period of every team's meetings.
            models.Index(fields=["local_date", "team"], name="result_day_team"),
            # A team's weekly trend.
            models.Index(fields=["team", "week"], name="result_team_week"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.on_time + self.late} of {self.expected}"


class SeatResult(models.Model):
    """How one attendee's part of one round ended (see RoundResult)."""

    class Outcome(models.TextChoices):
        ON_TIME = "on_time", "On time"
        LATE = "late", "Late"
        MISSING = "missing", "Missing"
        EXCUSED = "excused", "Excused"

    class Nudge(models.TextChoices):
        """When the insight came, compared with the reminders this person got."""

        NONE = "", "No insight"
        BEFORE_ANY = "before_any", "Before any reminder"
        WITHIN_2H = "within_2h", "Within two hours after a reminder"
        LATER = "later", "Later than two hours after a reminder"

    result = models.ForeignKey(RoundResult, on_delete=models.CASCADE, related_name="seats")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seat_results"
    )
    local_date = models.DateField()
    week = models.DateField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    insight = models.ForeignKey(
        Insight, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=20, blank=True)
    # Days between the customer conversation and the meeting, on the team's calendar.
    freshness_days = models.IntegerField(null=True, blank=True)
    nudge = models.CharField(max_length=12, choices=Nudge.choices, blank=True)

    class Meta:
        ordering = ["local_date"]
        constraints = [
            models.UniqueConstraint(fields=["result", "user"], name="seat_result_one_per_person"),
        ]
        indexes = [
            # Per-person figures and streaks within a team, in meeting order.
            models.Index(fields=["team", "user", "local_date"], name="seat_team_user_day"),
            # My record: my streak across my teams.
            models.Index(fields=["user", "local_date"], name="seat_user_day"),
            # Period figures per team (freshness, customers, channels, reminders).
            models.Index(fields=["local_date", "team"], name="seat_day_team"),
            # Who heard a customer, and when: the ladder's key accounts (stages),
            # index-only.
            models.Index(
                fields=["customer", "local_date", "team"],
                condition=models.Q(insight__isnull=False),
                name="seat_customer_day_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.result.meeting}: {self.get_outcome_display()}"
