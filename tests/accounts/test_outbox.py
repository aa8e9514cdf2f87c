from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.mail import EmailMessage, EmailMultiAlternatives

pytestmark = pytest.mark.django_db

# Friday 27 March 2026, 08:07 UTC: 04:07 in New York, 09:07 in Brussels.
SENT = dt.datetime(2026, 3, 27, 8, 7, tzinfo=dt.UTC)


@pytest.fixture
def file_backend(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "outbox")


@pytest.fixture
def file_mail(file_backend):
    message = EmailMultiAlternatives(
        "Standup at 10:00 <b>today</b>",
        "4 of 7 have brought theirs: https://insights.example.com/submit/",
        to=["bob@example.com"],
    )
    message.attach_alternative(
        "<!doctype html><html><head><title>Standup</title></head><body><p>4 of 7</p>"
        '<a href="https://insights.example.com/submit/">Add my insight</a>'
        "<script>parent.document.title = 'owned'</script></body></html>",
        "text/html",
    )
    with time_machine.travel(SENT, tick=False):
        message.send()


def key_of_newest(client) -> str:
    return client.get("/outbox/").context["messages_sent"][0].key


def test_organisation_admin_reads_mail_the_embedded_backend_wrote(client, org_admin, file_mail):
    client.force_login(org_admin)

    listing = client.get("/outbox/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Standup at 10:00 &lt;b&gt;today&lt;/b&gt;" in html  # escaped, never rendered
    key = listing.context["messages_sent"][0].key

    text = client.get(f"/outbox/{key}/?part=text")
    assert text.status_code == 200
    assert 'href="https://insights.example.com/submit/"' in text.content.decode()


def test_the_message_page_shows_the_html_part_in_a_frame_that_runs_no_script(
    client, org_admin, file_mail
):
    client.force_login(org_admin)
    key = key_of_newest(client)

    page = client.get(f"/outbox/{key}/").content.decode()

    frame = page.split("<iframe", 1)[1].split(">", 1)[0]
    assert f'src="/outbox/{key}/html/"' in frame
    sandbox = frame.split('sandbox="', 1)[1].split('"', 1)[0].split()
    assert "allow-scripts" not in sandbox and "allow-same-origin" not in sandbox
    assert '<a href="?part=text"' in page  # the toggle to the plain-text part
    assert "4 of 7 have brought theirs" not in page  # that is the other part


def test_the_html_part_is_served_with_a_strict_policy_of_its_own_and_only_to_our_frame(
    client, org_admin, file_mail
):
    client.force_login(org_admin)
    key = key_of_newest(client)

    response = client.get(f"/outbox/{key}/html/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "<p>4 of 7</p>" in response.content.decode()
    directives = (d.strip().partition(" ") for d in response["Content-Security-Policy"].split(";"))
    policy = {name: value for name, _, value in directives}
    assert policy["default-src"] == "'none'"
    assert "script-src" not in policy  # so default-src 'none' forbids every script
    assert policy["frame-ancestors"] == "'self'"
    assert "allow-scripts" not in policy["sandbox"] and "allow-same-origin" not in policy["sandbox"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_the_html_parts_links_open_in_a_new_tab_as_from_a_mail_client(client, org_admin, file_mail):
    client.force_login(org_admin)

    html = client.get(f"/outbox/{key_of_newest(client)}/html/").content.decode()

    assert '<head><base target="_blank"><title>Standup</title>' in html


def test_every_other_page_still_refuses_to_be_framed(client, org_admin, file_mail):
    client.force_login(org_admin)

    response = client.get(f"/outbox/{key_of_newest(client)}/")

    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_outbox_dates_are_in_the_viewers_time_zone(client, org_admin, file_mail):
    org_admin.time_zone = "America/New_York"
    org_admin.save()
    client.force_login(org_admin)

    listing = client.get("/outbox/").content.decode()
    page = client.get(f"/outbox/{key_of_newest(client)}/").content.decode()

    for html in (listing, page):
        assert '<time datetime="2026-03-27T04:07:00-04:00">Fri 27 Mar, 04:07</time>' in html
        assert "+0000" not in html


def test_a_message_with_an_unreadable_date_still_shows(client, org_admin, file_backend):
    EmailMessage("Hello", "Text.", to=["bob@example.com"], headers={"Date": "soon"}).send()
    client.force_login(org_admin)

    response = client.get(f"/outbox/{key_of_newest(client)}/")

    assert response.status_code == 200
    assert "<dt>Date</dt><dd>–</dd>" in response.content.decode()


def test_a_plain_text_message_shows_its_text_and_has_no_html_part(client, org_admin, file_backend):
    EmailMessage("Hello", "Just text: https://insights.example.com/", to=["bob@example.com"]).send()
    client.force_login(org_admin)
    key = key_of_newest(client)

    page = client.get(f"/outbox/{key}/").content.decode()

    assert "Just text" in page and "<iframe" not in page and "?part=html" not in page
    assert client.get(f"/outbox/{key}/html/").status_code == 404


def test_an_unknown_part_shows_the_html_part(client, org_admin, file_mail):
    client.force_login(org_admin)

    response = client.get(f"/outbox/{key_of_newest(client)}/?part=%3Cscript%3E")

    assert response.status_code == 200
    assert "<iframe" in response.content.decode()


def test_members_cannot_read_the_outbox(client, member, file_mail):
    client.force_login(member)

    assert client.get("/outbox/").status_code == 403


def test_members_cannot_read_a_messages_html_part(client, member, org_admin, file_mail):
    client.force_login(org_admin)
    key = key_of_newest(client)
    client.force_login(member)

    assert client.get(f"/outbox/{key}/html/").status_code == 403


def test_unknown_outbox_message_is_404(client, org_admin, file_mail):
    client.force_login(org_admin)

    assert client.get("/outbox/nope.0/").status_code == 404
    assert client.get("/outbox/nope.0/html/").status_code == 404


def test_outbox_says_so_when_nothing_was_sent(client, org_admin, settings, tmp_path):
    settings.EMAIL_FILE_PATH = str(tmp_path / "empty")
    client.force_login(org_admin)

    assert b"Nothing sent yet" in client.get("/outbox/").content
