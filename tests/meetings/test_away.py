"""Away people are excused from the meetings in their away period, automatically."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Away
from meetings import services
from meetings.models import Attendance
from tests.factories import AttendanceFactory, MeetingFactory, SeriesFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 7, 1, 8, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def meeting_on(team, user, when: dt.datetime) -> Attendance:
    return AttendanceFactory(meeting=MeetingFactory(team=team, starts_at=when), user=user)


def test_meetings_in_an_away_period_excuse_the_person(team, member):
    inside = meeting_on(team, member, dt.datetime(2026, 7, 6, 7, tzinfo=UTC))
    after = meeting_on(team, member, dt.datetime(2026, 7, 13, 7, tzinfo=UTC))

    services.mark_away(
        user=member, starts_on=dt.date(2026, 7, 4), ends_on=dt.date(2026, 7, 10),
        note="Holiday", by=member,
    )  # fmt: skip

    inside.refresh_from_db()
    after.refresh_from_db()
    assert inside.status == Attendance.Status.EXCUSED
    assert inside.excuse_reason == "Away"  # the note is not for everyone
    assert after.status == Attendance.Status.EXPECTED


def test_the_away_days_are_on_the_persons_own_calendar(team, member):
    member.time_zone = "Pacific/Auckland"  # UTC+12 in July
    member.save()
    # 13:00 UTC on 3 July is already 01:00 on 4 July in Auckland.
    attendance = meeting_on(team, member, dt.datetime(2026, 7, 3, 13, tzinfo=UTC))

    services.mark_away(
        user=member, starts_on=dt.date(2026, 7, 4), ends_on=dt.date(2026, 7, 4), by=member
    )

    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.EXCUSED


def test_removing_an_away_period_expects_the_person_again(team, member):
    attendance = meeting_on(team, member, dt.datetime(2026, 7, 6, 7, tzinfo=UTC))
    away = services.mark_away(
        user=member, starts_on=dt.date(2026, 7, 4), ends_on=dt.date(2026, 7, 10), by=member
    )

    services.cancel_away(away=away)

    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.EXPECTED
    assert attendance.excuse_reason == ""


def test_an_excuse_given_by_hand_survives_the_away_period_being_removed(team, member):
    attendance = meeting_on(team, member, dt.datetime(2026, 7, 6, 7, tzinfo=UTC))
    attendance.status = Attendance.Status.EXCUSED
    attendance.excuse_reason = "Customer visit"
    attendance.save()
    away = services.mark_away(
        user=member, starts_on=dt.date(2026, 7, 4), ends_on=dt.date(2026, 7, 10), by=member
    )

    services.cancel_away(away=away)

    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.EXCUSED
    assert attendance.excuse_reason == "Customer visit"


def test_meetings_materialised_later_excuse_away_attendees(team, member):
    Away.objects.create(user=member, starts_on=dt.date(2026, 7, 13), ends_on=dt.date(2026, 7, 17))
    series = SeriesFactory(team=team, first_date=dt.date(2026, 7, 6), rule="FREQ=WEEKLY;BYDAY=MO")

    meetings = services.materialise_series(
        series=series, start=NOW, end=NOW + dt.timedelta(weeks=3)
    )

    statuses = [m.attendances.get(user=member).status for m in meetings]
    assert statuses == ["expected", "excused", "expected"]


def test_past_meetings_are_not_rewritten(team, member):
    past = meeting_on(team, member, NOW - dt.timedelta(days=1))

    services.mark_away(
        user=member, starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 7, 31), by=member
    )

    past.refresh_from_db()
    assert past.status == Attendance.Status.EXPECTED


def test_person_marks_themselves_away_from_their_profile(client, team, member):
    attendance = meeting_on(team, member, dt.datetime(2026, 7, 6, 7, tzinfo=UTC))
    client.force_login(member)

    response = client.post(
        "/accounts/profile/away/",
        {"starts_on": "2026-07-04", "ends_on": "2026-07-10", "note": "Holiday"},
        follow=True,
    )

    assert "you&#x27;re excused from meetings in it" in response.content.decode()
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.EXCUSED


def test_an_away_period_ending_before_it_starts_is_explained(client, member):
    client.force_login(member)

    response = client.post(
        "/accounts/profile/away/", {"starts_on": "2026-07-10", "ends_on": "2026-07-04"}
    )

    assert response.status_code == 200
    assert "The last day can&#x27;t be before the first day." in response.content.decode()
    assert not Away.objects.exists()


def test_facilitator_marks_an_attendee_away(client, team, facilitator, member):
    attendance = meeting_on(team, member, dt.datetime(2026, 7, 6, 7, tzinfo=UTC))
    client.force_login(facilitator)
    membership = member.memberships.get(team=team)

    client.post(
        f"/teams/sales/members/{membership.pk}/away/",
        {"starts_on": "2026-07-06", "ends_on": "2026-07-06", "note": "Sick"},
    )

    attendance.refresh_from_db()
    assert attendance.excuse_reason == "Away"
    assert Away.objects.get().created_by == facilitator


def test_members_cannot_mark_others_away(client, team, member, facilitator):
    client.force_login(member)
    membership = facilitator.memberships.get(team=team)

    response = client.post(
        f"/teams/sales/members/{membership.pk}/away/",
        {"starts_on": "2026-07-06", "ends_on": "2026-07-06"},
    )

    assert response.status_code == 403
    assert not Away.objects.exists()


def test_nobody_deletes_someone_elses_away_period(client, member, outsider):
    away = Away.objects.create(
        user=member, starts_on=dt.date(2026, 7, 4), ends_on=dt.date(2026, 7, 5)
    )
    client.force_login(outsider)

    assert client.post(f"/accounts/profile/away/{away.pk}/delete/").status_code == 404
    assert Away.objects.filter(pk=away.pk).exists()
