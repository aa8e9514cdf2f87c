from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from meetings import services
from meetings.forms import (
    BAD_OFFSET,
    DUPLICATE_OFFSET,
    OFFSET_RANGE,
    TOO_MANY_OFFSETS,
    TeamSettingsForm,
)
from meetings.models import Attendance, Membership, Team
from tests.factories import (
    AttendanceFactory,
    InsightFactory,
    MeetingFactory,
    MembershipFactory,
    TeamFactory,
    UserFactory,
)
from tests.html import Page

pytestmark = pytest.mark.django_db


def settings_data(team, **changes):
    data = {
        "name": team.name,
        "time_zone": team.time_zone,
        "freshness_mode": "days",
        "freshness_days": 14,
        "reminder_offsets": "24h, 2h, 15m",
        "quiet_hours_start": "20:00",
        "quiet_hours_end": "08:00",
        "minutes_per_person": 2,
        "close_after_minutes": 60,
    }
    return {**data, **changes}


def test_one_membership_per_person_per_team_is_enforced_by_the_database(team, member):
    with pytest.raises(IntegrityError):
        MembershipFactory(team=team, user=member)


def test_a_person_can_be_in_several_teams_with_different_roles(team, other_team, member):
    MembershipFactory(team=other_team, user=member, role=Membership.Role.ADMIN)

    roles = dict(member.memberships.values_list("team__slug", "role"))

    assert roles == {"sales": "member", "engineering": "admin"}


def test_the_last_admin_cannot_step_down(team, team_admin):
    membership = team_admin.memberships.get(team=team)

    with pytest.raises(ValidationError) as error:
        services.change_role(membership=membership, role=Membership.Role.MEMBER)

    assert error.value.messages == [services.LAST_ADMIN]
    membership.refresh_from_db()
    assert membership.role == Membership.Role.ADMIN


def test_the_last_admin_cannot_be_removed(team, team_admin):
    with pytest.raises(ValidationError):
        services.remove_member(membership=team_admin.memberships.get(team=team))

    assert team.memberships.admins().count() == 1


def test_an_admin_can_step_down_once_another_admin_exists(team, team_admin, facilitator):
    services.change_role(
        membership=facilitator.memberships.get(team=team), role=Membership.Role.ADMIN
    )

    services.change_role(
        membership=team_admin.memberships.get(team=team), role=Membership.Role.MEMBER
    )

    assert list(team.memberships.admins().values_list("user__email", flat=True)) == [
        "alice@example.com"
    ]


def test_the_team_page_refuses_to_demote_the_last_admin(client, team, team_admin):
    client.force_login(team_admin)
    membership = team_admin.memberships.get(team=team)

    response = client.post(
        f"/teams/sales/members/{membership.pk}/role/", {"role": "member"}, follow=True
    )

    assert services.LAST_ADMIN.replace("'", "&#x27;") in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Membership.Role.ADMIN


