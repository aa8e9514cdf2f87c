"""The insight library: every insight of my teams, and other teams' as far as the
organisation shares them (in full by default, or counts only), filtered, searched, exported as a spreadsheet that runs no formula, and each
insight with its meeting, the actions it caused and its reactions."""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.db import IntegrityError, connection, transaction
from django.http import StreamingHttpResponse
from django.shortcuts import resolve_url

from insights.csvexport import FORMULA_STARTS, csv_cell
from insights.models import Action, Insight, Reaction
from insights.search import search
from insights.views.library import CSV_COLUMNS, PAGE_SIZE
from meetings.models import Meeting, Membership
from tests.factories import (
    CustomerFactory,
    InsightFactory,
    MeetingFactory,
    MembershipFactory,
    TagFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 7, 0, tzinfo=dt.UTC)  # Monday 09:00 in Brussels
TODAY = NOW.date()
GIN_INDEX = importlib.import_module("insights.migrations.0009_search_document").GIN

LIBRARY = "/insights/"
EXPORT = "/insights/export.csv"


# The word-by-word fallback only runs on SQLite; PostgreSQL has its own tests below.
@pytest.fixture
def word_search(monkeypatch):
    """SQLite's word-by-word search, tested on whatever database runs the suite."""
    monkeypatch.setattr("insights.search.uses_full_text", lambda: False)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def insight_in(team, hours_ago=1, **fields):
    """An insight brought to its own meeting of `team`, submitted `hours_ago`."""
    fields.setdefault("meeting", MeetingFactory(team=team, starts_at=NOW - dt.timedelta(days=1)))
    fields.setdefault("submitted_at", NOW - dt.timedelta(hours=hours_ago))
    tags = fields.pop("tags", [])
    insight = InsightFactory(**fields)
    insight.tags.set(tags)
    return insight


def listed(response) -> list[Insight]:
    return list(response.context["page"].object_list)


def exported_rows(response) -> list[list[str]]:
    """Read as a spreadsheet does: the byte-order mark says UTF-8 and is no text."""
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def detail_url(insight) -> str:
    return f"/teams/{insight.team.slug}/insights/{insight.pk}/"


def react_url(insight) -> str:
    return f"/teams/{insight.team.slug}/insights/{insight.pk}/react/"


def customer_url(customer) -> str:
    return f"/customers/{customer.pk}/"


# --- Order and the Filters disclosure ------------------------------------------


def test_a_library_card_says_when_the_conversation_was_in_the_rounds_words(client, team, member):
    """The round says "heard yesterday"; the card says the same, the full date on hover."""
    meeting = MeetingFactory(team=team, starts_at=NOW + dt.timedelta(hours=3))
    insight = insight_in(team, meeting=meeting, conversation_date=TODAY - dt.timedelta(days=1))
    client.force_login(member)

    html = client.get(LIBRARY).content.decode()

    assert insight.heard == "heard yesterday"
    assert '<time datetime="2026-05-31" title="31 May 2026">heard yesterday</time>' in html
    assert "talked" not in html


def test_the_library_orders_by_the_conversation_date_each_card_shows(client, team, member):
    """Bob brought last week's call today, and this week's call yesterday."""
    this_week = insight_in(team, hours_ago=30, conversation_date=TODAY - dt.timedelta(days=1))
    last_week = insight_in(team, hours_ago=1, conversation_date=TODAY - dt.timedelta(days=8))
    client.force_login(member)

    response = client.get(LIBRARY)

    assert listed(response) == [this_week, last_week]
    html = response.content.decode()
    assert re.findall(r'<time datetime="([\d-]+)"', html) == ["2026-05-31", "2026-05-24"]
    assert "2 insights · newest conversation first" in html


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({}, None),
        ({"q": "exports"}, None),  # the search box is no filter
        ({"team": "sales"}, "1 on"),
        ({"team": "sales", "tag": "exports", "starred": "on", "q": "x"}, "3 on"),
        ({"start": "not a date"}, "1 on"),  # shown open, with its error
    ],
)
def test_the_filters_disclosure_says_how_many_filters_are_on(client, member, query, shown):
    client.force_login(member)

    html = client.get(LIBRARY, query).content.decode()

    summary = re.search(r'<details class="filter-more"( open)?>\s*<summary>(.*?)</summary>', html)
    if shown:
        assert summary[1] == " open"
        assert summary[2] == f'Filters <span class="pill">{shown}</span>'
    else:
        assert summary[1] is None
        assert summary[2] == "Filters"


# --- Who sees what ----------------------------------------------------------


def test_the_library_lists_my_teams_insights_newest_first(client, team, member):
    oldest = insight_in(team, hours_ago=30)
    newest = insight_in(team, hours_ago=1)
    middle = insight_in(team, hours_ago=5)
    client.force_login(member)

    response = client.get(LIBRARY)

    assert response.status_code == 200
    assert listed(response) == [newest, middle, oldest]
    assert "3 insights" in response.content.decode()


