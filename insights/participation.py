"""Participation figures: is the ritual alive, where is it dying, who keeps it?

Herrero's test is the yardstick: is every person bringing a fresh customer insight to
every meeting? Each figure is defined once here, with the words the dashboards show
(DEFINITIONS), and computed by the database from the results written when each meeting
ended (RoundResult, SeatResult: insights/services.py record_round), so a page costs the
same few queries whatever the number of teams, people and meetings.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, Exists, F, Max, Q, QuerySet, Subquery, Sum, Value, When

from meetings.models import Attendance, Meeting, Team

from .models import Action, Customer, Insight, RoundResult, SeatResult
from .round import EXPECTED

Outcome = SeatResult.Outcome
Nudge = SeatResult.Nudge

DEFINITIONS = {
    "meetings": "Meetings held in the period: ended by hand or closed by themselves. "
    "Skipped meetings don't count.",
    "ritual_kept": "Of the meetings held with at least one person expected, the share in which "
    "every expected (not excused) attendee brought a fresh insight before the start.",
    # One name for the count and one for the rate, on every page and CSV.
    "brought": "Brought an insight: expected (not excused) attendees who brought one, on time "
    "or late. An excused person's insight counts apart.",
    "submission_rate": "Submission rate: brought an insight, over the expected attendee-meetings.",
    "on_time_rate": "On-time rate: insights brought before the start, over the expected "
    "attendee-meetings.",
    "late_rate": "Late rate: insights first saved at or after the start, over the expected "
    "attendee-meetings.",
    "freshness": "Median days between the customer conversation and the meeting, on the "
    "team's calendar.",
    "customers": "Distinct customers the period's insights were about.",
    "channels": "How the period's insights were heard: the share of each channel.",
    "reminders_sent": "Reminders that went out before the period's meetings (snoozed ones "
    "included).",
    "nudged": "Of the period's insights, the share that came within two hours after a "
    "reminder, and the share that came before any reminder.",
    "streak": "Meetings in a row at which the person brought an insight (on time or late). "
    "An excused or away meeting neither breaks nor extends it; a missed one ends it. My "
    "record counts the insights already brought to meetings still to come; a team's "
    "dashboard counts the meetings held.",
    "week": "A meeting's week is the Monday-to-Sunday week on its team's calendar. Periods "
    "of 4, 12 or 52 weeks are whole weeks, this one included.",
    "stage": "A team's step (0 to 5) on the ladder of the ritual, over the last 12 weeks: "
    "meetings held or scheduled; most people bring an insight; the ritual kept 8 weeks "
    "running; insights lead to actions that get done; every key account heard. The team page "
    "shows each step. On the organisation's page a closed action or a new key account shows "
    "within 10 minutes.",
    "heard": "A customer is heard in the period when an insight about them was brought to a "
    "meeting held in the period (by anyone, excused or not).",
    "last_heard": "The latest conversation anyone recorded with the customer, in any team.",
    "unheard": "Customers with no conversation recorded since the period began: key accounts "
    "first, then the longest unheard.",
    "warning": "A team is flagged when, over its last four meetings with someone expected (in "
    "the last 12 weeks), the "
    "ritual was kept in fewer than {below} of them, or {drop} points or more under its own "
    "12-week average. Its admins and the organisation admins get one e-mail a week about it.",
}
RECENT_MEETINGS = 4


def definitions() -> dict[str, str]:
    """DEFINITIONS with the early warning's thresholds (settings) filled in."""
    warning = DEFINITIONS["warning"].format(
        below=f"{settings.EARLY_WARNING_BELOW * 100:.0f} %",
        drop=f"{settings.EARLY_WARNING_DROP * 100:.0f}",
    )
    return {**DEFINITIONS, "warning": warning}


PERIOD_CHOICES = {"4w": 4, "12w": 12, "52w": 52}


@dataclass(frozen=True)
class Period:
    """Inclusive dates, compared with each meeting's day on its team's calendar."""

    start: dt.date
    end: dt.date

    @classmethod
    def last_weeks(cls, weeks: int, today: dt.date) -> Period:
        """Whole weeks, this one included: from the Monday `weeks - 1` weeks ago, so a
        weekly trend never starts with a partial week."""
        monday = today - dt.timedelta(days=today.weekday())
        return cls(start=monday - dt.timedelta(weeks=weeks - 1), end=today)

    def filter(self) -> Q:
        return Q(local_date__gte=self.start, local_date__lte=self.end)


