"""Realistic history in bulk: teams, people, weekly meetings that ended, insights and
the round results the dashboards read, written with bulk inserts.

`manage.py seed_demo --teams 200 --people-per-team 8 --weeks 104` makes the large data
the benchmarks use (~166,000 attendee-meetings); the demo uses it for a few teams with
a few months of history, each team with its own zone, room, customers and sayings
(a Catalogue). Each team follows a profile, so the dashboards have something to say:
most keep the ritual, some are weak, some are slipping lately.

The rows are what the app itself would have written (the round results are computed
with the same rules as insights/round.py, from the generated outcomes), only faster.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils.text import slugify

from accounts.models import User
from insights.customers import refresh_last_heard
from insights.models import Customer, Insight, RoundResult, SeatResult
from meetings.models import Attendance, Meeting, Membership, Team

BATCH = 5000
ZONES = ["Europe/Brussels", "America/New_York", "Europe/London", "Asia/Singapore"]
CHANNELS = [c for c, _ in Insight.Channel.choices]
SEGMENTS = ["Enterprise", "Mid-market", "SMB"]
SAYINGS = [
    ("They export the weekly report to a spreadsheet to add one column.",
     "A column picker would save them an hour a week."),
    ("Their new hires give up on the setup after the second screen.",
     "Onboarding asks for too much before showing any value."),
    ("They renew only if the invoices can be split per department.",
     "Per-department billing is a renewal risk, not a nice-to-have."),
    ("Support answered in minutes, but the fix took three weeks.",
     "Speed of the fix matters more to them than speed of the answer."),
    ("They print the list because the tablet logs out every 15 minutes.",
     "Session timeouts are set for banks, not for their front desk."),
]  # fmt: skip


@dataclass(frozen=True)
class Catalogue:
    """One seeded team's own world, for teams that must tell true stories (the demo's):
    its zone, its room, its customers and what each of them said. Without one, a team
    gets a zone in turn, no room, neighbours' customers and generic sayings."""

    time_zone: str
    room: str
    customers: list[tuple[str, str, str]]  # name, segment, Customer.Tier
    sayings: list[tuple[str, str, str]]  # the customer's name, what they said, so what


@dataclass(frozen=True)
class Profile:
    """How often people bring one on time, late or not at all, early and lately."""

    name: str
    on_time: float
    late: float
    on_time_lately: float | None = None  # from SLIPPING_WEEKS before now, if slipping


PROFILES = [
    Profile("steady", on_time=0.995, late=0.004),
    Profile("good", on_time=0.97, late=0.02),
    Profile("weak", on_time=0.75, late=0.1),
    Profile("slipping", on_time=0.99, late=0.005, on_time_lately=0.7),
]
SLIPPING_WEEKS = 6


def seed(
    *,
    teams: int,
    people_per_team: int,
    weeks: int,
    now: dt.datetime,
    prefix: str = "seed",
    names: list[str] | None = None,
    catalogues: list[Catalogue] | None = None,
    rng_seed: int = 1,
) -> dict[str, int]:
    """Create `teams` teams, each with its people and one ended meeting a week for
    `weeks` weeks before now. Returns how many rows of each kind were written."""
    rng = random.Random(rng_seed)
    password = make_password("insight-demo")
    counts: dict[str, int] = {}
    zones = [c.time_zone for c in catalogues] if catalogues else ZONES
    with transaction.atomic():
        team_rows = Team.objects.bulk_create(
            Team(name=(names[i] if names else f"Team {i + 1:03d}"),
                 slug=slugify(names[i]) if names else f"{prefix}-{i + 1}",
                 time_zone=zones[i % len(zones)])
            for i in range(teams)
        )  # fmt: skip
        users = User.objects.bulk_create(
            (
                User(email=f"{prefix}-{t + 1}-{p + 1}@example.com", name=_person_name(rng),
                     time_zone=zones[t % len(zones)], password=password)
                for t in range(teams) for p in range(people_per_team)
            ),
            batch_size=BATCH,
        )  # fmt: skip
        people = [users[t * people_per_team : (t + 1) * people_per_team] for t in range(teams)]
        Membership.objects.bulk_create(
            (Membership(team=team, user=user, role=_role(index))
             for team, members in zip(team_rows, people, strict=True)
             for index, user in enumerate(members)),
            batch_size=BATCH,
        )  # fmt: skip
        if catalogues:
            pool, pick = _catalogued(team_rows, catalogues)
        else:
            pool, pick = _generic(team_rows)
        counts.update(teams=teams, people=len(users), customers=len(pool))
        rooms = [c.room for c in catalogues] if catalogues else [""]
        meetings = _meetings(team_rows, weeks, now, rooms)
        counts["meetings"] = len(meetings)
        profiles = {team.pk: PROFILES[i % len(PROFILES)] for i, team in enumerate(team_rows)}
        by_team = {team.pk: members for team, members in zip(team_rows, people, strict=True)}
        counts.update(_rounds(meetings, by_team, pick, profiles, weeks, now, rng))
        refresh_last_heard(c.pk for c in pool)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the planner's statistics, after a bulk load
    return counts