def test_role_change_over_htmx_returns_just_the_member_row(client, team, team_admin, member):
    client.force_login(team_admin)
    membership = member.memberships.get(team=team)

    response = client.post(
        f"/teams/sales/members/{membership.pk}/role/",
        {"role": "facilitator"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'id="member-{membership.pk}"' in html
    assert "Saved" in html
    membership.refresh_from_db()
    assert membership.role == Membership.Role.FACILITATOR


def test_role_change_without_htmx_redirects_back_to_the_team(client, team, team_admin, member):
    client.force_login(team_admin)
    membership = member.memberships.get(team=team)

    response = client.post(f"/teams/sales/members/{membership.pk}/role/", {"role": "admin"})

    assert response.status_code == 302
    assert response["Location"] == "/teams/sales/"


def test_removed_member_keeps_their_insights_shown_as_former_member(
    client, team, team_admin, member
):
    past = MeetingFactory(team=team, starts_at=timezone.now() - dt.timedelta(days=7))
    InsightFactory(meeting=past, author=member)
    upcoming = MeetingFactory(team=team)
    AttendanceFactory(meeting=upcoming, user=member)
    client.force_login(team_admin)

    client.post(f"/teams/sales/members/{member.memberships.get(team=team).pk}/remove/")

    assert not team.memberships.filter(user=member).exists()
    assert member.insights.count() == 1
    assert not Attendance.objects.filter(meeting=upcoming, user=member).exists()
    html = client.get("/teams/sales/").content.decode()
    assert "Former members" in html
    assert "Bob Member" in html


def test_revoked_membership_takes_effect_on_the_very_next_request(client, team, member):
    client.force_login(member)
    assert client.get("/teams/sales/").status_code == 200

    team.memberships.filter(user=member).delete()

    assert client.get("/teams/sales/").status_code == 404


def test_team_admin_saves_the_ritual_rules(client, team, team_admin):
    client.force_login(team_admin)

    response = client.post(
        "/teams/sales/settings/",
        settings_data(team, reminder_offsets="1d, 3h, 10m", minutes_per_person=3,
                      freshness_mode="since_previous", time_zone="Europe/Lisbon"),
    )  # fmt: skip

    assert response.status_code == 302
    team.refresh_from_db()
    assert team.reminder_offsets == [1440, 180, 10]
    assert team.minutes_per_person == 3
    assert team.freshness_mode == Team.Freshness.SINCE_PREVIOUS
    assert team.time_zone == "Europe/Lisbon"


@pytest.mark.parametrize(
    ("offsets", "message"),
    [
        ("tomorrow", BAD_OFFSET),
        ("2h, 2h", DUPLICATE_OFFSET),
        ("1m", OFFSET_RANGE),
        ("8d", OFFSET_RANGE),
        ("3d, 2d, 1d, 2h, 1h, 15m", TOO_MANY_OFFSETS),
    ],
)
def test_bad_reminder_offsets_are_explained_next_to_the_field(team, offsets, message):
    form = TeamSettingsForm(settings_data(team, reminder_offsets=offsets), instance=team)

    assert not form.is_valid()
    assert form.errors["reminder_offsets"] == [message]


def test_bad_settings_save_nothing(client, team, team_admin):
    client.force_login(team_admin)

    response = client.post(
        "/teams/sales/settings/", settings_data(team, name="Renamed", time_zone="Nowhere/City")
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    team.refresh_from_db()
    assert team.name == "Sales"


def test_bad_settings_open_the_page_at_the_first_field_to_fix(client, team, team_admin):
    client.force_login(team_admin)

    response = client.post(
        "/teams/sales/settings/",
        settings_data(team, reminder_offsets="soon", close_after_minutes=""),
    )

    assert Page(response.content.decode()).focused() == ["id_reminder_offsets"]


def test_organisation_admin_opens_a_team_and_becomes_its_admin(client, org_admin):
    client.force_login(org_admin)

    response = client.post(
        "/teams/", {"name": "Customer Success", "slug": "", "time_zone": "Europe/Paris"}
    )

    team = Team.objects.get(slug="customer-success")
    assert response["Location"] == "/teams/customer-success/"
    assert team.memberships.get(user=org_admin).role == Membership.Role.ADMIN


def test_team_address_must_be_unique(client, org_admin, team):
    client.force_login(org_admin)

    response = client.post("/teams/", {"name": "Sales", "slug": "", "time_zone": "UTC"})

    assert response.status_code == 200
    assert "Another team already uses this address." in response.content.decode()
    assert Team.objects.filter(name="Sales").count() == 1


def test_teams_page_lists_only_my_teams(client, team, other_team, member):
    client.force_login(member)

    html = client.get("/teams/").content.decode()

    assert "Sales" in html
    assert "Engineering" not in html


def test_organisation_admin_sees_every_team(client, team, other_team, org_admin):
    client.force_login(org_admin)

    html = client.get("/teams/").content.decode()

    assert "Sales" in html and "Engineering" in html


def test_team_page_query_count_does_not_grow_with_members(
    client, team, team_admin, django_assert_max_num_queries
):
    client.force_login(team_admin)
    counts = []
    for size in (5, 50):
        for user in UserFactory.create_batch(size):
            MembershipFactory(team=team, user=user)
        with django_assert_max_num_queries(12) as captured:
            assert client.get("/teams/sales/").status_code == 200
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]


def test_the_settings_page_shows_and_saves_when_forgotten_meetings_close(client, team, team_admin):
    client.force_login(team_admin)

    page = client.get("/teams/sales/settings/").content.decode()
    response = client.post("/teams/sales/settings/", settings_data(team, close_after_minutes=15))

    assert 'name="close_after_minutes"' in page
    assert "A meeting nobody ends closes itself after" in page
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.close_after_minutes == 15


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_guarding_the_last_admin_locks_the_memberships_not_the_people():
    """A role change locks the team's admin memberships while it checks; the people
    themselves (their logins, their profiles) stay free to change."""
    import psycopg2
    from django.db import connection, transaction

    from meetings.services.teams import _guard_last_admin

    team = TeamFactory()
    admin = MembershipFactory(team=team, role=Membership.Role.ADMIN)
    MembershipFactory(team=team, role=Membership.Role.ADMIN)

    with transaction.atomic():
        _guard_last_admin(admin)
        other = psycopg2.connect(**connection.get_connection_params())
        try:
            with other.cursor() as cursor:
                cursor.execute("SET lock_timeout = '200ms'")
                cursor.execute(
                    "SELECT 1 FROM accounts_user WHERE id = %s FOR UPDATE", [admin.user_id]
                )
                assert cursor.fetchone() == (1,)
        finally:
            other.close()
