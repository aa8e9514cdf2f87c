from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reminders.models import Message
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def test_organisation_admins_see_failed_reminders_across_teams(
    client, org_admin, team, other_team, member, outsider
):
    now = timezone.now()
    for meeting_team, person, error in (
        (team, member, "550 no such user"),
        (other_team, outsider, "451 later"),
    ):
        Message.objects.create(
            meeting=MeetingFactory(team=meeting_team, title=f"{meeting_team.name} round"), user=person,
            offset=15, due_at=now - dt.timedelta(hours=1), next_attempt_at=now,
            state=Message.State.FAILED_PERMANENT, attempts=1, last_error=error,
        )  # fmt: skip
    client.force_login(org_admin)

    html = client.get("/reminders/failures/").content.decode()

    assert "Sales round" in html and "Engineering round" in html
    assert "550 no such user" in html
    assert "Reminders</a>" in html  # in their navigation


def test_team_admins_cannot_see_the_failure_list(client, team_admin):
    client.force_login(team_admin)

    assert client.get("/reminders/failures/").status_code == 403