# What an insight of a team is about: (customer, said, so what), drawn with the rng.
Pick = Callable[[int, random.Random], tuple[Customer, str, str]]


def _generic(team_rows: list[Team]) -> tuple[list[Customer], Pick]:
    """Customers are the organisation's: neighbouring teams share half of theirs, and
    any of them may have said any of the SAYINGS."""
    pool = _customers(max(CUSTOMERS_PER_TEAM, len(team_rows) * CUSTOMERS_PER_TEAM // 2))
    step = CUSTOMERS_PER_TEAM // 2
    team_customers = {
        team.pk: [pool[(t * step + c) % len(pool)] for c in range(CUSTOMERS_PER_TEAM)]
        for t, team in enumerate(team_rows)
    }

    def pick(team_id: int, rng: random.Random) -> tuple[Customer, str, str]:
        said, so_what = rng.choice(SAYINGS)
        return rng.choice(team_customers[team_id]), said, so_what

    return pool, pick


def _catalogued(team_rows: list[Team], catalogues: list[Catalogue]) -> tuple[list[Customer], Pick]:
    """Each team hears its own customers say what its catalogue says they said."""
    customers = {}
    for catalogue in catalogues:
        for name, segment, tier in catalogue.customers:
            customers[name] = Customer.objects.get_or_create(
                name=name, defaults={"segment": segment, "tier": tier}
            )[0]
    team_sayings = {
        team.pk: [(customers[name], said, so_what) for name, said, so_what in catalogue.sayings]
        for team, catalogue in zip(team_rows, catalogues, strict=True)
    }

    def pick(team_id: int, rng: random.Random) -> tuple[Customer, str, str]:
        return rng.choice(team_sayings[team_id])

    return list(customers.values()), pick


CUSTOMERS_PER_TEAM = 12
KINDS = ["Logistics", "Health", "Retail", "Foods", "Energy", "Clinics", "Studio", "Bank",
         "Insurance", "Media", "Labs", "Freight"]  # fmt: skip


def generic_names(count: int) -> list[str]:
    """The names of the first `count` generic customers: Acme Logistics, Globex …"""
    names = []
    for i in range(count):
        name = f"{COMPANIES[i % len(COMPANIES)]} {KINDS[i // len(COMPANIES) % len(KINDS)]}"
        rounds = i // (len(COMPANIES) * len(KINDS))
        names.append(f"{name} {rounds + 1}" if rounds else name)
    return names


def _customers(count: int) -> list[Customer]:
    """`count` customers of the organisation, every eighth a key account; the ones an
    earlier run (or the demo) made are reused, as the insight form would."""
    names = generic_names(count)
    Customer.objects.bulk_create(
        (Customer(name=name, segment=SEGMENTS[i % len(SEGMENTS)],
                  tier=Customer.Tier.KEY if i % 8 == 0 else Customer.Tier.STANDARD)
         for i, name in enumerate(names)),
        batch_size=BATCH, ignore_conflicts=True,
    )  # fmt: skip
    found = {
        c.lowered: c
        for c in Customer.objects.annotate(lowered=Lower("name")).filter(
            lowered__in=[n.lower() for n in names]
        )
    }
    return [found[name.lower()] for name in names]


def _role(index: int) -> str:
    return (
        [Membership.Role.ADMIN, Membership.Role.FACILITATOR][index]
        if index < 2
        else (Membership.Role.MEMBER)
    )


FIRST = ["Ana", "Ben", "Chen", "Dara", "Eli", "Fatou", "Gus", "Hana", "Ivo", "Jun", "Kai",
         "Lena", "Mo", "Nia", "Omar", "Pia", "Quinn", "Rui", "Sven", "Tara"]  # fmt: skip
LAST = ["Adams", "Bakker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Haddad",
        "Ito", "Jansen", "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Peeters"]  # fmt: skip
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay",
             "Soylent", "Tyrell", "Cyberdyne", "Wonka", "Aperture", "Gringotts"]  # fmt: skip


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _meetings(teams: list[Team], weeks: int, now: dt.datetime, rooms: list[str]) -> list[Meeting]:
    rows = []
    for index, team in enumerate(teams):
        zone = zoneinfo.ZoneInfo(team.time_zone)
        today = now.astimezone(zone).date()
        monday = today - dt.timedelta(days=today.weekday())
        for week in range(weeks, 0, -1):
            day = monday - dt.timedelta(weeks=week) + dt.timedelta(days=team.pk % 5)
            start = dt.datetime.combine(day, dt.time(9, 30), zone).astimezone(dt.UTC)
            rows.append(Meeting(
                team=team, title="Weekly customer round", location=rooms[index % len(rooms)],
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=30), status=Meeting.Status.ENDED,
                started_at=start, ended_at=start + dt.timedelta(minutes=30),
            ))  # fmt: skip
    return Meeting.objects.bulk_create(rows, batch_size=BATCH)


