"""Away periods and teams: a facilitator's "away" is for their own team's meetings,
the one a person sets for themselves is for all of theirs. The note is the person's:
the team that wrote it reads it, and their facilitators read theirs only if they
chose to share it.

Tom is in Sales (Alice facilitates it, Bob is a member) and in Product (Paula
facilitates it)."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Away
from meetings import services
from meetings.models import Attendance, Membership
from tests.factories import (
    AttendanceFactory,
    MeetingFactory,
    MembershipFactory,
    SeriesFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 7, 1, 8, tzinfo=UTC)
# Monday 6 July 2026, 09:00 in Brussels.
MONDAY = dt.datetime(2026, 7, 6, 7, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def product(db):
    return TeamFactory(name="Product", slug="product", time_zone="Europe/Brussels")


@pytest.fixture
def paula(product):
    user = UserFactory(email="paula@example.com", name="Paula Product")
    MembershipFactory(team=product, user=user, role=Membership.Role.FACILITATOR)
    return user


@pytest.fixture
def tom(team, product):
    user = UserFactory(email="tom@example.com", name="Tom Twoteams")
    MembershipFactory(team=team, user=user)
    MembershipFactory(team=product, user=user)
    return user


def attending(team, user, when: dt.datetime = MONDAY) -> Attendance:
    return AttendanceFactory(meeting=MeetingFactory(team=team, starts_at=when), user=user)


def away_page(team, user) -> str:
    membership = user.memberships.get(team=team)
    return f"/teams/{team.slug}/members/{membership.pk}/away/"


def alice_marks_tom_away(client, facilitator, team, tom, *, note="Off sick",
                         starts="2026-07-04", ends="2100-12-31"):  # fmt: skip
    client.force_login(facilitator)
    client.post(away_page(team, tom), {"starts_on": starts, "ends_on": ends, "note": note})
    client.logout()


def status(attendance: Attendance) -> str:
    attendance.refresh_from_db()
    return attendance.status


# --- Whose meetings an away period excuses ------------------------------------------


def test_a_facilitator_marking_tom_away_excuses_him_from_their_teams_meetings_only(
    client, team, product, facilitator, tom
):
    sales_meeting, product_meeting = attending(team, tom), attending(product, tom)

    alice_marks_tom_away(client, facilitator, team, tom)

    assert status(sales_meeting) == Attendance.Status.EXCUSED
    assert status(product_meeting) == Attendance.Status.EXPECTED
    assert Away.objects.get().team == team


def test_tom_marking_himself_away_excuses_him_everywhere(client, team, product, tom):
    sales_meeting, product_meeting = attending(team, tom), attending(product, tom)
    client.force_login(tom)

    client.post("/accounts/profile/away/", {"starts_on": "2026-07-04", "ends_on": "2026-07-10"})

    assert status(sales_meeting) == status(product_meeting) == Attendance.Status.EXCUSED
    assert Away.objects.get().team is None


def test_product_meetings_made_later_expect_tom_while_he_is_away_from_sales(
    client, team, product, facilitator, tom
):
    alice_marks_tom_away(client, facilitator, team, tom)
    weekly = {"first_date": dt.date(2026, 7, 6), "rule": "FREQ=WEEKLY;BYDAY=MO"}
    end = NOW + dt.timedelta(weeks=2)

    sales = services.materialise_series(series=SeriesFactory(team=team, **weekly), start=NOW,
                                        end=end)  # fmt: skip
    product_ = services.materialise_series(series=SeriesFactory(team=product, **weekly),
                                           start=NOW, end=end)  # fmt: skip

    assert {m.attendances.get(user=tom).status for m in sales} == {Attendance.Status.EXCUSED}
    assert {m.attendances.get(user=tom).status for m in product_} == {Attendance.Status.EXPECTED}


def test_product_rotation_keeps_toms_turn_while_he_is_away_from_sales(
    client, team, product, facilitator, paula, tom
):
    alice_marks_tom_away(client, facilitator, team, tom, ends="2026-07-31")
    rotating = SeriesFactory(
        team=product, first_date=dt.date(2026, 7, 6), rule="FREQ=WEEKLY;BYDAY=MO",
        facilitator=paula, rotate_facilitator=True,
    )  # fmt: skip

    meetings = services.materialise_series(
        series=rotating, start=NOW, end=NOW + dt.timedelta(weeks=4)
    )

    assert [m.facilitator for m in meetings] == [paula, tom, paula, tom]


def test_the_team_page_shows_tom_away_in_sales_only(client, team, product, facilitator, tom):
    alice_marks_tom_away(client, facilitator, team, tom, starts="2026-07-01", ends="2026-07-02")
    client.force_login(tom)

    sales_page = client.get("/teams/sales/").content.decode()
    product_page = client.get("/teams/product/").content.decode()

    assert '<span class="badge">Away</span>' in sales_page
    assert '<span class="badge">Away</span>' not in product_page


# --- Who sees an away period and its note -------------------------------------------


def test_the_product_facilitator_sees_neither_the_sales_away_period_nor_its_note(
    client, team, product, facilitator, paula, tom
):
    alice_marks_tom_away(client, facilitator, team, tom, note="Burnout")
    client.force_login(paula)

    page = client.get(away_page(product, tom)).content.decode()

    assert "2100" not in page
    assert "Burnout" not in page


def test_the_facilitator_who_marked_tom_away_sees_the_period_and_the_note(
    client, team, product, facilitator, tom
):
    alice_marks_tom_away(client, facilitator, team, tom, note="Burnout")
    client.force_login(facilitator)

    page = client.get(away_page(team, tom)).content.decode()

    assert "31 Dec 2100" in page
    assert "Burnout" in page


def test_toms_own_note_is_not_shown_to_his_facilitators(client, team, facilitator, tom):
    client.force_login(tom)
    client.post("/accounts/profile/away/",
                {"starts_on": "2026-07-04", "ends_on": "2026-07-10", "note": "Job interview"})  # fmt: skip
    client.force_login(facilitator)

    page = client.get(away_page(team, tom)).content.decode()

    assert "Sat 4 Jul" in page  # that he is away is for the team to know
    assert "Job interview" not in page


def test_toms_own_note_is_shown_to_his_facilitators_when_he_shares_it(
    client, team, product, facilitator, paula, tom
):
    client.force_login(tom)
    client.post("/accounts/profile/away/", {"starts_on": "2026-07-04", "ends_on": "2026-07-10",
                                            "note": "Parental leave", "share_note": "on"})  # fmt: skip

    for facilitator_, team_ in ((facilitator, team), (paula, product)):
        client.force_login(facilitator_)
        assert "Parental leave" in client.get(away_page(team_, tom)).content.decode()


def test_tom_sees_his_notes_and_which_team_set_a_period_on_his_profile(
    client, team, facilitator, tom
):
    alice_marks_tom_away(client, facilitator, team, tom, note="Off sick")
    client.force_login(tom)

    page = client.get("/accounts/profile/").content.decode()

    assert "Off sick" in page
    assert "Sales only" in page


def test_the_meeting_page_says_away_but_not_why(client, team, facilitator, member, tom):
    meeting = attending(team, tom).meeting
    AttendanceFactory(meeting=meeting, user=member)
    alice_marks_tom_away(client, facilitator, team, tom, note="Burnout")
    client.force_login(member)

    page = client.get(f"/teams/sales/meetings/{meeting.pk}/").content.decode()

    assert "(Away)" in page
    assert "Burnout" not in page


# --- Taking an away period back -----------------------------------------------------


def remove_url(team, user, away: Away) -> str:
    return away_page(team, user) + f"{away.pk}/delete/"


def test_alice_takes_back_the_away_period_she_set_and_tom_is_expected_again(
    client, team, facilitator, tom
):
    sales_meeting = attending(team, tom)
    alice_marks_tom_away(client, facilitator, team, tom)
    away = Away.objects.get()
    client.force_login(facilitator)

    response = client.post(remove_url(team, tom, away))

    assert response.status_code == 302
    assert not Away.objects.exists()
    assert status(sales_meeting) == Attendance.Status.EXPECTED


def test_the_product_facilitator_cannot_remove_the_sales_away_period(
    client, team, product, facilitator, paula, tom
):
    alice_marks_tom_away(client, facilitator, team, tom)
    away = Away.objects.get()
    client.force_login(paula)

    assert client.post(remove_url(product, tom, away)).status_code == 404
    assert Away.objects.filter(pk=away.pk).exists()


def test_a_facilitator_cannot_remove_the_away_period_tom_set_himself(
    client, team, facilitator, tom
):
    away = services.mark_away(user=tom, starts_on=dt.date(2026, 7, 4),
                              ends_on=dt.date(2026, 7, 10), by=tom)  # fmt: skip
    client.force_login(facilitator)

    assert client.post(remove_url(team, tom, away)).status_code == 404
    assert Away.objects.filter(pk=away.pk).exists()


def test_a_member_cannot_remove_an_away_period_the_team_set(client, team, facilitator, member, tom):
    alice_marks_tom_away(client, facilitator, team, tom)
    away = Away.objects.get()
    client.force_login(member)

    assert client.post(remove_url(team, tom, away)).status_code == 403
    assert Away.objects.filter(pk=away.pk).exists()