def test_by_default_every_member_reads_every_teams_insights(client, team, other_team, member):
    mine = insight_in(team, hours_ago=2, said="Our depot planner exports weekly.")
    theirs = insight_in(other_team, hours_ago=1, said="Engineering heard about the API.")
    client.force_login(member)

    response = client.get(LIBRARY)

    assert listed(response) == [theirs, mine]
    assert "Engineering heard about the API." in response.content.decode()


def test_with_counts_only_another_teams_insights_never_appear(
    client, team, other_team, member, outsider, counts_only
):
    mine = insight_in(team, said="Our depot planner exports weekly.")
    theirs = insight_in(other_team, said="Engineering secret roadmap talk.")

    client.force_login(member)
    member_view = client.get(LIBRARY)
    client.force_login(outsider)
    outsider_view = client.get(LIBRARY)

    assert listed(member_view) == [mine]
    assert "Engineering secret roadmap" not in member_view.content.decode()
    assert listed(outsider_view) == [theirs]
    assert "Our depot planner" not in outsider_view.content.decode()


def test_organisation_admin_sees_every_teams_insights(client, team, other_team, org_admin):
    sales = insight_in(team, hours_ago=2)
    engineering = insight_in(other_team, hours_ago=1)
    client.force_login(org_admin)

    assert listed(client.get(LIBRARY)) == [engineering, sales]


def test_an_anonymous_visitor_is_sent_to_log_in(client, team):
    insight = insight_in(team)

    for url in (LIBRARY, EXPORT, detail_url(insight), customer_url(insight.customer)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={quote(url)}"


def test_the_library_pages_by_page_size(client, team, member):
    insights = [insight_in(team, hours_ago=i + 1) for i in range(PAGE_SIZE + 5)]
    client.force_login(member)

    first = client.get(LIBRARY)
    second = client.get(LIBRARY, {"page": 2})

    assert listed(first) == insights[:PAGE_SIZE]
    assert listed(second) == insights[PAGE_SIZE:]
    assert "Page 2 of 2" in second.content.decode()
    assert f"{PAGE_SIZE + 5} insights" in second.content.decode()


def test_the_pager_keeps_the_filters(client, team, member):
    customer = CustomerFactory(name="Acme")
    for i in range(PAGE_SIZE + 1):
        insight_in(team, hours_ago=i + 1, customer=customer)
    client.force_login(member)

    html = client.get(LIBRARY, {"customer": "Acme"}).content.decode()

    assert "?customer=Acme&page=2" in html


# --- Filters ----------------------------------------------------------------


@pytest.fixture
def support(member):
    """A second team of Bob's, so the team filter has something to narrow."""
    support = TeamFactory(name="Support", slug="support")
    MembershipFactory(team=support, user=member)
    return support


@pytest.fixture
def pair(team, support, member, facilitator):
    """Two insights that differ in every filterable way: `match` and `other`."""
    MembershipFactory(team=support, user=facilitator)
    match = insight_in(
        team,
        hours_ago=2,
        author=member,
        customer=CustomerFactory(name="Acme", segment="Enterprise"),
        tags=[TagFactory(team=team, name="exports")],
        channel=Insight.Channel.VISIT,
        conversation_date=TODAY - dt.timedelta(days=3),
        is_starred=True,
    )
    other = insight_in(
        support,
        hours_ago=1,
        author=facilitator,
        customer=CustomerFactory(name="Globex", segment="SMB"),
        tags=[TagFactory(team=support, name="pricing")],
        channel=Insight.Channel.CALL,
        conversation_date=TODAY - dt.timedelta(days=10),
    )
    return match, other


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(lambda m: {"team": m.team.slug}, id="team"),
        pytest.param(lambda m: {"customer": m.customer.name}, id="customer"),
        pytest.param(lambda m: {"customer": "acm"}, id="customer-part"),
        pytest.param(lambda m: {"segment": "Enterprise"}, id="segment"),
        pytest.param(lambda m: {"tag": m.tags.get().name.upper()}, id="tag"),
        pytest.param(lambda m: {"channel": Insight.Channel.VISIT}, id="channel"),
        pytest.param(lambda m: {"author": "bob"}, id="author"),
        pytest.param(lambda m: {"start": (TODAY - dt.timedelta(days=5)).isoformat()}, id="from"),
        pytest.param(lambda m: {"start": m.conversation_date.isoformat()}, id="from-inclusive"),
        pytest.param(lambda m: {"starred": "on"}, id="starred"),
    ],
)
def test_each_filter_narrows_the_library(client, member, pair, query):
    match, other = pair
    client.force_login(member)
    assert listed(client.get(LIBRARY)) == [match, other]  # the newer conversation first

    response = client.get(LIBRARY, query(match))

    assert response.context["form"].errors == {}
    assert listed(response) == [match]


def test_a_date_range_ending_before_an_insight_leaves_it_out(client, member, pair):
    _match, other = pair
    client.force_login(member)

    response = client.get(LIBRARY, {"end": (TODAY - dt.timedelta(days=4)).isoformat()})

    assert listed(response) == [other]