def _rounds(meetings, by_team, pick: Pick, profiles, weeks, now, rng) -> dict[str, int]:
    attendances, insights, outcomes = [], [], []
    slipping_from = now - dt.timedelta(weeks=SLIPPING_WEEKS)
    for meeting in meetings:
        profile = profiles[meeting.team_id]
        on_time = profile.on_time
        if profile.on_time_lately is not None and meeting.starts_at >= slipping_from:
            on_time = profile.on_time_lately
        zone = zoneinfo.ZoneInfo(meeting.team.time_zone)
        day = meeting.starts_at.astimezone(zone).date()
        for user in by_team[meeting.team_id]:
            roll = rng.random()
            excused = roll > 0.985
            attendances.append(Attendance(
                meeting=meeting, user=user,
                status=Attendance.Status.EXCUSED if excused else Attendance.Status.ATTENDED,
                excuse_reason="Away" if excused else "",
            ))  # fmt: skip
            if excused:
                outcomes.append((meeting, user, "excused", None, day))
                continue
            if roll < on_time + profile.late:
                late = roll >= on_time
                customer, said, so_what = pick(meeting.team_id, rng)
                insight = Insight(
                    team_id=meeting.team_id, meeting=meeting, author=user, customer=customer,
                    conversation_date=day - dt.timedelta(days=rng.randint(0, 13)),
                    channel=rng.choice(CHANNELS), said=said, so_what=so_what, is_late=late,
                    submitted_at=meeting.starts_at + (
                        dt.timedelta(minutes=5) if late else -dt.timedelta(hours=rng.randint(1, 40))
                    ),
                )  # fmt: skip
                insights.append(insight)
                outcomes.append((meeting, user, "late" if late else "on_time", insight, day))
            else:
                outcomes.append((meeting, user, "missing", None, day))
    Attendance.objects.bulk_create(attendances, batch_size=BATCH)
    Insight.objects.bulk_create(insights, batch_size=BATCH)
    results = _results(outcomes)
    return {"attendances": len(attendances), "insights": len(insights), "round_results": results}


def _results(outcomes) -> int:
    per_meeting: dict[int, list] = {}
    for row in outcomes:
        per_meeting.setdefault(row[0].pk, []).append(row)
    results = []
    for rows in per_meeting.values():
        meeting, day = rows[0][0], rows[0][4]
        tally = {
            k: sum(1 for r in rows if r[2] == k) for k in ("on_time", "late", "missing", "excused")
        }
        expected = tally["on_time"] + tally["late"] + tally["missing"]
        results.append(RoundResult(
            meeting=meeting, team_id=meeting.team_id, local_date=day,
            week=day - dt.timedelta(days=day.weekday()), expected=expected,
            on_time=tally["on_time"], late=tally["late"], missing=tally["missing"],
            excused=tally["excused"], from_excused=0,
            kept=expected > 0 and tally["on_time"] == expected,
        ))  # fmt: skip
    results = RoundResult.objects.bulk_create(results, batch_size=BATCH)
    by_meeting = {r.meeting_id: r for r in results}
    SeatResult.objects.bulk_create(
        (
            SeatResult(
                result=by_meeting[meeting.pk], team_id=meeting.team_id, user=user,
                local_date=day, week=by_meeting[meeting.pk].week, outcome=outcome,
                insight=insight, customer_id=insight.customer_id if insight else None,
                channel=insight.channel if insight else "",
                freshness_days=(day - insight.conversation_date).days if insight else None,
                # No reminders are seeded, so every insight came before any.
                nudge=SeatResult.Nudge.BEFORE_ANY if insight else SeatResult.Nudge.NONE,
            )
            for meeting, user, outcome, insight, day in outcomes
        ),
        batch_size=BATCH,
    )  # fmt: skip
    return len(results)
