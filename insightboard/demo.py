"""Demo data for `make run`: two teams keeping the ritual, with history to look at
and a meeting starting within the hour, so the reminders and the live agenda can be
seen at once. Who the teams are, when and where they meet and what their customers
told them is in demo_data.py: each team meets in working hours on its own clock, in
its own room, and hears its own customers.

Idempotent: loading again keeps every row while the demo's next meeting is still
ahead; once it has passed, the demo meetings are re-anchored on the current time.
"""

from __future__ import annotations

import datetime as dt
import math

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
from .demo_data import HISTORY, ORG_ADMIN, TEAMS, WORKDAY, Person, Story

PASSWORD = "insight-demo"
PAST_MEETINGS = 3
# The next meeting starts 30-45 minutes after loading: soon enough to watch.
LEAD_MINUTES = 30
DURATION = dt.timedelta(minutes=30)


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


def _in_working_hours(start: dt.datetime, zone) -> bool:
    local = start.astimezone(zone)
    end = local + DURATION
    return WORKDAY[0] <= local.time() and end.date() == local.date() and end.time() <= WORKDAY[1]


def _upcoming(spec: dict, zone, now: dt.datetime) -> dt.datetime:
    """When the team's next demo meeting starts. The live team's is within the hour
    when that is in its working hours, so it can be watched; otherwise, and for the
    other team, it is at the team's usual time on its own clock: the next one at least
    LEAD_MINUTES away, and for the other team not before tomorrow."""
    if spec["live"] and _in_working_hours(soon := _next_start(now), zone):
        return soon
    day = now.astimezone(zone).date() + dt.timedelta(days=0 if spec["live"] else 1)
    while (start := dt.datetime.combine(day, spec["start_time"], zone)) < now + dt.timedelta(
        minutes=LEAD_MINUTES
    ):
        day += dt.timedelta(days=1)
    return start.astimezone(dt.UTC)


def _anchor_series(team: Team, spec: dict, facilitator: User, first_start: dt.datetime) -> Series:
    local = first_start.astimezone(team.zone)
    series, _ = Series.objects.update_or_create(
        team=team,
        title=spec["series"],
        defaults={
            "rule": "FREQ=WEEKLY",
            "first_date": local.date(),
            "start_time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": DURATION.seconds // 60,
            "location": spec["location"],
            "facilitator": facilitator,
            "agenda_template": [
                {"title": title, "minutes": 5 if i == 0 else 10}
                for i, title in enumerate(spec["agenda"])
            ],
        },
    )
    return series


def _is_current(series: Series | None, spec: dict, upcoming: dt.datetime, now: dt.datetime) -> bool:
    """Whether the series' next demo meeting is still ahead, no later than planned, in
    the room the demo says (an earlier demo's meetings were elsewhere)."""
    if series is None or series.location != spec["location"]:
        return False
    return series.meetings.filter(
        status=Meeting.Status.SCHEDULED, starts_at__gt=now, starts_at__lte=upcoming
    ).exists()


def _fill_meeting(
    meeting: Meeting,
    *,
    people: list[User],
    customers: dict[str, Customer],
    tags: list[Tag],
    stories: list[Story],
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
        story = stories.pop(0)
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
                "customer": customers[story.customer],
                "contact": story.contact,
                "conversation_date": meeting_day - dt.timedelta(days=1 + index % 5),
                "channel": story.channel,
                "said": story.said,
                "so_what": story.so_what,
                "is_late": is_late,
                "submitted_at": submitted_at,
            },
        )
        insight.tags.set([tags[t] for t in story.tags])
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
HISTORY_TEAMS = list(HISTORY)
HISTORY_WEEKS = 16


def _history(now: dt.datetime) -> None:
    """Seeded in bulk (insightboard/seed.py); made again once it is two weeks old, or
    when an earlier demo made it (its meetings had no room)."""
    # Their slugs are their names' (customer-success, …); earlier demos used history-N.
    teams = Team.objects.filter(
        Q(slug__in=[slugify(name) for name in HISTORY_TEAMS]) | Q(slug__startswith="history-")
    )
    newest = RoundResult.objects.filter(team__in=teams).order_by("-local_date").first()
    current = not Meeting.objects.filter(team__in=teams, location="").exists()
    if current and newest and newest.local_date >= (now - dt.timedelta(days=14)).date():
        return
    Insight.objects.filter(team__in=teams).delete()  # they protect their customers
    teams.delete()
    User.objects.filter(email__startswith="history-").delete()
    # An earlier demo's history heard the seed's generic customers ("Tyrell Logistics");
    # no team hears them now, so they would top the "who are we not hearing" list.
    generic = seed.generic_names(len(HISTORY_TEAMS) * seed.CUSTOMERS_PER_TEAM // 2)
    ours = {name for spec in TEAMS.values() for name, _, _ in spec["customers"]}
    Customer.objects.filter(name__in=set(generic) - ours, insights__isnull=True).delete()
    seed.seed(teams=len(HISTORY_TEAMS), people_per_team=6, weeks=HISTORY_WEEKS, now=now,
              prefix="history", names=HISTORY_TEAMS,
              catalogues=list(HISTORY.values()))  # fmt: skip


@transaction.atomic
def load(now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    record_missing_rounds()  # meetings ended by an earlier version, before results
    _history(now)
    _user(ORG_ADMIN, "Europe/Brussels")
    for slug, spec in TEAMS.items():
        team, _ = Team.objects.update_or_create(
            slug=slug, defaults={"name": spec["name"], "time_zone": spec["time_zone"]}
        )
        people = [_user(p, spec["time_zone"]) for p in spec["people"]]
        for person, user in zip(spec["people"], people, strict=True):
            Membership.objects.update_or_create(
                team=team, user=user, defaults={"role": person.role}
            )
        # The organisation's customers, one list: a shared one is one customer.
        customers = {
            name: Customer.objects.update_or_create(
                name=name, defaults={"segment": segment, "tier": tier}
            )[0]
            for name, segment, tier in spec["customers"]
        }
        tags = [Tag.objects.get_or_create(team=team, name=name)[0] for name in spec["tags"]]

        _extras(team, people, now)
        upcoming = _upcoming(spec, team.zone, now)
        existing = Series.objects.filter(team=team, title=spec["series"]).first()
        if _is_current(existing, spec, upcoming, now):
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
        series = _anchor_series(team, spec, facilitator, first)
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
        stories = list(spec["stories"])  # told in turn, each once
        for week, meeting in enumerate(meetings):
            past = meeting.starts_at < now
            _fill_meeting(
                meeting,
                people=people,
                customers=customers,
                tags=tags,
                stories=stories,
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
