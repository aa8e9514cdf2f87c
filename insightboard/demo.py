"""Demo data for `make run`: two teams keeping the ritual, with history to look at
and a meeting starting within the hour, so the reminders and the live agenda can be
seen at once.

Idempotent: loading again keeps every row while the demo's next meeting is still
ahead; once it has passed, the demo meetings are re-anchored on the current time.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Away, User
from insights.customers import refresh_last_heard
from insights.models import Customer, Insight, RoundResult, Tag
from insights.services import record_missing_rounds, record_round
from meetings.models import Attendance, Invitation, Meeting, Membership, Series, Team
from meetings.services import MATERIALISE_AHEAD, mark_away, materialise_series

from . import seed

PASSWORD = "insight-demo"
PAST_MEETINGS = 3
# The next meeting starts 30-45 minutes after loading: soon enough to watch.
LEAD_MINUTES = 30


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    role: str  # a Membership.Role value, or "" for the organisation admin


ORG_ADMIN = Person("olivia@example.com", "Olivia Martens", "")

KEY, STANDARD = Customer.Tier.KEY, Customer.Tier.STANDARD
TEAMS = {
    "sales": {
        "name": "Sales Benelux",
        "time_zone": "Europe/Brussels",
        "series": "Weekly customer round",
        "days_ahead": 0,
        "people": [
            Person("fatima@example.com", "Fatima El Amrani", Membership.Role.ADMIN),
            Person("priya@example.com", "Priya Natarajan", Membership.Role.FACILITATOR),
            Person("tom@example.com", "Tom Peeters", Membership.Role.MEMBER),
            Person("lucas@example.com", "Lucas Janssens", Membership.Role.MEMBER),
            Person("sofia@example.com", "Sofia Rossi", Membership.Role.MEMBER),
            Person("ken@example.com", "Ken Okafor", Membership.Role.MEMBER),
        ],
        "customers": [
            ("Acme Logistics", "Enterprise", KEY),
            ("Brightside Dental", "SMB", STANDARD),
            ("Northwind Foods", "Mid-market", STANDARD),
            ("Keller & Sons", "SMB", STANDARD),
            ("Helios Energy", "Enterprise", KEY),
        ],
        "tags": ["pricing", "onboarding", "reporting", "churn risk", "integrations"],
    },
    "product": {
        "name": "Product",
        "time_zone": "America/New_York",
        "series": "Product sync",
        "days_ahead": 1,
        "people": [
            Person("marcus@example.com", "Marcus Reid", Membership.Role.ADMIN),
            Person("aisha@example.com", "Aisha Bello", Membership.Role.FACILITATOR),
            Person("ben@example.com", "Ben Carter", Membership.Role.MEMBER),
            Person("chloe@example.com", "Chloe Nguyen", Membership.Role.MEMBER),
            Person("diego@example.com", "Diego Alvarez", Membership.Role.MEMBER),
        ],
        "customers": [
            ("Acme Logistics", "Enterprise", KEY),
            ("Pinecrest Clinics", "Mid-market", STANDARD),
            ("Lumen Retail", "Enterprise", KEY),
            ("Orbit Studio", "SMB", STANDARD),
        ],
        "tags": ["mobile", "search", "performance", "permissions", "exports"],
    },
}

# (customer index, contact, channel, what they said, so what, tag indexes)
STORIES = [
    (
        0,
        "Head of planning",
        "call",
        "“We export your weekly report to Excel every Monday just to add one column: the depot.”",
        "Depot is the unit they manage by. A depot filter would remove a manual hour a week.",
        [2],
    ),
    (
        1,
        "Practice manager",
        "visit",
        "They print the appointment list because the tablet at reception logs out every 15 minutes.",
        "Session timeout is set for banks, not clinics. Let admins choose it per team.",
        [1],
    ),
    (
        2,
        "CFO",
        "video",
        "“The new price is fine, but I can't explain the jump to my board without a usage breakdown.”",
        "Price rises need a usage story. Ship the usage summary before the renewal letters.",
        [0, 3],
    ),
    (
        3,
        "Owner",
        "call",
        "Mr Keller asked three times whether the import would overwrite his old customer notes.",
        "Fear of losing data blocks the import. Show a dry run with what will change.",
        [1, 4],
    ),
    (
        4,
        "IT lead",
        "email",
        "“Our SSO rollout is frozen until you support SCIM; 400 seats wait on it.”",
        "SCIM is now a revenue blocker, not a nice-to-have: 400 seats.",
        [4],
    ),
    (
        0,
        "Dispatcher",
        "visit",
        "Dispatchers keep a paper list of 'difficult customers' next to the screen.",
        "There is tacit knowledge we don't capture. A customer note visible on every order?",
        [2],
    ),
    (
        2,
        "Ops manager",
        "ticket",
        "Support ticket: the monthly invoice PDF shows net prices only; their auditors want gross.",
        "Small fix, big trust signal with finance buyers. Add gross totals.",
        [0],
    ),
    (
        1,
        "Dentist",
        "event",
        "At the fair, two dentists said they chose us because a colleague showed them the agenda view.",
        "Word of mouth between practices works. A referral nudge after onboarding?",
        [1],
    ),
    (
        4,
        "Procurement",
        "call",
        "“We'd sign for three years if the price were fixed; your index clause scares legal.”",
        "Multi-year fixed pricing could shorten enterprise deals. Ask finance for a model.",
        [0],
    ),
    (
        3,
        "Office manager",
        "survey",
        "Survey comment: ‘I never know if my change was saved until I reload.’",
        "Missing save feedback erodes trust. Show a clear saved state everywhere.",
        [1, 3],
    ),
    (
        2,
        "Warehouse lead",
        "visit",
        "Scanners in the cold store fog up; staff type order numbers by hand and make typos.",
        "Validation on order numbers (check digit) would prevent most mis-picks.",
        [4],
    ),
    (
        0,
        "COO",
        "video",
        "“If you can't show me on-time rate per depot, I'll buy the BI add-on from your competitor.”",
        "Per-depot reporting is now a churn risk at our biggest account.",
        [2, 3],
    ),
    (
        4,
        "Energy analyst",
        "call",
        "They schedule our export at 02:00 so it doesn't slow the app during the day.",
        "Heavy exports hurt daytime performance. Background exports with a download link.",
        [2],
    ),
    (
        1,
        "Receptionist",
        "call",
        "She keeps the app open on her phone to answer patients in the corridor.",
        "Reception works on the move. The phone view deserves the same care as desktop.",
        [1],
    ),
]


def logins() -> list[tuple[str, str, str]]:
    rows = [(ORG_ADMIN.email, ORG_ADMIN.name, "organisation admin")]
    for spec in TEAMS.values():
        for person in spec["people"]:
            rows.append(
                (person.email, person.name, f"{Membership.Role(person.role).label}, {spec['name']}")
            )
    return rows


def _user(person: Person, time_zone: str) -> User:
    user = User.objects.filter(email=person.email).first()
    if user is None:
        user = User(email=person.email)
        user.set_password(PASSWORD)
    user.name = person.name
    user.time_zone = time_zone
    user.is_staff = user.is_superuser = person is ORG_ADMIN
    user.save()
    return user


def _next_start(now: dt.datetime) -> dt.datetime:
    """The next quarter hour at least LEAD_MINUTES away."""
    quarter = 15 * 60
    seconds = math.ceil((now.timestamp() + LEAD_MINUTES * 60) / quarter) * quarter
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def _anchor_series(team: Team, title: str, facilitator: User, first_start: dt.datetime) -> Series:
    local = first_start.astimezone(team.zone)
    series, _ = Series.objects.update_or_create(
        team=team,
        title=title,
        defaults={
            "rule": "FREQ=WEEKLY",
            "first_date": local.date(),
            "start_time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": 30,
            "location": "Room Schelde / video link in the invite",
            "facilitator": facilitator,
            "agenda_template": [
                {"title": "Follow-ups from last week", "minutes": 5},
                {"title": "Pipeline and deals at risk", "minutes": 10},
            ],
        },
    )
    return series


def _is_current(series: Series | None, upcoming: dt.datetime, now: dt.datetime) -> bool:
    """Whether the series' next demo meeting is still ahead, no later than planned."""
    if series is None:
        return False
    return series.meetings.filter(
        status=Meeting.Status.SCHEDULED, starts_at__gt=now, starts_at__lte=upcoming
    ).exists()