def test_filters_combine(client, member, pair):
    match, _other = pair
    client.force_login(member)

    assert listed(client.get(LIBRARY, {"segment": "Enterprise", "starred": "on"})) == [match]
    assert listed(client.get(LIBRARY, {"segment": "Enterprise", "channel": "call"})) == []


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(lambda theirs: {"customer": theirs.customer.name}, id="customer"),
        pytest.param(lambda theirs: {"tag": "secret-tag"}, id="tag"),
        pytest.param(lambda theirs: {"team": theirs.team.slug}, id="team"),
        pytest.param(lambda theirs: {"author": theirs.author.name}, id="author"),
    ],
)
def test_with_counts_only_no_filter_reaches_another_teams_insights(
    client, team, other_team, member, query, counts_only
):
    mine = insight_in(team, said="Ours")
    theirs = insight_in(
        other_team,
        customer=CustomerFactory(name="Initech Secret"),
        tags=[TagFactory(team=other_team, name="secret-tag")],
        said="Theirs, confidential",
    )
    client.force_login(member)

    response = client.get(LIBRARY, query(theirs))

    html = response.content.decode()
    assert response.status_code == 200
    assert listed(response) == []
    assert mine and "Theirs, confidential" not in html


def test_the_tag_suggestions_are_my_teams_own(client, team, other_team, member):
    insight_in(
        team, customer=CustomerFactory(name="Acme"), tags=[TagFactory(team=team, name="ours")]
    )
    insight_in(
        other_team,
        customer=CustomerFactory(name="Initech", segment="Secret segment"),
        tags=[TagFactory(team=other_team, name="secret-tag")],
    )
    client.force_login(member)

    html = client.get(LIBRARY).content.decode()

    assert '<option value="ours">' in html
    assert '<option value="secret-tag">' not in html


# --- Search -----------------------------------------------------------------


def test_word_search_needs_every_word_somewhere(client, team, member, word_search):
    both = insight_in(
        team,
        hours_ago=2,
        said="They export the weekly report to Excel.",
        so_what="A depot filter would help.",
    )
    insight_in(team, hours_ago=1, said="They export to Excel.", so_what="Nothing about it.")
    client.force_login(member)

    assert listed(client.get(LIBRARY, {"q": "excel DEPOT"})) == [both]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("said", "The planner exports every Monday."),
        ("so_what", "The planner exports every Monday."),
        ("contact", "Head of exports"),
    ],
)
def test_word_search_looks_in_said_so_what_and_contact(
    client, team, member, field, value, word_search
):
    hit = insight_in(team, **{field: value})
    insight_in(team, said="Unrelated", so_what="Unrelated", contact="Someone")
    client.force_login(member)

    assert listed(client.get(LIBRARY, {"q": "export"})) == [hit]


def test_word_search_matches_words_across_customer_name_and_text(client, team, member, word_search):
    acme = CustomerFactory(name="Acme Logistics")
    hit = insight_in(team, customer=acme, said="The depot is too far.")
    insight_in(team, said="The depot is too far.")
    insight_in(team, customer=acme, said="Nothing else.")
    client.force_login(member)

    assert listed(client.get(LIBRARY, {"q": "logistics depot"})) == [hit]


def test_with_counts_only_search_never_reaches_another_team(
    client, team, other_team, member, counts_only
):
    insight_in(other_team, said="Pricing is too high for us.")
    client.force_login(member)

    assert listed(client.get(LIBRARY, {"q": "pricing"})) == []


def test_a_blank_search_lists_everything(client, team, member):
    insights = [insight_in(team, hours_ago=i + 1) for i in range(3)]
    client.force_login(member)

    assert listed(client.get(LIBRARY, {"q": "   "})) == insights


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("They keep exporting the report by hand.", "export"),
        ("They exported it twice last week.", "exports"),
        ("Pricing pages confuse them.", "priced"),
    ],
)
def test_postgres_search_finds_other_forms_of_a_word(client, team, member, text, query):
    hit = insight_in(team, said=text)
    insight_in(team, said="Onboarding was smooth.")
    client.force_login(member)

    assert listed(client.get(LIBRARY, {"q": query})) == [hit]


@pytest.mark.postgres
def test_postgres_search_excludes_a_word_with_a_minus(client, team, member):
    kept = insight_in(team, said="They export to Excel every week.")
    insight_in(team, said="The export is fine but the pricing is too high.")
    client.force_login(member)

    assert listed(client.get(LIBRARY, {"q": "export -pricing"})) == [kept]


@pytest.mark.postgres
def test_postgres_search_matches_a_quoted_phrase(client, team, member):
    phrase = insight_in(team, said="She reads the weekly report on Mondays.")
    insight_in(team, said="The report comes weekly but late.")
    client.force_login(member)

    assert listed(client.get(LIBRARY, {"q": '"weekly report"'})) == [phrase]


