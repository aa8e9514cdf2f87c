from __future__ import annotations

import pytest

from accounts.forms import EMAIL_TAKEN

pytestmark = pytest.mark.django_db


def profile_data(**changes):
    data = {"name": "Bob Member", "email": "bob@example.com", "time_zone": "Europe/Brussels",
            "meeting_summaries": "on"}  # fmt: skip
    return {**data, **changes}


def test_person_updates_name_zone_and_notification_preferences(client, member):
    client.force_login(member)

    response = client.post(
        "/accounts/profile/",
        profile_data(name="Bobby", time_zone="Asia/Tokyo", mute_early_reminders="on"),
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.name, member.time_zone) == ("Bobby", "Asia/Tokyo")
    assert member.mute_early_reminders is True
    assert member.meeting_summaries is True


def test_email_already_used_by_someone_else_is_refused(client, member, facilitator):
    client.force_login(member)

    response = client.post(
        "/accounts/profile/",
        profile_data(email="ALICE@example.com", current_password="correct-horse-battery"),
    )

    assert response.status_code == 200
    assert EMAIL_TAKEN in response.content.decode()
    member.refresh_from_db()
    assert member.email == "bob@example.com"


def test_profile_lists_current_away_periods(client, member):
    client.force_login(member)
    client.post("/accounts/profile/away/", {"starts_on": "2031-02-02", "ends_on": "2031-02-06",
                                             "note": "Ski trip"})  # fmt: skip

    html = client.get("/accounts/profile/").content.decode()

    assert "Ski trip" in html
    assert "Sun 2 Feb" in html


def test_changing_the_email_needs_the_current_password(client, member):
    from accounts.forms import PASSWORD_TO_CHANGE_EMAIL
    from tests.factories import PASSWORD

    client.force_login(member)

    refused = client.post("/accounts/profile/", profile_data(email="newhire@example.com"))
    accepted = client.post(
        "/accounts/profile/", profile_data(email="newhire@example.com", current_password=PASSWORD)
    )

    assert PASSWORD_TO_CHANGE_EMAIL in refused.content.decode()
    assert accepted.status_code == 302
    member.refresh_from_db()
    assert member.email == "newhire@example.com"