def _share(part: int, whole: int) -> float | None:
    """A share in [0, 1], or None when there is nothing to count (shown as a dash)."""
    return part / whole if whole else None


def median(histogram: Counter) -> float | None:
    """The median of values given as {value: how many}: the database counts, this
    only walks the (at most a few hundred) distinct values."""
    total = sum(histogram.values())
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    found, seen = [], 0
    for value in sorted(histogram):
        seen += histogram[value]
        while middle and middle[0] < seen:
            middle.pop(0)
            found.append(value)
    return sum(found) / len(found)


class Rates:
    """The rates over expected attendee-meetings (DEFINITIONS), written once for
    whatever counts `expected`, `on_time` and `late`: a team's figures, a person's."""

    @property
    def brought(self) -> int:
        return self.on_time + self.late

    @property
    def submission_rate(self) -> float | None:
        return _share(self.brought, self.expected)

    @property
    def on_time_rate(self) -> float | None:
        return _share(self.on_time, self.expected)

    @property
    def late_rate(self) -> float | None:
        return _share(self.late, self.expected)


@dataclass
class Figures(Rates):
    """One team's (or the organisation's) figures for a period."""

    meetings: int = 0
    countable: int = 0  # meetings held with someone expected
    kept: int = 0
    expected: int = 0
    on_time: int = 0
    late: int = 0
    insights: int = 0
    customers: int = 0
    within_2h: int = 0
    before_any: int = 0
    reminders_sent: int = 0
    channels: Counter = field(default_factory=Counter)
    freshness_counts: Counter = field(default_factory=Counter)

    @property
    def ritual_kept(self) -> float | None:
        return _share(self.kept, self.countable)

    @property
    def freshness(self) -> float | None:
        return median(self.freshness_counts)

    @property
    def within_2h_share(self) -> float | None:
        return _share(self.within_2h, self.insights)

    @property
    def before_any_share(self) -> float | None:
        return _share(self.before_any, self.insights)

    @property
    def channel_shares(self) -> list[tuple[str, float]]:
        total = sum(self.channels.values())
        return [(c, n / total) for c, n in self.channels.most_common()] if total else []

    def add(self, other: Figures) -> None:
        for name in ("meetings", "countable", "kept", "expected", "on_time", "late",
                     "insights", "within_2h", "before_any", "reminders_sent"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.channels.update(other.channels)
        self.freshness_counts.update(other.freshness_counts)


def _round_counts():
    return {
        "meetings": Count("pk"),
        "countable": Count("pk", filter=Q(expected__gt=0)),
        "kept": Count("pk", filter=Q(kept=True)),
        "expected_sum": Sum("expected"),
        "on_time_sum": Sum("on_time"),
        "late_sum": Sum("late"),
    }


def round_figures(period: Period, team_ids: list[int]) -> dict[int, Figures]:
    """Each team's meetings, ritual kept and rates for the period (the figures a round
    result holds; the rest stay zero), in one grouped query."""
    figures = {team_id: Figures() for team_id in team_ids}
    results = RoundResult.objects.filter(period.filter(), team_id__in=team_ids)
    for row in results.values("team_id").annotate(**_round_counts()).order_by():
        f = figures[row["team_id"]]
        f.meetings, f.countable, f.kept = row["meetings"], row["countable"], row["kept"]
        f.expected, f.on_time, f.late = row["expected_sum"], row["on_time_sum"], row["late_sum"]
    return figures


def team_figures(period: Period, team_ids: list[int]) -> dict[int, Figures]:
    """Each team's figures for the period, in four grouped queries whatever the size."""
    figures = round_figures(period, team_ids)
    with_insight = SeatResult.objects.filter(
        period.filter(), team_id__in=team_ids, insight__isnull=False
    )
    for row in (
        with_insight.values("team_id")
        .annotate(
            insights=Count("pk"),
            customers=Count("customer", distinct=True),
            within_2h=Count("pk", filter=Q(nudge=Nudge.WITHIN_2H)),
            before_any=Count("pk", filter=Q(nudge=Nudge.BEFORE_ANY)),
        )
        .order_by()
    ):
        f = figures[row["team_id"]]
        f.insights, f.customers = row["insights"], row["customers"]
        f.within_2h, f.before_any = row["within_2h"], row["before_any"]
    for team_id, channel, n in (
        with_insight.values_list("team_id", "channel").annotate(n=Count("pk")).order_by()
    ):
        figures[team_id].channels[channel] = n
    for team_id, days, n in (
        with_insight.values_list("team_id", "freshness_days").annotate(n=Count("pk")).order_by()
    ):
        figures[team_id].freshness_counts[days] = n
    return figures


def total(figures: dict[int, Figures], customers: int) -> Figures:
    """The organisation's row: the teams' counts added up. Customers heard by two teams
    are one customer, so their distinct count comes from the database."""
    whole = Figures()
    for f in figures.values():
        whole.add(f)
    whole.customers = customers
    return whole


def customers_heard(period: Period, team_ids: list[int]) -> int:
    return (
        SeatResult.objects.filter(period.filter(), team_id__in=team_ids, insight__isnull=False)
        .values("customer")
        .distinct()
        .count()
    )


@dataclass(frozen=True)
class Week:
    week: dt.date
    ritual_kept: float | None
    submission_rate: float | None


def weekly_trend(period: Period, team_ids: list[int]) -> list[Week]:
    """Ritual kept and submission rate per week (team calendar weeks), one query."""
    rows = (
        RoundResult.objects.filter(period.filter(), team_id__in=team_ids)
        .values("week")
        .annotate(**_round_counts())
        .order_by("week")
    )
    return [
        Week(
            week=r["week"],
            ritual_kept=_share(r["kept"], r["countable"]),
            submission_rate=_share(r["on_time_sum"] + r["late_sum"], r["expected_sum"]),
        )
        for r in rows
    ]


def results_version() -> str:
    """Names the current state of the round results, for caching what is computed from
    them: record_round replaces a meeting's rows with new ones (new ids) and
    record_nudges completes them in the same transaction, so the newest ids change
    whenever results are written; a new or deleted team changes the teams' count or
    newest id. (Deleting an older meeting's results doesn't change them: a cache keyed
    on this must also expire.) One query on primary keys."""
    rounds, seats = RoundResult._meta.db_table, SeatResult._meta.db_table
    teams = Team._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {rounds}), (SELECT MAX(id) FROM {seats}), "
            f"(SELECT COUNT(*) FROM {teams}), (SELECT MAX(id) FROM {teams})"
        )
        return ".".join(str(v) for v in cursor.fetchone())


