from __future__ import annotations

import ipaddress
import re

import pytest
from django.utils.html import escape

from meetings import webhook_targets
from meetings.models import TeamWebhook
from meetings.webhook_targets import HTTPS_ONLY, NOT_FOUND, NOT_PUBLIC, NOT_SLACK_OR_TEAMS
from tests.conftest import A_PUBLIC_ADDRESS
from tests.html import Page

pytestmark = pytest.mark.django_db

SECRET_URL = "https://hooks.slack.com/services/T000/B000/verysecrettoken1234"
MASKED = "https://hooks.slack.com/services/T…/…1234"


def error_next_to_the_field(message: str) -> str:
    """How templates/_field.html and the admin's fieldset show a field's error."""
    return escape(message) + "</"


def not_public(address: str, why: str, host: str = "hooks.slack.com") -> str:
    return NOT_PUBLIC % {"host": host, "address": address, "why": why}


# --- The team settings page ---------------------------------------------------


def test_team_admin_connects_slack_and_the_address_is_never_shown_back(
    client, team, team_admin, dns
):
    dns["hooks.slack.com"] = [A_PUBLIC_ADDRESS]
    client.force_login(team_admin)

    response = client.post(
        "/teams/sales/webhooks/", {"kind": "slack", "url": SECRET_URL}, follow=True
    )

    html = response.content.decode()
    assert "Slack channel saved." in html
    assert "verysecrettoken" not in html
    assert MASKED in html
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
def test_webhooks_only_reach_slack_or_teams(client, team, team_admin, dns, kind, url):
    client.force_login(team_admin)

    response = client.post("/teams/sales/webhooks/", {"kind": kind, "url": url})

    assert NOT_SLACK_OR_TEAMS in response.content.decode()
    assert not TeamWebhook.objects.exists()


def test_a_teams_workflow_webhook_is_accepted(client, team, team_admin, dns):
    dns["contoso.webhook.office.com"] = [A_PUBLIC_ADDRESS]
    client.force_login(team_admin)

    client.post("/teams/sales/webhooks/", {"kind": "teams",
                "url": "https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def"})  # fmt: skip

    assert TeamWebhook.objects.get().kind == "teams"


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "a loopback address"),
        ("10.0.0.5", "a private address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("fd00:ec2::254", "a cloud metadata address"),
    ],
)
def test_carol_cannot_connect_slack_when_its_name_leads_into_our_network(
    client, team, team_admin, dns, address, why
):
    dns["hooks.slack.com"] = [address]
    client.force_login(team_admin)

    response = client.post("/teams/sales/webhooks/", {"kind": "slack", "url": SECRET_URL})

    assert response.status_code == 200
    assert error_next_to_the_field(not_public(address, why)) in response.content.decode()
    assert not TeamWebhook.objects.exists()


def test_one_private_address_among_public_ones_refuses_the_webhook(client, team, team_admin, dns):
    dns["hooks.slack.com"] = [A_PUBLIC_ADDRESS, "192.168.1.20"]
    client.force_login(team_admin)

    response = client.post("/teams/sales/webhooks/", {"kind": "slack", "url": SECRET_URL})

    assert not_public("192.168.1.20", "a private address") in response.content.decode()
    assert not TeamWebhook.objects.exists()


def test_an_address_whose_host_cannot_be_found_is_not_saved(client, team, team_admin, dns):
    client.force_login(team_admin)

    response = client.post("/teams/sales/webhooks/", {"kind": "slack", "url": SECRET_URL})

    assert escape(NOT_FOUND % {"host": "hooks.slack.com"}) in response.content.decode()
    assert not TeamWebhook.objects.exists()


# --- The Django admin ---------------------------------------------------------

ADMIN = "/admin/meetings/teamwebhook/"


def admin_form(team, **changes) -> dict:
    return {"team": team.pk, "kind": "slack", "url": SECRET_URL, "is_active": "on", **changes}


def test_olivia_never_sees_a_secret_address_in_the_admin(client, team, org_admin):
    webhook = TeamWebhook.objects.create(team=team, kind="slack", url=SECRET_URL)
    client.force_login(org_admin)

    pages = [client.get(ADMIN), client.get(f"{ADMIN}{webhook.pk}/change/")]

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "verysecrettoken" not in html and "B000" not in html
        assert MASKED in html


@pytest.mark.parametrize(
    ("url", "answer", "message"),
    [
        ("https://127.0.0.1/services/T/B/x", None, NOT_SLACK_OR_TEAMS),
        ("http://hooks.slack.com/services/T/B/x", None, HTTPS_ONLY),
        (SECRET_URL, "127.0.0.1", not_public("127.0.0.1", "a loopback address")),
        (SECRET_URL, "169.254.169.254", not_public("169.254.169.254", "a cloud metadata address")),
    ],
)
def test_olivia_cannot_point_a_webhook_into_our_network_from_the_admin(
    client, team, org_admin, dns, url, answer, message
):
    if answer:
        dns["hooks.slack.com"] = [answer]
    client.force_login(org_admin)

    response = client.post(f"{ADMIN}add/", admin_form(team, url=url))

    assert response.status_code == 200  # the form again, with the error
    assert error_next_to_the_field(message) in response.content.decode()
    assert not TeamWebhook.objects.exists()


