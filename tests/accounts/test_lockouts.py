"""Password guessing, in every place a password is typed, and the limits on what a
request can make the app mail: keyed on the real client behind a proxy, and on the
person however their address is spelled."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone
from django.utils.html import escape

from accounts.lockout import TOO_MANY_FROM_CLIENT, TOO_MANY_LOGINS, TOO_MANY_PASSWORD_CHECKS
from insightboard.clients import client_ip
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"


def login(client, username, password=WRONG, path="/accounts/login/", **headers):
    return client.post(path, {"username": username, "password": password}, **headers)


def test_ten_wrong_passwords_lock_the_account_even_against_the_right_one(client, member):
    for _ in range(10):
        login(client, "bob@example.com")

    response = login(client, "bob@example.com", PASSWORD)

    assert response.status_code == 429
    assert escape(TOO_MANY_LOGINS) in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_login_is_locked_the_same_way(client, org_admin):
    for _ in range(10):
        login(client, "olivia@example.com", path="/admin/login/")

    response = login(client, "olivia@example.com", PASSWORD, path="/admin/login/")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_another_spelling_of_the_address_is_the_same_person(client, member):
    """While bob@example.com is locked, ' Bob@Example.com' and friends are too: the
    counter is per person, not per spelling."""
    for spelling in [" bob@example.com", "BOB@example.com", "bob@EXAMPLE.com "] * 4:
        login(client, spelling)

    for spelling in ["bob@example.com", " Bob@Example.COM"]:
        response = login(client, spelling, PASSWORD)
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session


def test_the_profiles_current_password_counts_like_a_login(client, member):
    client.force_login(member)
    change = {"name": member.name, "email": "robert@example.com", "time_zone": "UTC",
              "current_password": WRONG}  # fmt: skip
    for _ in range(10):
        client.post("/accounts/profile/", change)

    response = client.post("/accounts/profile/", {**change, "current_password": PASSWORD},
                           follow=True)  # fmt: skip

    assert escape(TOO_MANY_PASSWORD_CHECKS) in response.content.decode()
    assert response.redirect_chain[-1][0] == "/accounts/profile/"
    member.refresh_from_db()
    assert member.email == "bob@example.com"


def test_an_admin_unlocks_a_locked_account(client, member, org_admin):
    for _ in range(10):
        login(client, "bob@example.com", REMOTE_ADDR="203.0.113.9")
    assert AccessAttempt.objects.filter(username="bob@example.com").exists()

    client.force_login(org_admin)
    page = client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200 and b"bob@example.com" in page.content
    attempt = AccessAttempt.objects.get(username="bob@example.com")
    client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    client.logout()

    response = login(client, "bob@example.com", PASSWORD, REMOTE_ADDR="203.0.113.10")
    assert response.status_code == 302


# --- Behind a proxy ---------------------------------------------------------------


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = 0
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7",
                                   HTTP_X_FORWARDED_FOR="203.0.113.1")  # fmt: skip

    assert client_ip(request) == "198.51.100.7"


def test_behind_one_proxy_the_client_is_the_address_the_proxy_saw(settings):
    settings.TRUSTED_PROXIES = 1
    # The client wrote the first entry itself; the proxy appended the second.
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2",
                                   HTTP_X_FORWARDED_FOR="192.0.2.66, 203.0.113.1")  # fmt: skip

    assert client_ip(request) == "203.0.113.1"


def test_behind_a_proxy_one_clients_guessing_does_not_stop_another(client, settings, member):
    settings.TRUSTED_PROXIES = 1
    UserFactory(email="sofia@example.com", name="Sofia")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(30):  # guessing at many accounts from one address
        login(client, f"someone{n}@example.com", HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy)
    stopped = login(client, "sofia@example.com", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.1",
                    **proxy)  # fmt: skip
    assert stopped.status_code == 429
    assert escape(TOO_MANY_FROM_CLIENT) in stopped.content.decode()

    response = login(client, "bob@example.com", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.4",
                     **proxy)  # fmt: skip

    assert response.status_code == 302


def test_one_persons_typos_do_not_lock_out_colleagues_on_the_same_network(client, member):
    """An office behind one address: Sofia locks her own account, not Bob's way in."""
    UserFactory(email="sofia@example.com", name="Sofia")
    office = {"REMOTE_ADDR": "203.0.113.20"}
    for _ in range(12):
        login(client, "sofia@example.com", **office)

    assert login(client, "bob@example.com", PASSWORD, **office).status_code == 302


def test_a_locked_account_stays_locked_for_its_time_however_often_it_is_tried(
    client, member, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    for _ in range(10):
        login(client, "bob@example.com")
    time_machine.shift(dt.timedelta(minutes=10))
    assert login(client, "bob@example.com").status_code == 429  # trying meanwhile...
    time_machine.shift(dt.timedelta(minutes=6))

    assert login(client, "bob@example.com", PASSWORD).status_code == 302  # ...adds no time


# --- Password resets ----------------------------------------------------------------


def test_reset_links_are_built_from_site_url_whatever_the_host_header(
    client, member, deliver, settings
):
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = "https://insights.example.com"
    client.post("/accounts/password-reset/", {"email": "bob@example.com"},
                HTTP_HOST="localhost:9999")  # fmt: skip

    [message] = deliver()
    assert "localhost:9999" not in message.body
    assert re.search(r"https://insights\.example\.com/accounts/reset/\S+", message.body)


def test_resets_for_one_address_are_capped_without_saying_so(client, member, deliver):
    for _ in range(10):
        response = client.post("/accounts/password-reset/", {"email": " Bob@example.com"})
        assert response.status_code == 302

    assert len(deliver()) == 3


def test_a_client_asking_for_many_resets_is_told_to_wait(client, db):
    for n in range(20):
        client.post("/accounts/password-reset/", {"email": f"nobody{n}@example.com"})

    response = client.post("/accounts/password-reset/", {"email": "nobody@example.com"})

    assert response.status_code == 429
    assert b"Try again in an hour" in response.content
    assert mail.outbox == []


def test_a_password_reset_ends_the_accounts_lockout(client, member, deliver):
    for _ in range(10):
        login(client, "bob@example.com", REMOTE_ADDR="203.0.113.9")
    client.post("/accounts/password-reset/", {"email": "bob@example.com"})
    [message] = deliver()
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    new = {"new_password1": "a-brand-new-secret-42", "new_password2": "a-brand-new-secret-42"}
    client.post(form_page.redirect_chain[-1][0], new)

    response = login(client, "bob@example.com", "a-brand-new-secret-42", REMOTE_ADDR="198.51.100.3")

    assert response.status_code == 302