@dataclass
class Streak:
    current: int = 0
    longest: int = 0


_STREAKS_SQL = """
WITH seq AS (
    SELECT user_id, outcome,
           SUM(CASE WHEN outcome = %s THEN 1 ELSE 0 END) OVER (
               PARTITION BY user_id ORDER BY local_date, result_id
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run
    FROM {table}
    WHERE outcome <> %s AND {where}
),
runs AS (
    SELECT user_id, run, SUM(CASE WHEN outcome = %s THEN 0 ELSE 1 END) AS length
    FROM seq GROUP BY user_id, run
),
last_run AS (SELECT user_id, MAX(run) AS run FROM seq GROUP BY user_id)
SELECT runs.user_id, MAX(runs.length),
       MAX(CASE WHEN runs.run = last_run.run THEN runs.length ELSE 0 END)
FROM runs JOIN last_run ON last_run.user_id = runs.user_id
GROUP BY runs.user_id
"""


def streaks(*, team_id: int | None = None, user_id: int | None = None) -> dict[int, Streak]:
    """Current and longest streak per person (see DEFINITIONS["streak"]), within one
    team or across all of a person's teams, in one query: a missed meeting starts a
    new run (a window function numbers the runs), excused meetings are left out."""
    where, params = [], []
    if team_id is not None:
        where.append("team_id = %s")
        params.append(team_id)
    if user_id is not None:
        where.append("user_id = %s")
        params.append(user_id)
    sql = _STREAKS_SQL.format(table=SeatResult._meta.db_table, where=" AND ".join(where) or "1 = 1")
    with connection.cursor() as cursor:
        cursor.execute(sql, [Outcome.MISSING, Outcome.EXCUSED, *params, Outcome.MISSING])
        return {uid: Streak(current=current, longest=longest)
                for uid, longest, current in cursor.fetchall()}  # fmt: skip


@dataclass
class PersonFigures(Rates):
    user_id: int
    expected: int
    on_time: int
    late: int
    last_insight: dt.date | None
    customers: int
    streak: Streak


