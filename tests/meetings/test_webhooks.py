from __future__ import annotations

import pytest

from meetings.forms import HTTPS_ONLY
from meetings.models import TeamWebhook

pytestmark = pytest.mark.django_db

SECRET_URL = "https://hooks.slack.com/services/T000/B000/verysecrettoken1234"


def test_team_admin_connects_slack_and_the_address_is_never_shown_back(client, team, team_admin):
    client.force_login(team_admin)

    response = client.post(
        "/teams/sales/webhooks/", {"kind": "slack", "url": SECRET_URL}, follow=True
    )

    html = response.content.decode()
    assert "Slack channel saved." in html
    assert "verysecrettoken" not in html
    assert "https://hooks.slack.com/…1234" in html
    assert TeamWebhook.objects.get().url == SECRET_URL


@pytest.mark.parametrize("url", ["http://hooks.slack.com/services/x", "ftp://example.com/hook"])
def test_only_https_webhooks_are_accepted(client, team, team_admin, url):
    client.force_login(team_admin)

    response = client.post("/teams/sales/webhooks/", {"kind": "teams", "url": url})

    assert response.status_code == 200
    assert (
        HTTPS_ONLY in response.content.decode() or "Enter a valid URL." in response.content.decode()
    )
    assert not TeamWebhook.objects.exists()


def test_members_cannot_read_or_change_webhooks(client, team, member):
    TeamWebhook.objects.create(team=team, kind="slack", url=SECRET_URL)
    client.force_login(member)

    assert (
        client.post("/teams/sales/webhooks/", {"kind": "slack", "url": SECRET_URL}).status_code
        == 403
    )
    assert "verysecrettoken" not in client.get("/teams/sales/").content.decode()


def test_disconnecting_removes_the_webhook(client, team, team_admin):
    webhook = TeamWebhook.objects.create(team=team, kind="teams", url=SECRET_URL)
    client.force_login(team_admin)

    client.post(f"/teams/sales/webhooks/{webhook.pk}/delete/")

    assert not TeamWebhook.objects.exists()


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        ("slack", "https://10.0.0.5/services/x"),
        ("slack", "https://localhost:8443/x"),
        ("teams", "https://hooks.slack.com.evil.example/x"),
        ("slack", "https://hooks.slack.com:8443/services/x"),
    ],
)
def test_webhooks_only_reach_slack_or_teams(client, team, team_admin, kind, url):
    from meetings.forms import NOT_SLACK_OR_TEAMS

    client.force_login(team_admin)

    response = client.post("/teams/sales/webhooks/", {"kind": kind, "url": url})

    assert NOT_SLACK_OR_TEAMS in response.content.decode()
    assert not TeamWebhook.objects.exists()


def test_a_teams_workflow_webhook_is_accepted(client, team, team_admin):
    client.force_login(team_admin)

    client.post("/teams/sales/webhooks/", {"kind": "teams",
                "url": "https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def"})  # fmt: skip

    assert TeamWebhook.objects.get().kind == "teams"