@pytest.mark.postgres
def test_postgres_search_needs_every_word_unless_told_or(client, team, member):
    both = insight_in(team, hours_ago=3, said="Excel export of the depot list.")
    excel = insight_in(team, hours_ago=2, said="Excel only.")
    depot = insight_in(team, hours_ago=1, said="Depot only.")
    client.force_login(member)

    assert listed(client.get(LIBRARY, {"q": "excel depot"})) == [both]
    assert set(listed(client.get(LIBRARY, {"q": "excel or depot"}))) == {both, excel, depot}


@pytest.mark.postgres
def test_postgres_search_ranks_the_best_match_first_even_if_older(client, team, member):
    best = insight_in(
        team,
        hours_ago=48,
        said="Export, export, export: exports are all they talk about.",
        so_what="Fix exporting.",
    )
    passing = insight_in(
        team, hours_ago=1, said="They mentioned an export once, among many things."
    )
    client.force_login(member)

    assert listed(client.get(LIBRARY, {"q": "export"})) == [best, passing]


@pytest.mark.postgres
def test_postgres_search_also_finds_the_customer_by_name(client, team, member):
    hit = insight_in(team, customer=CustomerFactory(name="Acme Logistics"))
    insight_in(team)
    client.force_login(member)

    assert listed(client.get(LIBRARY, {"q": "acme"})) == [hit]


@pytest.mark.postgres
def test_the_fulltext_gin_index_is_on_the_stored_document(team):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname = %s",
            [Insight._meta.db_table, GIN_INDEX],
        )
        (definition,) = cursor.fetchone()

    assert "USING gin (document)" in definition


@pytest.mark.postgres
def test_the_document_follows_every_write_bulk_and_edit_alike(team):
    insight = insight_in(team, said="They print the weekly report.", so_what="Paper.")
    Insight.objects.bulk_create([Insight(team=team, meeting=insight.meeting, author=UserFactory(),
                                         customer=insight.customer, conversation_date=TODAY,
                                         said="Bulk rows are found too.", so_what="")])  # fmt: skip
    query = SearchQuery("print", config="english")
    assert list(Insight.objects.filter(document=query)) == [insight]

    Insight.objects.filter(pk=insight.pk).update(said="They e-mail it now.", contact="Print shop")

    assert list(Insight.objects.filter(document=query)) == [insight]  # found by its contact now
    assert Insight.objects.filter(document=SearchQuery("bulk", config="english")).count() == 1


def explain_without_seqscan(queryset) -> str:
    with connection.cursor() as cursor:
        # SET LOCAL: undone when the test's transaction rolls back. A tiny table
        # is cheapest to scan whole; forbid that so the plan shows what it *can* use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # not the recency index either
    return queryset.explain()


@pytest.mark.postgres
def test_library_search_uses_the_gin_index(team, member):
    for i in range(20):
        insight_in(team, hours_ago=i + 1)
    # The bare search, so the only indexable condition left is the search's own.
    queryset = search(Insight.objects.all(), "export")

    assert GIN_INDEX in explain_without_seqscan(queryset)


@pytest.mark.postgres
def test_a_search_ranks_its_newest_matches_only(client, team, member, monkeypatch):
    monkeypatch.setattr("insights.search.RANKED", 3)
    older_best = insight_in(team, hours_ago=10, said="Export export export, all day.")
    newer = [insight_in(team, hours_ago=i + 1, said=f"One export, {i}.") for i in range(3)]
    client.force_login(member)

    shown = listed(client.get(LIBRARY, {"q": "export"}))

    assert older_best not in shown
    assert set(shown) == set(newer)


# --- Query count ------------------------------------------------------------


def test_library_query_count_does_not_grow_with_insights(
    client, team, member, django_assert_max_num_queries
):
    tags = [TagFactory(team=team, name=name) for name in ("exports", "pricing", "onboarding")]
    client.force_login(member)
    counts = []
    for size in (5, 40):
        Insight.objects.all().delete()
        for i in range(size):
            insight_in(team, hours_ago=i + 1, tags=tags[: i % 3 + 1], is_late=i % 2 == 0)

        with django_assert_max_num_queries(15) as captured:
            assert client.get(LIBRARY).status_code == 200
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]


def test_library_query_count_with_filters_does_not_grow_either(
    client, team, member, django_assert_max_num_queries
):
    tag = TagFactory(team=team, name="exports")
    client.force_login(member)
    counts = []
    for size in (5, 40):
        for i in range(size):
            insight_in(team, hours_ago=i + 1, tags=[tag], said=f"export number {i}")

        with django_assert_max_num_queries(15) as captured:
            assert client.get(LIBRARY, {"tag": tag.pk, "q": "export"}).status_code == 200
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]


# --- CSV export -------------------------------------------------------------