def people_figures(period: Period, team_id: int) -> list[PersonFigures]:
    """Per person in a team: rates for the period, last insight, customers covered,
    and streaks (over all the team's meetings). Two queries."""
    rows = (
        SeatResult.objects.filter(period.filter(), team_id=team_id)
        .values("user_id")
        .annotate(
            expected=Count("pk", filter=~Q(outcome=Outcome.EXCUSED)),
            on_time=Count("pk", filter=Q(outcome=Outcome.ON_TIME)),
            late=Count("pk", filter=Q(outcome=Outcome.LATE)),
            last_insight=Max("local_date", filter=Q(insight__isnull=False)),
            customers=Count("customer", distinct=True),
        )
        .order_by()
    )
    runs = streaks(team_id=team_id)
    return [PersonFigures(streak=runs.get(r["user_id"], Streak()), **r) for r in rows]


def grid(team_id: int, period: Period, *, meetings: int = 12) -> tuple[list[RoundResult], dict]:
    """The team's last meetings in the period (newest first) and each person's outcome
    at each: {(user_id, result_id): outcome}. Two queries."""
    results = list(
        RoundResult.objects.filter(period.filter(), team_id=team_id)
        .select_related("meeting__team")
        .order_by("-local_date", "-pk")[:meetings]
    )
    cells = dict(
        ((user_id, result_id), outcome)
        for user_id, result_id, outcome in SeatResult.objects.filter(
            result__in=results
        ).values_list("user_id", "result_id", "outcome")
    )
    return results, cells


def seats_of(user_id: int) -> QuerySet:
    """One person's part in every meeting that ended, newest first (my record)."""
    return (
        SeatResult.objects.filter(user_id=user_id)
        .select_related("result__meeting__team", "customer")
        .order_by("-local_date", "-pk")
    )


MILESTONES = (5, 10, 25, 50, 100)


def streak_so_far(user) -> Streak:
    """This person's streak across their teams, counting the insights they already
    brought to meetings that haven't ended: my record and the saved-insight
    celebration say the same number. Two queries.

    The meetings that ended give the streak (streaks()); insights to meetings not ended
    yet extend it when they come after the last missed meeting (in meeting order, as
    they will once those meetings end); an excused one neither breaks nor extends it."""
    ended = streaks(user_id=user.pk).get(user.pk, Streak())
    last_missed = (
        SeatResult.objects.filter(user=user, outcome=Outcome.MISSING)
        .order_by("-result__meeting__starts_at")
        .values("result__meeting__starts_at")[:1]
    )
    ahead = Attendance.objects.filter(
        EXPECTED,
        ~Exists(last_missed) | Q(meeting__starts_at__gt=Subquery(last_missed)),
        user=user,
        meeting__status__in=Meeting.OPEN,
        meeting__insights__author=user,
    ).count()
    current = ended.current + ahead
    return Streak(current=current, longest=max(ended.longest, current))


def milestone_reached(user) -> int | None:
    """The streak milestone this person reaches with the insight they just saved, if it
    is one: reinforcement, never shame, so nothing is said otherwise."""
    reached = streak_so_far(user).current
    return reached if reached in MILESTONES else None


@dataclass(frozen=True)
class Warning:
    """A team whose ritual is decaying, and why."""

    team_id: int
    recent: float  # ritual kept over its last meetings
    recent_meetings: int
    average: float | None  # ritual kept over 12 weeks

    @property
    def reason(self) -> str:
        said = f"ritual kept in {round(self.recent * 100)} % of its last {self.recent_meetings} meetings"
        if self.average is not None and self.average > self.recent:
            said += f", down from {round(self.average * 100)} % over 12 weeks"
        return said


_RECENT_SQL = """
SELECT team_id, COUNT(*), SUM(CASE WHEN kept THEN 1 ELSE 0 END)
FROM (
    SELECT team_id, kept,
           ROW_NUMBER() OVER (PARTITION BY team_id ORDER BY local_date DESC, id DESC) AS n
    FROM {table}
    WHERE expected > 0 AND local_date > %s AND local_date <= %s AND {teams}
) AS recent
WHERE n <= %s
GROUP BY team_id
"""