def test_olivia_replaces_an_address_in_the_admin_and_an_empty_field_keeps_it(
    client, team, org_admin, dns
):
    dns["hooks.slack.com"] = [A_PUBLIC_ADDRESS]
    webhook = TeamWebhook.objects.create(team=team, kind="slack", url=SECRET_URL)
    client.force_login(org_admin)

    kept = client.post(f"{ADMIN}{webhook.pk}/change/", admin_form(team, url="", is_active=""))
    webhook.refresh_from_db()
    assert kept.status_code == 302
    assert (webhook.url, webhook.is_active) == (SECRET_URL, False)

    new = "https://hooks.slack.com/services/T000/B000/anothersecret5678"
    client.post(f"{ADMIN}{webhook.pk}/change/", admin_form(team, url=new))
    webhook.refresh_from_db()
    assert webhook.url == new


def test_olivia_cannot_keep_a_saved_address_that_now_leads_into_our_network(
    client, team, org_admin, dns
):
    dns["hooks.slack.com"] = ["10.1.2.3"]
    webhook = TeamWebhook.objects.create(team=team, kind="slack", url=SECRET_URL)
    client.force_login(org_admin)

    response = client.post(f"{ADMIN}{webhook.pk}/change/", admin_form(team, url=""))

    message = not_public("10.1.2.3", "a private address")
    assert error_next_to_the_field(message) in response.content.decode()
    assert "verysecrettoken" not in response.content.decode()


# --- The rule ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "a loopback address"),
        ("127.8.9.10", "a loopback address"),
        ("::1", "a loopback address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("10.0.0.5", "a private address"),
        ("172.16.3.4", "a private address"),
        ("192.168.1.20", "a private address"),
        ("fd12:3456::1", "a private address"),
        ("100.64.0.1", "a private address"),  # shared (carrier-grade NAT) space
        ("169.254.10.1", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("169.254.170.2", "a cloud metadata address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("100.100.100.200", "a cloud metadata address"),
        ("168.63.129.16", "a cloud metadata address"),
        ("64:ff9b::a9fe:a9fe", "a cloud metadata address"),  # 169.254.169.254 through NAT64
        ("0.0.0.0", "an unspecified address"),
        ("::", "an unspecified address"),
        ("224.0.0.1", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("240.0.0.1", "a reserved address"),
        ("198.18.0.1", "a private address"),  # benchmarking
    ],
)
def test_addresses_inside_a_network_are_refused(address, why):
    assert webhook_targets.refusal(ipaddress.ip_address(address)) == why


@pytest.mark.parametrize(
    "address", [A_PUBLIC_ADDRESS, "52.0.0.1", "2a05:d018::1", "64:ff9b::3478:0001"]
)
def test_public_addresses_are_allowed(address):
    assert webhook_targets.refusal(ipaddress.ip_address(address)) is None


def test_plain_http_is_accepted_only_where_a_setting_allows_it_for_development(dns, settings):
    dns["hooks.slack.com"] = [A_PUBLIC_ADDRESS]
    url = "http://hooks.slack.com/services/T000/B000/x"

    with pytest.raises(webhook_targets.ValidationError) as refused:
        webhook_targets.check("slack", url)
    settings.WEBHOOK_ALLOW_HTTP = True

    assert refused.value.messages == [HTTPS_ONLY]
    assert webhook_targets.check("slack", url) == [A_PUBLIC_ADDRESS]


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.slack.com",
        "https://hooks.slack.com/",
        "https://someone@hooks.slack.com/services/x",
        "https://hooks.slack.com:99999/services/x",
    ],
)
def test_an_address_without_a_webhook_path_or_with_credentials_is_refused(dns, url):
    dns["hooks.slack.com"] = [A_PUBLIC_ADDRESS]

    with pytest.raises(webhook_targets.ValidationError) as refused:
        webhook_targets.check("slack", url)

    assert refused.value.code == "not_a_webhook"


def test_the_slack_and_teams_forms_have_ids_of_their_own(client, team_admin, team):
    client.force_login(team_admin)

    html = client.get(f"/teams/{team.slug}/settings/").content.decode()

    ids = re.findall(r'\bid="(id_[^"]+)"', html)
    assert "id_slack_url" in ids and "id_teams_url" in ids
    assert len(ids) == len(set(ids))


def test_a_refused_address_opens_the_page_at_its_own_field(client, team_admin, team):
    """The Teams form is the last thing on a long page: a phone lands on its error."""
    client.force_login(team_admin)

    response = client.post("/teams/sales/webhooks/", {"kind": "teams", "url": "not an address"})

    assert response.status_code == 200
    assert Page(response.content.decode()).focused() == ["id_teams_url"]
    assert not TeamWebhook.objects.exists()


def test_the_settings_page_takes_no_focus_when_nothing_is_wrong(client, team_admin, team):
    client.force_login(team_admin)

    assert Page(client.get("/teams/sales/settings/").content.decode()).focused() == []


def test_adding_a_webhook_in_the_admin_asks_for_the_address_without_a_keep_hint(client, org_admin):
    client.force_login(org_admin)

    html = client.get("/admin/meetings/teamwebhook/add/").content.decode()

    assert "Leave empty to keep" not in html
    assert "Write-only" in html