def test_the_export_streams_a_csv_with_the_columns_as_header(client, team, member):
    insight = insight_in(
        team,
        customer=CustomerFactory(name="Acme", segment="Enterprise"),
        tags=[TagFactory(team=team, name="pricing"), TagFactory(team=team, name="exports")],
        contact="Head of planning",
        channel=Insight.Channel.VIDEO,
        said="They export to Excel.",
        so_what="A depot filter.",
        is_late=True,
    )
    client.force_login(member)

    response = client.get(EXPORT)

    assert isinstance(response, StreamingHttpResponse)
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="insights-2026-06-01.csv"'
    header, *rows = exported_rows(response)
    assert header == ["submitted_at (Europe/Brussels)", *CSV_COLUMNS[1:]]
    assert len(rows) == 1
    row = dict(zip(CSV_COLUMNS, rows[0], strict=True))
    assert row["submitted_at"] == "2026-06-01T08:00:00+02:00"  # an hour ago, in Bob's zone
    assert row["team"] == "Sales"
    assert row["meeting"] == insight.meeting.title
    assert row["author"] == insight.author.name
    assert (row["customer"], row["segment"], row["contact"]) == (
        "Acme",
        "Enterprise",
        "Head of planning",
    )
    assert row["conversation_date"] == insight.conversation_date.isoformat()
    assert row["channel"] == "Video call"
    assert (row["said"], row["so_what"]) == ("They export to Excel.", "A depot filter.")
    assert row["tags"] == "exports, pricing"
    assert (row["late"], row["starred"]) == ("yes", "")


def test_the_meeting_date_in_the_export_is_the_teams_calendar_day(client, team, member):
    # 00:30 on 30 May in Brussels is still 29 May in UTC.
    meeting = MeetingFactory(team=team, starts_at=dt.datetime(2026, 5, 29, 22, 30, tzinfo=dt.UTC))
    insight_in(team, meeting=meeting)
    client.force_login(member)

    _header, row = exported_rows(client.get(EXPORT))

    assert row[CSV_COLUMNS.index("meeting_date")] == "2026-05-30"


def test_the_export_applies_the_same_filters_as_the_library(client, member, pair):
    match, _other = pair
    client.force_login(member)

    for query in ({"customer": match.customer.name}, {"starred": "on"}, {"team": "sales"}):
        listed_ids = [i.said for i in listed(client.get(LIBRARY, query))]
        rows = exported_rows(client.get(EXPORT, query))[1:]
        assert [r[CSV_COLUMNS.index("said")] for r in rows] == listed_ids == [match.said]


def test_the_export_applies_the_search(client, team, member):
    hit = insight_in(team, said="They export to Excel every week.")
    insight_in(team, said="Onboarding was smooth.")
    client.force_login(member)

    rows = exported_rows(client.get(EXPORT, {"q": "excel"}))[1:]

    assert [r[CSV_COLUMNS.index("said")] for r in rows] == [hit.said]


def test_with_counts_only_the_export_never_contains_another_teams_insights(
    client, team, other_team, member, counts_only
):
    insight_in(team, said="Ours")
    insight_in(other_team, said="Theirs")
    client.force_login(member)

    rows = exported_rows(client.get(EXPORT))[1:]

    assert [r[CSV_COLUMNS.index("said")] for r in rows] == ["Ours"]


def test_html_is_exported_exactly_as_typed(client, team, member):
    said = "<script>alert('x')</script> & <b>bold</b> \"quoted\", with a comma\nand a line"
    insight_in(team, said=said, customer=CustomerFactory(name="<i>Acme</i>"))
    client.force_login(member)

    _header, row = exported_rows(client.get(EXPORT))

    assert row[CSV_COLUMNS.index("said")] == said
    assert row[CSV_COLUMNS.index("customer")] == "<i>Acme</i>"


