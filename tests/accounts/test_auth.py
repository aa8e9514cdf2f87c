from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils.html import escape

from accounts.forms import WRONG_LOGIN
from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_people_log_in_with_their_email_in_any_case(client, member):
    response = client.post(
        "/accounts/login/", {"username": "Bob@Example.COM", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_password_is_explained_next_to_the_form(client, member):
    response = client.post("/accounts/login/", {"username": "bob@example.com", "password": "nope"})

    assert response.status_code == 200
    assert escape(WRONG_LOGIN) in response.content.decode()


def focused(html: str) -> list[str]:
    """The names of the inputs the page puts the cursor in."""
    tags = re.findall(r"<(?:input|textarea|select)\b[^>]*>", html)
    return [re.search(r'name="([^"]+)"', t)[1] for t in tags if re.search(r"\bautofocus\b", t)]


def test_the_login_page_opens_with_the_cursor_in_e_mail(client, db):
    assert focused(client.get("/accounts/login/").content.decode()) == ["username"]


def test_after_a_wrong_password_the_email_stays_and_the_cursor_is_on_the_password(client, member):
    """What people retype after "don't match" is the password, not their address."""
    response = client.post("/accounts/login/", {"username": "bob@example.com", "password": "nope"})

    html = response.content.decode()
    assert re.search(r'<input[^>]*name="username"[^>]*value="bob@example.com"', html)
    assert focused(html) == ["password"]


def test_a_missing_email_is_where_the_cursor_goes(client, db):
    response = client.post("/accounts/login/", {"username": "", "password": "nope"})

    assert focused(response.content.decode()) == ["username"]


def test_the_password_reset_form_asks_for_the_e_mail_as_the_login_form_does(client, db):
    html = client.get("/accounts/password-reset/").content.decode()

    assert re.search(r'<label for="id_email">E-mail</label>', html)
    assert focused(html) == ["email"]


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/")


def test_email_is_unique_ignoring_case(db):
    UserFactory(email="sam@example.com")

    with pytest.raises(Exception):  # noqa: B017 - IntegrityError, wrapped differently per backend
        User.objects.create_user("SAM@example.com", "pw", name="Sam Again")


def test_unknown_time_zone_is_rejected_with_a_clear_message(db):
    user = UserFactory.build(time_zone="Mars/Olympus_Mons")

    with pytest.raises(ValidationError) as error:
        user.full_clean()

    assert "not a known time zone" in str(error.value)


def test_password_reset_mails_a_link_that_sets_a_new_password(client, member, deliver):
    client.post("/accounts/password-reset/", {"email": "bob@example.com"})

    assert len(deliver()) == 1
    message = mail.outbox[0]
    assert message.to == ["bob@example.com"]
    assert message.alternatives, "an HTML part is sent too"
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert b"Choose a new password" in form_page.content
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-secret-42", "new_password2": "a-brand-new-secret-42"},
    )

    member.refresh_from_db()
    assert member.check_password("a-brand-new-secret-42")


def test_password_reset_does_not_reveal_unknown_addresses(client, db):
    response = client.post(
        "/accounts/password-reset/", {"email": "nobody@example.com"}, follow=True
    )

    assert b"Check your e-mail" in response.content
    assert mail.outbox == []


def test_logout_is_a_post(client, member):
    client.force_login(member)

    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
