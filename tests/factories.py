from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from accounts.models import User
from insights.models import Customer, Insight, Tag
from insights.services import submit_insight
from meetings import services
from meetings.models import Attendance, Meeting, Membership, Series, Team

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    time_zone = "Europe/Brussels"
    password = factory.django.Password(PASSWORD)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    time_zone = "Europe/Brussels"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    team = factory.SubFactory(TeamFactory)
    title = "Weekly customer round"
    rule = "FREQ=WEEKLY"
    first_date = dt.date(2026, 1, 5)
    start_time = dt.time(9, 0)
    duration_minutes = 30


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    team = factory.SubFactory(TeamFactory)
    title = "Customer round"
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=2))
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + dt.timedelta(minutes=30))


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        # One list for the organisation: the same name is the same customer.
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Customer {n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"tag-{n}")


class InsightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Insight

    meeting = factory.SubFactory(MeetingFactory)
    team = factory.SelfAttribute("meeting.team")
    author = factory.SubFactory(UserFactory)
    customer = factory.SubFactory(CustomerFactory)
    conversation_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=2))
    said = factory.Faker("sentence", nb_words=14)
    so_what = factory.Faker("sentence", nb_words=10)


def held(team, people, *, weeks: int, bring: int, now: dt.datetime, time_machine, tick=False):
    """`weeks` weekly meetings of the team before `now`, ended, in which the first
    `bring` people brought an insight; the clock is left at `now` (ticking if `tick`)."""
    customer = CustomerFactory()
    for week in range(weeks):
        start = now - dt.timedelta(weeks=week + 1)
        time_machine.move_to(start - dt.timedelta(hours=1), tick=tick)
        meeting = services.create_meeting(team=team, title=f"{team.name} round {week}",
                                          starts_at=start, duration_minutes=30)  # fmt: skip
        for person in people[:bring]:
            submit_insight(meeting=meeting, author=person, data={
                "customer": customer, "conversation_date": start.date() - dt.timedelta(days=2),
                "said": "Heard.", "so_what": "Matters."})  # fmt: skip
        meeting.end()
    time_machine.move_to(now, tick=tick)


def one_email_of_each_kind(*, meeting, member, org_admin) -> list:
    """Every kind of e-mail the product sends, rendered as the dispatcher would
    (reminders.content.email_for): about `meeting`, to its member (and the organisation
    admin, who hears the early warning), with a long, accented customer name."""
    from meetings.models import Invitation
    from reminders.content import email_for
    from reminders.models import Message

    Kind = Message.Kind
    submit_insight(meeting=meeting, author=member, data={
        "customer": CustomerFactory(name="Société Générale d’Électricité de Wallonie-Bruxelles"),
        "conversation_date": meeting.starts_at.date() - dt.timedelta(days=1),
        "said": "“We reconcile the depot reports by hand every Monday, line by line.”",
        "so_what": "A per-depot export would give them their Monday morning back."})  # fmt: skip
    invitation = Invitation.objects.create(
        team=meeting.team, email="newcomer@example.com", invited_by=org_admin
    )
    about_meeting = {"meeting": meeting, "user": member}
    rows = [
        {"kind": Kind.REMINDER, "offset": 120, **about_meeting},
        {"kind": Kind.DIGEST, **about_meeting},
        {"kind": Kind.SUMMARY, **about_meeting},
        {"kind": Kind.FRESH_LINK, **about_meeting},
        {"kind": Kind.INVITATION, "invitation": invitation},
        {"kind": Kind.PASSWORD_RESET, "user": member},
        {"kind": Kind.EARLY_WARNING, "user": org_admin},
    ]
    return [email_for(Message.objects.create(**row)) for row in rows]
