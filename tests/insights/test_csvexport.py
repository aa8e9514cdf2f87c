"""Every CSV download opens in a spreadsheet with its accents and curly quotes intact
(a UTF-8 byte-order mark), and writes every timestamp one way: ISO 8601 to the second
with its offset, in the exporting person's zone, which the column's header names."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from insights.csvexport import csv_cell
from insights.models import Insight
from tests.factories import CustomerFactory, InsightFactory, MeetingFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 7, 0, tzinfo=dt.UTC)  # Monday 09:00 in Brussels, 03:00 in New York
ISO_TO_THE_SECOND = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")
SOCIETE = "Société Générale d’Électricité"
SAID = "“Wir brauchen das Depot – nicht die Region”, said Ms Ødegård."


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def download(client, url: str, **query) -> bytes:
    return b"".join(client.get(url, query).streaming_content)


def spreadsheet(body: bytes) -> list[dict[str, str]]:
    """What a spreadsheet makes of the file: UTF-8 because of the mark, then CSV."""
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_an_accented_customer_and_curly_quotes_reach_the_spreadsheet_intact(client, team, member):
    InsightFactory(
        meeting=MeetingFactory(team=team, starts_at=NOW - dt.timedelta(days=1)),
        customer=CustomerFactory(name=SOCIETE), said=SAID, submitted_at=NOW,
    )  # fmt: skip
    client.force_login(member)

    body = download(client, "/insights/export.csv")

    assert body.startswith("\ufeff".encode())  # EF BB BF
    assert body.count("\ufeff".encode()) == 1  # once, not in front of every chunk
    (row,) = spreadsheet(body)
    assert (row["customer"], row["said"]) == (SOCIETE, SAID)


def test_every_download_starts_with_the_byte_order_mark(client, team, facilitator):
    client.force_login(facilitator)

    for url, query in [
        ("/insights/export.csv", {}),
        ("/customers/", {"export": "customers"}),
        ("/teams/sales/dashboard/", {"export": "people"}),
        ("/teams/sales/dashboard/", {"export": "grid"}),
    ]:
        response = client.get(url, query)
        assert response["Content-Type"] == "text/csv; charset=utf-8", url
        assert b"".join(response.streaming_content).startswith(b"\xef\xbb\xbf"), url


def test_every_timestamp_is_written_one_way_in_the_exporting_persons_zone(client, team, member):
    member.time_zone = "America/New_York"
    member.save()
    moments = [
        NOW,  # whole seconds: isoformat() alone wrote no microseconds for this one…
        NOW - dt.timedelta(hours=5, microseconds=123456),  # …and six digits for this
        dt.datetime(2026, 1, 12, 15, 30, tzinfo=dt.UTC),  # winter: another offset
    ]
    for moment in moments:
        InsightFactory(
            meeting=MeetingFactory(team=team, starts_at=moment + dt.timedelta(hours=1)),
            submitted_at=moment,
        )
    client.force_login(member)

    rows = spreadsheet(download(client, "/insights/export.csv"))

    cells = [row["submitted_at (America/New_York)"] for row in rows]
    assert all(ISO_TO_THE_SECOND.fullmatch(cell) for cell in cells), cells
    assert sorted(cells) == [
        "2026-01-12T10:30:00-05:00",
        "2026-05-31T21:59:59-04:00",
        "2026-06-01T03:00:00-04:00",
    ]
    stored = sorted(Insight.objects.values_list("submitted_at", flat=True))
    assert sorted(dt.datetime.fromisoformat(c) for c in cells) == [
        s.replace(microsecond=0) for s in stored
    ]


def test_csv_cell_writes_a_timestamp_in_the_zone_it_is_given():
    moment = dt.datetime(2026, 3, 29, 1, 30, 0, 500, tzinfo=dt.UTC)  # Brussels' DST night

    brussels = dt.timezone(dt.timedelta(hours=2))

    assert csv_cell(moment, dt.UTC) == "2026-03-29T01:30:00+00:00"
    assert csv_cell(moment, brussels) == "2026-03-29T03:30:00+02:00"