def _fill_meeting(
    meeting: Meeting,
    *,
    people: list[User],
    customers,
    tags,
    story_offset: int,
    submitted: int,
    excused: User | None,
    late: set[int],
    past: bool,
    now: dt.datetime,
) -> None:
    zone = meeting.team.zone
    meeting_day = meeting.starts_at.astimezone(zone).date()
    if past:
        meeting.status = Meeting.Status.ENDED
        meeting.started_at = meeting.starts_at
        meeting.ended_at = meeting.ends_at
        meeting.save(update_fields=["status", "started_at", "ended_at"])
    for index, person in enumerate(people):
        attendance = Attendance.objects.get(meeting=meeting, user=person)
        if person == excused:
            attendance.status = Attendance.Status.EXCUSED
            attendance.excuse_reason = "On holiday"
            attendance.save(update_fields=["status", "excuse_reason"])
            continue
        brought = index < submitted
        if past:
            attendance.status = (
                Attendance.Status.ATTENDED if brought or index % 2 else Attendance.Status.ABSENT
            )
            attendance.save(update_fields=["status"])
        if not brought:
            continue
        c, contact, channel, said, so_what, tag_ids = STORIES[(story_offset + index) % len(STORIES)]
        is_late = index in late
        submitted_at = (
            meeting.starts_at + dt.timedelta(minutes=3 + index)
            if is_late
            else meeting.starts_at - dt.timedelta(hours=20 - 3 * index)
        )
        if not past:  # an upcoming meeting's insights were brought before now
            submitted_at = min(submitted_at, now - dt.timedelta(minutes=10 * (index + 1)))
        insight, _ = Insight.objects.update_or_create(
            meeting=meeting,
            author=person,
            defaults={
                "team": meeting.team,
                "customer": customers[c % len(customers)],
                "contact": contact,
                "conversation_date": meeting_day - dt.timedelta(days=1 + index % 5),
                "channel": channel,
                "said": said,
                "so_what": so_what,
                "is_late": is_late,
                "submitted_at": submitted_at,
            },
        )
        insight.tags.set([tags[t % len(tags)] for t in tag_ids])
    if past:
        record_round(meeting)  # as ending it would, for the dashboards