@pytest.mark.parametrize(
    "value", ['=HYPERLINK("http://evil")', "+1+1", "-2", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_a_formula_is_quoted_so_spreadsheets_show_it_as_text(client, team, member, value):
    assert value.startswith(FORMULA_STARTS)
    insight_in(
        team,
        said=value,
        so_what=value,
        contact=value,
        customer=CustomerFactory(name=value, segment=value),
        tags=[TagFactory(team=team, name=value)],
    )
    client.force_login(member)

    _header, row = exported_rows(client.get(EXPORT))

    for column in ("said", "so_what", "contact", "customer", "segment", "tags"):
        assert row[CSV_COLUMNS.index(column)] == "'" + value, column


@pytest.mark.parametrize(
    ("value", "cell"),
    [("fine", "fine"), ("", ""), (None, ""), ("a=b", "a=b"), ("=1", "'=1"), (-2, "'-2")],
)
def test_csv_cell_quotes_only_a_leading_formula_character(value, cell):
    assert csv_cell(value) == cell


def test_a_large_export_streams_in_chunks_with_few_queries(
    client, team, member, django_assert_max_num_queries
):
    rows = 3000
    customer = CustomerFactory(name="Acme")
    tag = TagFactory(team=team, name="exports")
    meetings = Meeting.objects.bulk_create(
        Meeting(team=team, title=f"Round {i}", starts_at=NOW, ends_at=NOW + dt.timedelta(hours=1))
        for i in range(rows)
    )
    insights = Insight.objects.bulk_create(
        Insight(team=team, meeting=meeting, author=member, customer=customer,
                conversation_date=TODAY, said=f"said {i}", so_what="so what",
                submitted_at=NOW - dt.timedelta(seconds=i))
        for i, meeting in enumerate(meetings)
    )  # fmt: skip
    Insight.tags.through.objects.bulk_create(
        Insight.tags.through(insight_id=insight.pk, tag_id=tag.pk) for insight in insights
    )
    client.force_login(member)

    # Session, user, the sharing setting and the segments to filter by, then the
    # insights and their tags chunk by chunk: never one query per row, and the first
    # rows come before the last are read.
    with django_assert_max_num_queries(7) as first:
        response = client.get(EXPORT)
        chunks = iter(response.streaming_content)
        next(chunks), next(chunks)
    with django_assert_max_num_queries(6):
        body = b"".join(chunks)

    assert len(first.captured_queries) <= 7
    parsed = list(csv.reader(io.StringIO(body.decode())))
    assert len(parsed) == rows - 1
    assert parsed[-1][CSV_COLUMNS.index("said")] == f"said {rows - 1}"
    assert {r[CSV_COLUMNS.index("tags")] for r in parsed} == {"exports"}


# --- Insight detail ---------------------------------------------------------


def test_the_detail_page_links_its_meeting_and_lists_the_actions_it_caused(
    client, team, member, facilitator
):
    meeting = MeetingFactory(team=team, title="Monday round", starts_at=NOW - dt.timedelta(days=1))
    insight = insight_in(team, meeting=meeting, author=member)
    Action.objects.create(
        meeting=meeting, insight=insight, title="Call Acme back", owner=facilitator
    )
    Action.objects.create(meeting=meeting, title="Unrelated follow-up", owner=facilitator)
    client.force_login(member)

    html = client.get(detail_url(insight)).content.decode()

    assert f'href="/teams/sales/meetings/{meeting.pk}/"' in html
    assert "Monday round" in html
    assert "Call Acme back" in html
    assert "Alice Facilitator" in html
    assert "Unrelated follow-up" not in html


def test_the_insight_page_names_the_author_who_brought_it_and_the_team_apart(
    client, team, member, facilitator
):
    meeting = MeetingFactory(team=team, title="Monday round", starts_at=NOW - dt.timedelta(days=1))
    insight = insight_in(
        team, meeting=meeting, author=member, conversation_date=TODAY - dt.timedelta(days=1)
    )
    client.force_login(facilitator)

    html = client.get(detail_url(insight)).content.decode()

    assert "by Bob Member · Sales</p>" in html
    assert "by Sales" not in html
    assert 'title="31 May 2026">heard on the day</time>' in html


def test_an_insight_with_no_actions_says_none_yet(client, team, member):
    insight = insight_in(team, author=member)
    client.force_login(member)

    assert "None yet." in client.get(detail_url(insight)).content.decode()


def test_a_reaction_toggles_on_then_off(client, team, member):
    insight = insight_in(team)
    client.force_login(member)

    response = client.post(react_url(insight), {"kind": Reaction.Kind.USEFUL})

    assert response.status_code == 302
    assert response["Location"] == detail_url(insight)
    assert list(Reaction.objects.values_list("user", "kind")) == [(member.pk, "useful")]
    html = client.get(detail_url(insight)).content.decode()
    assert 'aria-pressed="true">Useful · 1</button>' in html

    client.post(react_url(insight), {"kind": Reaction.Kind.USEFUL})

    assert not Reaction.objects.exists()
    assert (
        'aria-pressed="false">Useful · 0</button>'
        in client.get(detail_url(insight)).content.decode()
    )


def test_reaction_counts_add_up_across_people_and_kinds(client, team, member, facilitator):
    insight = insight_in(team)
    client.force_login(member)
    client.post(react_url(insight), {"kind": Reaction.Kind.USEFUL})
    client.post(react_url(insight), {"kind": Reaction.Kind.SURPRISING})
    client.force_login(facilitator)
    client.post(react_url(insight), {"kind": Reaction.Kind.USEFUL})

    html = client.get(detail_url(insight)).content.decode()

    assert 'aria-pressed="true">Useful · 2</button>' in html
    assert 'aria-pressed="false">Surprising · 1</button>' in html  # Bob's, not Alice's
    assert 'aria-pressed="false">Act on this · 0</button>' in html


# --- Back to the library the person came from -----------------------------------


def test_each_card_leads_to_its_insight_and_back_to_this_search_and_page(client, team, member):
    insights = [insight_in(team, hours_ago=i + 1, said="They export weekly.") for i in range(30)]
    client.force_login(member)
    came_from = f"{LIBRARY}?q=export&team=sales&page=2"

    html = client.get(came_from).content.decode()

    oldest = insights[-1]
    back = quote(came_from, safe="")
    assert f'href="{detail_url(oldest)}?back={back}"' in html
    page = client.get(f"{detail_url(oldest)}?back={back}").content.decode()
    assert f'<a class="back" href="{came_from.replace("&", "&amp;")}">← Library</a>' in page


def test_the_unfiltered_library_links_its_insights_plainly(client, team, member):
    insight = insight_in(team)
    client.force_login(member)

    html = client.get(LIBRARY).content.decode()

    assert f'href="{detail_url(insight)}"' in html
    assert '<a class="back" href="/insights/">' in client.get(detail_url(insight)).content.decode()


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/insights/?q=x",
        "//evil.example/insights/",
        "/\\evil.example/insights/",
        "javascript:alert(1)//insights/",
        "/customers/",
        "/insights/export.csv?q=x",
        "",
    ],
)
def test_a_back_address_that_is_not_our_library_leads_to_the_library(client, team, member, back):
    insight = insight_in(team)
    client.force_login(member)

    html = client.get(detail_url(insight), {"back": back}).content.decode()

    assert '<a class="back" href="/insights/">← Library</a>' in html