def decaying(team_ids: list[int], today: dt.date) -> dict[int, Warning]:
    """Teams whose ritual is decaying (DEFINITIONS["warning"]): over their last
    RECENT_MEETINGS meetings with someone expected, ritual kept below the threshold,
    or well under their own 12-week average. Two queries whatever the number of teams."""
    if not team_ids:
        return {}
    below = settings.EARLY_WARNING_BELOW
    drop = settings.EARLY_WARNING_DROP
    placeholders = ", ".join(["%s"] * len(team_ids))
    sql = _RECENT_SQL.format(table=RoundResult._meta.db_table, teams=f"team_id IN ({placeholders})")
    with connection.cursor() as cursor:
        # Only meetings of the last 12 weeks: a team that hasn't met since isn't slipping,
        # it stopped (and the scan stays small however long the history).
        since = today - dt.timedelta(weeks=12)
        cursor.execute(sql, [since, today, *team_ids, RECENT_MEETINGS])
        recent = {team_id: (count, kept) for team_id, count, kept in cursor.fetchall()}
    averages = {
        row["team_id"]: _share(row["kept"], row["countable"])
        for row in RoundResult.objects.filter(
            Period.last_weeks(12, today).filter(), team_id__in=list(recent)
        )
        .values("team_id")
        .annotate(**_round_counts())
        .order_by()
    }
    warnings = {}
    for team_id, (count, kept) in recent.items():
        if count < 2:
            continue  # too few meetings to call a trend
        rate, average = kept / count, averages.get(team_id)
        if rate < below or (average is not None and average - rate >= drop):
            warnings[team_id] = Warning(team_id, rate, count, average)
    return warnings


# The maturity ladder of the ritual: each step, and the next small step to take.
LADDER = [
    ("Meetings are scheduled",
     "Schedule a regular meeting that opens with the insight round."),
    ("Most people bring an insight",
     "Get most people bringing one: remind early, and celebrate streaks in the meeting."),
    ("The ritual is kept 8 weeks running",
     "Make every meeting's round complete, every week, for eight weeks in a row."),
    ("Insights lead to actions that get done",
     "Turn insights into follow-up actions in the meeting, and close them."),
    ("The key accounts are all being heard",
     "Hear from your key accounts, and from each of them again every quarter."),
]  # fmt: skip
LADDER_DEFINITIONS = [
    "At least one meeting held in the last 12 weeks, or one scheduled to come.",
    "A submission rate of 60 % or more over the last 12 weeks.",
    "In each of the last 8 weeks, at least one meeting held, and the ritual kept in all of them.",
    "At least 3 actions caused by insights in the last 12 weeks, and at least half of them done.",
    "Every key account the team heard from in the last 52 weeks (at least one) heard again "
    "in the last 12 weeks.",
]
MOST_BRING = 0.6
RUNNING_WEEKS = 8


@dataclass(frozen=True)
class Stage:
    """How far up the ladder a team is (0 to 5), and which steps it stands on."""

    reached: int
    steps: list[bool]

    @property
    def next_step(self) -> str | None:
        return LADDER[self.reached][1] if self.reached < len(LADDER) else None


