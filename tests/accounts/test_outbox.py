from __future__ import annotations

import pytest
from django.core.mail import EmailMultiAlternatives

pytestmark = pytest.mark.django_db


@pytest.fixture
def file_mail(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "outbox")
    message = EmailMultiAlternatives(
        "Standup at 10:00 <b>today</b>",
        "4 of 7 have brought theirs: https://insights.example.com/submit/",
        to=["bob@example.com"],
    )
    message.attach_alternative("<p>4 of 7</p>", "text/html")
    message.send()


def test_organisation_admin_reads_mail_the_embedded_backend_wrote(client, org_admin, file_mail):
    client.force_login(org_admin)

    listing = client.get("/outbox/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Standup at 10:00 &lt;b&gt;today&lt;/b&gt;" in html  # escaped, never rendered
    key = listing.context["messages_sent"][0].key

    message = client.get(f"/outbox/{key}/")
    assert message.status_code == 200
    assert 'href="https://insights.example.com/submit/"' in message.content.decode()


def test_members_cannot_read_the_outbox(client, member, file_mail):
    client.force_login(member)

    assert client.get("/outbox/").status_code == 403


def test_unknown_outbox_message_is_404(client, org_admin, file_mail):
    client.force_login(org_admin)

    assert client.get("/outbox/nope.0/").status_code == 404


def test_outbox_says_so_when_nothing_was_sent(client, org_admin, settings, tmp_path):
    settings.EMAIL_FILE_PATH = str(tmp_path / "empty")
    client.force_login(org_admin)

    assert b"Nothing sent yet" in client.get("/outbox/").content