def test_a_reaction_keeps_the_way_back(client, team, member):
    insight = insight_in(team)
    client.force_login(member)
    back = "/insights/?tag=exports"

    page = client.get(detail_url(insight), {"back": back}).content.decode()
    assert f'action="{react_url(insight)}?back={quote(back, safe="")}"' in page.replace(
        "&amp;", "&"
    )
    response = client.post(
        f"{react_url(insight)}?back={quote(back, safe='')}", {"kind": Reaction.Kind.USEFUL}
    )

    assert response["Location"] == f"{detail_url(insight)}?back={quote(back, safe='')}"


def test_the_database_allows_one_reaction_per_person_and_kind(team, member):
    insight = insight_in(team)
    Reaction.objects.create(insight=insight, user=member, kind=Reaction.Kind.USEFUL)

    with pytest.raises(IntegrityError), transaction.atomic():
        Reaction.objects.create(insight=insight, user=member, kind=Reaction.Kind.USEFUL)

    Reaction.objects.create(insight=insight, user=member, kind=Reaction.Kind.ACT)
    assert "reaction_one_per_kind" in {c.name for c in Reaction._meta.constraints}
    assert insight.reactions.count() == 2


@pytest.mark.parametrize("kind", ["love", "", "USEFUL"])
def test_an_unknown_reaction_kind_is_ignored(client, team, member, kind):
    insight = insight_in(team)
    client.force_login(member)

    response = client.post(react_url(insight), {"kind": kind})

    assert response.status_code == 302
    assert not Reaction.objects.exists()


def test_reacting_needs_a_post(client, team, member):
    insight = insight_in(team)
    client.force_login(member)

    assert client.get(react_url(insight), {"kind": "useful"}).status_code == 405
    assert not Reaction.objects.exists()


def test_another_teams_member_reads_an_insight_without_its_meeting_link(client, team, outsider):
    insight = insight_in(team, said="Shared with the organisation")
    client.force_login(outsider)

    html = client.get(detail_url(insight)).content.decode()

    assert "Shared with the organisation" in html
    assert insight.meeting.get_absolute_url() not in html
    assert f"by {insight.author.name} · Sales</p>" in html


def test_with_counts_only_an_outsider_gets_404_for_an_insight_and_cannot_react(
    client, team, outsider, counts_only
):
    insight = insight_in(team)
    client.force_login(outsider)

    assert client.get(detail_url(insight)).status_code == 404
    assert client.post(react_url(insight), {"kind": "useful"}).status_code == 404
    assert not Reaction.objects.exists()


def test_an_insight_under_the_wrong_team_slug_is_404(client, team, support, member):
    insight = insight_in(team)
    client.force_login(member)

    assert client.get(f"/teams/support/insights/{insight.pk}/").status_code == 404


def test_organisation_admin_opens_any_teams_insight(client, team, org_admin):
    insight = insight_in(team, said="Seen by the admin")
    client.force_login(org_admin)

    assert "Seen by the admin" in client.get(detail_url(insight)).content.decode()


def test_a_removed_members_insight_shows_former_member(client, team, member, facilitator):
    kept = insight_in(team, author=facilitator)
    gone = insight_in(team, author=member)
    Membership.objects.filter(team=team, user=member).delete()
    client.force_login(facilitator)

    assert "Former member" not in client.get(detail_url(kept)).content.decode()
    html = client.get(detail_url(gone)).content.decode()
    assert "Bob Member" in html
    assert "Former member" in html


# --- Customer page ----------------------------------------------------------


