"""A double (or fivefold) tap on "Save": the same submission posted at once from one
phone. On PostgreSQL, with each post in its own connection, as gunicorn's workers
would handle them: one insight, one customer, one of each tag, and every tap answered
with the saved page."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from insights.models import Customer, Insight, Tag
from meetings import services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FORM = {
    "customer": "Brand New Customer", "contact": "Head of planning",
    "channel": "call", "said": "They export our weekly report to Excel every Monday.",
    "so_what": "A depot filter would save them an hour a week.",
    "tags": "double-tap, first-time", "segment": "Enterprise",
}  # fmt: skip


@pytest.mark.parametrize("taps", [2, 3, 5])
def test_a_submission_posted_several_times_at_once_saves_one_insight(team, member, taps):
    meeting = services.create_meeting(
        team=team, title="Monday round", starts_at=timezone.now() + dt.timedelta(hours=2),
        duration_minutes=30,
    )  # fmt: skip
    url = f"/teams/{team.slug}/meetings/{meeting.pk}/insight/"
    data = {**FORM, "conversation_date": timezone.localdate().isoformat()}
    clients = []
    for _ in range(taps):
        client = Client()
        client.force_login(member)
        clients.append(client)
    start = threading.Barrier(taps)
    answers: list = [None] * taps

    def tap(n: int) -> None:
        try:
            start.wait(10)
            answers[n] = clients[n].post(url, data, follow=True)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap, args=(n,)) for n in range(taps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert [a.status_code for a in answers] == [200] * taps
    assert all("Saved ✓" in a.content.decode() for a in answers)
    assert Insight.objects.filter(meeting=meeting, author=member).count() == 1
    assert Customer.objects.filter(name="Brand New Customer").count() == 1
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["double-tap", "first-time"]