def stages(team_ids: list[int], today: dt.date) -> dict[int, Stage]:
    """Each team's step on the ladder (LADDER_DEFINITIONS), in five grouped queries
    whatever the number of teams."""
    twelve = Period.last_weeks(12, today)
    # A team that just started has nothing held yet, but its meetings are scheduled.
    upcoming = set(
        Meeting.objects.filter(team_id__in=team_ids)
        .upcoming()
        .values_list("team_id", flat=True)
        .order_by()
        .distinct()
    )
    held = {
        r["team_id"]: r
        for r in RoundResult.objects.filter(twelve.filter(), team_id__in=team_ids)
        .values("team_id")
        .annotate(**_round_counts())
        .order_by()
    }
    monday = today - dt.timedelta(days=today.weekday())
    first_week = monday - dt.timedelta(weeks=RUNNING_WEEKS)
    weeks: dict[int, list[bool]] = {t: [] for t in team_ids}
    for team_id, _week, kept, meetings in (
        RoundResult.objects.filter(
            team_id__in=team_ids, week__gte=first_week, week__lt=monday, expected__gt=0
        )
        .values_list("team_id", "week")
        .annotate(kept=Count("pk", filter=Q(kept=True)), meetings=Count("pk"))
        .order_by()
    ):
        weeks[team_id].append(kept == meetings)  # kept in every meeting held that week
    actions = {
        r["meeting__team_id"]: r
        for r in Action.objects.filter(
            meeting__team_id__in=team_ids,
            insight__isnull=False,
            meeting__result__local_date__gte=twelve.start,
        )
        .values("meeting__team_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False)))
        .order_by()
    }
    # Customers are the organisation's: a team's key accounts are those it heard from
    # in the last year; each must be heard again in the last 12 weeks.
    year_ago = today - dt.timedelta(weeks=52)
    keys = {team_id: [0, 0] for team_id in team_ids}
    for team_id, last in (
        SeatResult.objects.filter(
            customer__in=Customer.objects.filter(tier=Customer.Tier.KEY),
            insight__isnull=False, local_date__gt=year_ago, local_date__lte=today,
            team_id__in=team_ids,
        )
        .values_list("team_id", "customer_id")
        .annotate(last=Max("local_date"))
        .values_list("team_id", "last")
        .order_by()
    ):  # fmt: skip
        keys[team_id][0] += 1
        keys[team_id][1] += last >= twelve.start
    result = {}
    for team_id in team_ids:
        counted = held.get(team_id)
        submitted = (
            _share(counted["on_time_sum"] + counted["late_sum"], counted["expected_sum"])
            if counted
            else None
        )
        acted = actions.get(team_id, {"total": 0, "done": 0})
        key, key_heard = keys[team_id]
        steps = [
            counted is not None or team_id in upcoming,
            (submitted or 0) >= MOST_BRING,
            len(weeks[team_id]) == RUNNING_WEEKS and all(weeks[team_id]),
            acted["total"] >= 3 and acted["done"] * 2 >= acted["total"],
            key > 0 and key_heard == key,
        ]
        reached = next((i for i, ok in enumerate(steps) if not ok), len(steps))
        result[team_id] = Stage(reached=reached, steps=steps)
    return result


def heard_by_team(period: Period) -> list[tuple[int, int, int]]:
    """(customer, team, insights) for every customer heard in the period (DEFINITIONS
    ["heard"]): one grouped query on the round results, which coverage() reads. Only
    ids and counts, so it can be kept while the results don't change (names, segments
    and tiers are read fresh)."""
    return list(
        SeatResult.objects.filter(period.filter(), insight__isnull=False)
        .values_list("customer_id", "team_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


@dataclass
class SegmentCoverage:
    segment: str
    customers: int  # in the organisation's list
    heard: int = 0
    insights: int = 0
    teams: set = field(default_factory=set)

    @property
    def heard_share(self) -> float | None:
        return _share(self.heard, self.customers)


@dataclass
class HeardCustomer:
    customer_id: int
    insights: int
    teams: dict[int, int]  # team id -> insights


@dataclass
class Coverage:
    """Who was heard in the period, by which teams, per segment and key accounts."""

    customers: list[HeardCustomer]  # most insights first
    segments: list[SegmentCoverage]
    key_heard: int
    key_total: int


def coverage(heard: list[tuple[int, int, int]]) -> Coverage:
    """Coverage from heard_by_team()'s rows and the customer list as it is now, in
    two small queries (every customer's segment and tier: one row each)."""
    by_customer: dict[int, HeardCustomer] = {}
    for customer_id, team_id, n in heard:
        found = by_customer.setdefault(customer_id, HeardCustomer(customer_id, 0, {}))
        found.insights += n
        found.teams[team_id] = n
    segments: dict[str, SegmentCoverage] = {
        r["segment"]: SegmentCoverage(r["segment"], r["n"])
        for r in Customer.objects.values("segment").annotate(n=Count("pk")).order_by()
    }
    key_heard = key_total = 0
    for customer_id, segment, tier in Customer.objects.values_list("pk", "segment", "tier"):
        found = by_customer.get(customer_id)
        key_total += tier == Customer.Tier.KEY
        if found is None:
            continue
        key_heard += tier == Customer.Tier.KEY
        s = segments[segment]
        s.heard, s.insights = s.heard + 1, s.insights + found.insights
        s.teams.update(found.teams)
    return Coverage(
        customers=sorted(by_customer.values(), key=lambda c: (-c.insights, c.customer_id)),
        segments=sorted(segments.values(), key=lambda r: (r.segment == "", r.segment.lower())),
        key_heard=key_heard,
        key_total=key_total,
    )


def unheard(period: Period) -> QuerySet:
    """Who are we not hearing (DEFINITIONS["unheard"]): key accounts first, then the
    longest unheard; served by the index customer_tier_last_heard."""
    key_first = Case(When(tier=Customer.Tier.KEY, then=Value(0)), default=Value(1))
    return Customer.objects.filter(
        Q(last_heard_on__lt=period.start) | Q(last_heard_on__isnull=True)
    ).order_by(key_first, F("last_heard_on").asc(nulls_first=True), "name")


def insights_per_customer(customer_ids: list[int]) -> dict[int, int]:
    """How many insights each of these customers has, all time, in one query."""
    return dict(
        Insight.objects.filter(customer_id__in=customer_ids)
        .values_list("customer_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