def test_the_customer_page_lists_everything_heard_newest_conversation_first(
    client, team, member, facilitator
):
    acme = CustomerFactory(name="Acme", segment="Enterprise")
    # Submitted order differs from conversation order on purpose.
    older = insight_in(team, hours_ago=1, customer=acme, author=member,
                       conversation_date=TODAY - dt.timedelta(days=9))  # fmt: skip
    newest = insight_in(team, hours_ago=3, customer=acme, author=facilitator,
                        conversation_date=TODAY - dt.timedelta(days=4))  # fmt: skip
    middle = insight_in(team, hours_ago=2, customer=acme, author=member,
                        conversation_date=TODAY - dt.timedelta(days=6))  # fmt: skip
    insight_in(team, said="Another customer's story")
    client.force_login(member)

    response = client.get(customer_url(acme))

    html = response.content.decode()
    assert list(response.context["page"].object_list) == [newest, middle, older]
    assert "Another customer&#x27;s story" not in html
    assert "Enterprise · 3 insights from 1 team · last heard 4 days ago" in html


def test_a_customer_heard_today_was_last_heard_today(client, team, member):
    acme = CustomerFactory(name="Acme")
    insight_in(team, customer=acme, author=member, conversation_date=TODAY)
    client.force_login(member)

    html = client.get(customer_url(acme)).content.decode()

    assert "1 insight from 1 team · last heard today" in html


def test_a_customer_with_nothing_heard_says_so(client, team, member):
    acme = CustomerFactory(name="Acme")
    client.force_login(member)

    html = client.get(customer_url(acme)).content.decode()

    assert "Nothing heard from them yet." in html
    assert "last heard" not in html


def test_a_customer_two_teams_heard_shows_both_teams_insights(client, team, other_team, member):
    acme = CustomerFactory(name="Acme")
    insight_in(team, customer=acme, said="Sales heard this", conversation_date=TODAY)
    insight_in(other_team, customer=acme, said="Engineering heard that",
               conversation_date=TODAY - dt.timedelta(days=2))  # fmt: skip
    client.force_login(member)

    html = client.get(customer_url(acme)).content.decode()

    assert "Sales heard this" in html
    assert "Engineering heard that" in html
    assert "2 insights from 2 teams" in html


def test_with_counts_only_another_teams_insights_are_counts_and_dates(
    client, team, other_team, member, counts_only
):
    acme = CustomerFactory(name="Acme")
    insight_in(team, customer=acme, said="Sales heard this", conversation_date=TODAY)
    insight_in(other_team, customer=acme, said="Engineering heard that",
               conversation_date=dt.date(2026, 5, 20))  # fmt: skip
    client.force_login(member)

    html = client.get(customer_url(acme)).content.decode()

    assert "Sales heard this" in html
    assert "Engineering heard that" not in html
    assert "1 insight from other teams is shared as counts and dates only" in html
    assert '<th scope="row">Engineering</th><td class="num">1</td><td>20 May 2026</td>' in html


def test_an_unknown_customer_is_404(client, member):
    client.force_login(member)

    assert client.get("/customers/999999/").status_code == 404


# --- Escaping ---------------------------------------------------------------


@pytest.fixture
def hostile(team):
    author = UserFactory(email="mallory@example.com", name="<b>Mallory</b>")
    MembershipFactory(team=team, user=author)
    return insight_in(
        team,
        author=author,
        customer=CustomerFactory(name="<script>alert('c')</script>", segment="<i>seg</i>"),
        tags=[TagFactory(team=team, name="<img src=x onerror=alert(1)>")],
        contact="<u>contact</u>",
        said="<script>alert('said')</script> line one\nline two",
        so_what="<iframe src=evil></iframe>",
    )


@pytest.mark.parametrize(
    "url", [lambda i: LIBRARY, detail_url, lambda i: customer_url(i.customer)],
    ids=["library", "detail", "customer"],
)  # fmt: skip
def test_html_in_any_field_is_escaped(client, member, hostile, url):
    client.force_login(member)

    html = client.get(url(hostile)).content.decode()

    for raw in ("<script>alert", "<b>Mallory", "<iframe", "<img src=x", "<u>contact", "<i>seg"):
        assert raw not in html
    assert "&lt;script&gt;alert(&#x27;said&#x27;)&lt;/script&gt;" in html
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in html
    assert "&lt;iframe src=evil&gt;&lt;/iframe&gt;" in html


def test_a_library_beyond_the_count_cap_says_more_than(client, team, member, monkeypatch):
    monkeypatch.setattr("insights.views.library.COUNT_CAP", 3)
    for i in range(5):
        insight_in(team, hours_ago=i + 1)
    client.force_login(member)

    html = client.get(LIBRARY).content.decode()

    assert "More than 3 insights" in html


def test_a_tag_is_found_as_the_cards_show_it_or_by_part(client, team, member):
    tagged = insight_in(team, tags=[TagFactory(team=team, name="churn risk")])
    insight_in(team)
    client.force_login(member)

    for typed in ("#churn risk", "churn", "RISK"):
        assert listed(client.get(LIBRARY, {"tag": typed})) == [tagged], typed


def test_dates_the_wrong_way_round_are_explained_next_to_the_field(client, team, member):
    insight_in(team)
    client.force_login(member)

    response = client.get(LIBRARY, {"start": "2026-05-30", "end": "2026-05-01"})

    assert response.context["form"].errors == {
        "end": ["The first date must be on or before the last."]
    }