def _extras(team: Team, people: list[User], now: dt.datetime) -> None:
    """A pending invitation to look at, and someone away later this month."""
    admin = people[0]
    if not Invitation.objects.pending().filter(team=team).exists():
        Invitation.objects.create(
            team=team, email=f"newcomer@{team.slug}.example.com", invited_by=admin
        )
    traveller = people[-2]
    if not Away.objects.filter(user=traveller, ends_on__gte=now.date()).exists():
        start = now.astimezone(traveller.zone).date() + dt.timedelta(days=8)
        mark_away(
            user=traveller,
            starts_on=start,
            ends_on=start + dt.timedelta(days=4),
            note="Customer conference",
            by=traveller,
        )


# Teams with a few months of history, so the dashboards have something to say: one
# keeps the ritual, one is good, one is weak, one is slipping lately (flagged).
HISTORY_TEAMS = ["Customer Success", "Engineering", "Marketing", "Operations"]
HISTORY_WEEKS = 16


def _history(now: dt.datetime) -> None:
    """Seeded in bulk (insightboard/seed.py); made again once it is two weeks old."""
    # Their slugs are their names' (customer-success, …); earlier demos used history-N.
    teams = Team.objects.filter(
        Q(slug__in=[slugify(name) for name in HISTORY_TEAMS]) | Q(slug__startswith="history-")
    )
    newest = RoundResult.objects.filter(team__in=teams).order_by("-local_date").first()
    if newest is not None and newest.local_date >= (now - dt.timedelta(days=14)).date():
        return
    Insight.objects.filter(team__in=teams).delete()  # they protect their customers
    teams.delete()
    User.objects.filter(email__startswith="history-").delete()
    seed.seed(teams=len(HISTORY_TEAMS), people_per_team=6, weeks=HISTORY_WEEKS, now=now,
              prefix="history", names=HISTORY_TEAMS)  # fmt: skip


@transaction.atomic
def load(now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    record_missing_rounds()  # meetings ended by an earlier version, before results
    _history(now)
    _user(ORG_ADMIN, "Europe/Brussels")
    next_start = _next_start(now)
    for slug, spec in TEAMS.items():
        team, _ = Team.objects.update_or_create(
            slug=slug, defaults={"name": spec["name"], "time_zone": spec["time_zone"]}
        )
        people = [_user(p, spec["time_zone"]) for p in spec["people"]]
        for person, user in zip(spec["people"], people, strict=True):
            Membership.objects.update_or_create(
                team=team, user=user, defaults={"role": person.role}
            )
        # The organisation's customers: Acme Logistics talks to Sales and to Product.
        customers = [
            Customer.objects.update_or_create(
                name=name, defaults={"segment": segment, "tier": tier}
            )[0]
            for name, segment, tier in spec["customers"]
        ]
        tags = [Tag.objects.get_or_create(team=team, name=name)[0] for name in spec["tags"]]

        _extras(team, people, now)
        # Sales meets within the hour; Product meets tomorrow at the same time.
        upcoming = next_start + dt.timedelta(days=spec["days_ahead"])
        existing = Series.objects.filter(team=team, title=spec["series"]).first()
        if _is_current(existing, upcoming, now):
            continue
        if existing is not None:
            # The demo's next meeting has passed: start the story again from now.
            existing.meetings.all().delete()
        # Weeks back on the team's wall clock, not in UTC: across a DST change
        # the series must still land exactly on the upcoming meeting.
        local = upcoming.astimezone(team.zone).replace(tzinfo=None)
        first = (local - dt.timedelta(weeks=PAST_MEETINGS)).replace(tzinfo=team.zone)
        facilitator = next(
            u
            for p, u in zip(spec["people"], people, strict=True)
            if p.role == Membership.Role.FACILITATOR
        )
        series = _anchor_series(team, spec["series"], facilitator, first)
        meetings = materialise_series(
            series=series,
            start=first - dt.timedelta(minutes=1),
            end=upcoming + dt.timedelta(minutes=1),
        )
        # The weeks after, as the hourly beat task would have created them.
        materialise_series(
            series=series, start=upcoming + dt.timedelta(minutes=1), end=now + MATERIALISE_AHEAD
        )
        excused = people[-1]
        for week, meeting in enumerate(meetings):
            past = meeting.starts_at < now
            _fill_meeting(
                meeting,
                people=people,
                customers=customers,
                tags=tags,
                story_offset=week * 4 + (0 if slug == "sales" else 7),
                # Past rounds: most brought one, a couple missing; upcoming: half are in.
                submitted=len(people) - 1 - week % 2 if past else len(people) // 2,
                excused=excused if past and week == 1 else None,
                late={len(people) - 3} if past and week != 1 else set(),
                past=past,
                now=now,
            )
    _unheard_key_accounts()
    refresh_last_heard(Customer.objects.values_list("pk", flat=True))


# Key accounts on the organisation's list that no team has talked to lately: the
# customers page's "who are we not hearing" has something true to say.
UNHEARD = [("Globex Retail", "Enterprise"), ("Initech Bank", "Enterprise")]


def _unheard_key_accounts() -> None:
    for name, segment in UNHEARD:
        Customer.objects.get_or_create(
            name=name, defaults={"segment": segment, "tier": Customer.Tier.KEY}
        )
