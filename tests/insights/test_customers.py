"""One customer list for the organisation: the same name is the same customer for
every team, typos are renamed or merged away for good, coverage says who was heard
by which teams and who we are not hearing, and sharing is the org admins' choice."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from insights import participation
from insights.customers import MERGE_ITSELF, merge_customers, update_customer
from insights.models import Customer, CustomerAlias, Insight, SeatResult, Sharing
from insights.participation import Period
from meetings import services
from meetings.models import Membership
from tests.factories import CustomerFactory, InsightFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 7, 0, tzinfo=dt.UTC)  # Monday 09:00 in Brussels
TODAY = NOW.date()
COVERAGE = "/customers/"


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def held(team, author, customer, *, days_ago: int, said: str = "They said so."):
    """An insight about `customer` brought to a meeting of `team` that has ended."""
    starts = NOW - dt.timedelta(days=days_ago)
    meeting = services.create_meeting(team=team, title="Round", starts_at=starts,
                                      duration_minutes=30)  # fmt: skip
    insight = InsightFactory(meeting=meeting, author=author, customer=customer, said=said,
                             conversation_date=starts.date() - dt.timedelta(days=1))  # fmt: skip
    meeting.start()
    meeting.end()
    return insight


# --- One list, any name it has had -------------------------------------------


def test_two_teams_typing_the_same_name_get_one_customer(client, member, outsider, team):
    acme = CustomerFactory(name="Acme Logistics")
    held(team, member, acme, days_ago=3)
    client.force_login(member)

    html = client.get(acme.get_absolute_url()).content.decode()

    assert Customer.objects.count() == 1
    assert "Sales" in html


def test_a_rename_keeps_the_old_name_as_an_alias_that_finds_the_customer(team):
    typo = CustomerFactory(name="Acme Logistcs")

    update_customer(customer=typo, name="Acme Logistics", segment="Enterprise", tier="key")

    typo.refresh_from_db()
    assert typo.name == "Acme Logistics"
    assert typo.is_key
    assert Customer.objects.named("acme logistcs") == typo
    assert list(typo.aliases.values_list("name", flat=True)) == ["Acme Logistcs"]


def test_a_rename_to_a_taken_name_is_refused_next_to_the_field(client, facilitator, team):
    taken = CustomerFactory(name="Acme Logistics")
    typo = CustomerFactory(name="Acme Logistcs")
    held(team, facilitator, typo, days_ago=2)
    client.force_login(facilitator)

    response = client.post(f"/customers/{typo.pk}/edit/",
                           {"name": "ACME logistics", "segment": "", "tier": "standard"})  # fmt: skip

    assert response.status_code == 200
    assert "“Acme Logistics” is already a customer: merge into it instead." in (
        response.content.decode()
    )
    typo.refresh_from_db()
    assert typo.name == "Acme Logistcs"
    assert taken.aliases.count() == typo.aliases.count() == 0


def test_merging_a_typo_moves_its_insights_and_results_and_the_name_finds_the_target(
    client, facilitator, member, team
):
    right = CustomerFactory(name="Acme Logistics", segment="")
    typo = CustomerFactory(name="Acme Logistcs", segment="Enterprise", tier="key")
    moved = held(team, member, typo, days_ago=2)
    client.force_login(facilitator)

    review = client.post(f"/customers/{typo.pk}/edit/", {"merge": "1", "into": "acme logistics"})
    assert "Merge “Acme Logistcs” into “Acme Logistics”?" in review.content.decode()
    assert "1 insight moves" in review.content.decode()
    assert Customer.objects.filter(pk=typo.pk).exists()  # nothing happens before the confirm

    response = client.post(f"/customers/{typo.pk}/edit/",
                           {"merge": "1", "into": "Acme Logistics", "confirm": "True"})  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == right.get_absolute_url()
    assert not Customer.objects.filter(pk=typo.pk).exists()
    assert Insight.objects.get(pk=moved.pk).customer == right
    assert SeatResult.objects.get(insight=moved).customer == right
    right.refresh_from_db()
    assert (right.segment, right.tier) == ("Enterprise", "key")
    assert right.last_heard_on == moved.conversation_date
    assert Customer.objects.named("Acme Logistcs") == right
    assert client.get(f"/customers/{typo.pk}/")["Location"] == right.get_absolute_url()


def test_a_customer_other_teams_hear_too_is_the_org_admins_to_rename(
    client, facilitator, member, outsider, team, other_team, org_admin
):
    acme = CustomerFactory(name="Acme")
    held(team, member, acme, days_ago=2)
    held(other_team, outsider, acme, days_ago=3)
    rename = {"name": "Acme Corp", "segment": "", "tier": "standard"}

    client.force_login(facilitator)
    assert client.post(f"/customers/{acme.pk}/edit/", rename).status_code == 403
    assert "Rename or merge" not in client.get(acme.get_absolute_url()).content.decode()
    client.force_login(org_admin)
    assert client.post(f"/customers/{acme.pk}/edit/", rename).status_code == 302


def test_the_insight_form_finds_a_merged_name_instead_of_making_it_again(
    client, member, team, time_machine
):
    right = CustomerFactory(name="Acme Logistics")
    typo = CustomerFactory(name="Acme Logistcs")
    merge_customers(source=typo, into=right)
    meeting = services.create_meeting(team=team, title="Next", duration_minutes=30,
                                      starts_at=NOW + dt.timedelta(hours=3))  # fmt: skip
    client.force_login(member)

    client.post(f"/teams/sales/meetings/{meeting.pk}/insight/", {
        "customer": "acme logistcs", "conversation_date": TODAY.isoformat(), "channel": "call",
        "said": "They want exports per depot.", "so_what": "A depot filter.", "tags": "",
        "segment": "",
    })  # fmt: skip

    assert Insight.objects.get().customer == right
    assert Customer.objects.count() == 1


def test_a_merge_into_itself_or_an_unknown_name_is_explained(client, facilitator, team):
    acme = CustomerFactory(name="Acme")
    held(team, facilitator, acme, days_ago=2)
    client.force_login(facilitator)

    itself = client.post(f"/customers/{acme.pk}/edit/", {"merge": "1", "into": "Acme"})
    unknown = client.post(f"/customers/{acme.pk}/edit/", {"merge": "1", "into": "Nobody Ltd"})

    assert MERGE_ITSELF in itself.content.decode()
    assert "No customer is called “Nobody Ltd”." in unknown.content.decode()
    assert Customer.objects.filter(pk=acme.pk).exists()


def test_a_member_cannot_rename_and_a_facilitator_of_a_team_that_never_heard_them_neither(
    client, member, team, other_team
):
    acme = CustomerFactory(name="Acme")
    held(team, member, acme, days_ago=2)
    stranger = UserFactory(email="erin@example.com")
    MembershipFactory(team=other_team, user=stranger, role=Membership.Role.FACILITATOR)

    for person in (member, stranger):
        client.force_login(person)
        response = client.post(f"/customers/{acme.pk}/edit/",
                               {"name": "Renamed", "segment": "", "tier": "standard"})  # fmt: skip
        assert response.status_code == 403
    acme.refresh_from_db()
    assert acme.name == "Acme"


def test_an_authors_segment_fills_an_empty_one_but_never_overwrites(client, member, team):
    acme = CustomerFactory(name="Acme", segment="Enterprise")
    meeting = services.create_meeting(team=team, title="Next", duration_minutes=30,
                                      starts_at=NOW + dt.timedelta(hours=3))  # fmt: skip
    client.force_login(member)

    client.post(f"/teams/sales/meetings/{meeting.pk}/insight/", {
        "customer": "Acme", "conversation_date": TODAY.isoformat(), "channel": "call",
        "said": "They want exports per depot.", "so_what": "A depot filter.", "tags": "",
        "segment": "SMB",
    })  # fmt: skip

    acme.refresh_from_db()
    assert acme.segment == "Enterprise"


def test_last_heard_follows_an_edit_to_another_customer(client, member, team):
    meeting = services.create_meeting(team=team, title="Next", duration_minutes=30,
                                      starts_at=NOW + dt.timedelta(hours=3))  # fmt: skip
    client.force_login(member)
    form = {"conversation_date": TODAY.isoformat(), "channel": "call", "tags": "",
            "said": "They want exports per depot.", "so_what": "A depot filter.", "segment": ""}  # fmt: skip

    client.post(f"/teams/sales/meetings/{meeting.pk}/insight/", {**form, "customer": "Acme"})
    client.post(f"/teams/sales/meetings/{meeting.pk}/insight/", {**form, "customer": "Globex"})

    heard = dict(Customer.objects.values_list("name", "last_heard_on"))
    assert heard == {"Acme": None, "Globex": TODAY}


# --- Coverage -------------------------------------------------------------------


@pytest.fixture
def heard(team, other_team, member, outsider):
    """Acme heard by both teams, Globex by Sales; Initech (key) last heard long ago,
    Stark (key) never."""
    acme = CustomerFactory(name="Acme", segment="Enterprise")
    globex = CustomerFactory(name="Globex", segment="SMB")
    initech = CustomerFactory(name="Initech", segment="Enterprise", tier="key")
    stark = CustomerFactory(name="Stark", segment="Enterprise", tier="key")
    held(team, member, acme, days_ago=7)
    held(other_team, outsider, acme, days_ago=6)
    held(team, member, globex, days_ago=14)
    old = held(team, member, initech, days_ago=200)
    Customer.objects.filter(pk=initech.pk).update(last_heard_on=old.conversation_date)
    Customer.objects.filter(pk__in=[acme.pk, globex.pk]).update(last_heard_on=TODAY)
    return {"acme": acme, "globex": globex, "initech": initech, "stark": stark}


def test_coverage_says_who_was_heard_by_which_teams(client, member, heard):
    client.force_login(member)

    response = client.get(COVERAGE)

    rows = {r["customer"].name: r for r in response.context["heard_rows"]}
    assert set(rows) == {"Acme", "Globex"}
    assert rows["Acme"]["team_names"] == [("Engineering", 1), ("Sales", 1)]
    assert rows["Acme"]["insights"] == 2
    assert (response.context["key_heard"], response.context["key_total"]) == (0, 2)
    segments = {s.segment: (s.customers, s.heard, s.insights, len(s.teams))
                for s in response.context["segments"]}  # fmt: skip
    assert segments == {"Enterprise": (3, 1, 2, 2), "SMB": (1, 1, 1, 1)}


def test_the_unheard_list_puts_key_accounts_first_never_heard_first(client, member, heard):
    client.force_login(member)

    response = client.get(COVERAGE)

    assert [c.name for c, _n in response.context["unheard"]] == ["Stark", "Initech"]
    assert dict((c.name, n) for c, n in response.context["unheard"]) == {"Stark": 0, "Initech": 1}
    assert "never" in response.content.decode()


def test_every_coverage_table_downloads_as_csv(client, member, heard):
    client.force_login(member)

    def rows(export):
        response = client.get(COVERAGE, {"export": export})
        assert response["Content-Type"].startswith("text/csv")
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(body)))

    assert rows("segments")[1:] == [["Enterprise", "3", "1", "33.3", "2", "2"],
                                    ["SMB", "1", "1", "100.0", "1", "1"]]  # fmt: skip
    assert rows("customers")[1:] == [["Acme", "Enterprise", "Standard", "2", "Engineering (1); Sales (1)"],
                                     ["Globex", "SMB", "Standard", "1", "Sales (1)"]]  # fmt: skip
    unheard = rows("unheard")
    assert unheard[0] == ["customer", "segment", "tier", "last heard", "insights"]
    assert [r[0] for r in unheard[1:]] == ["Stark", "Initech"]


def test_coverage_costs_the_same_queries_at_two_sizes(
    client, member, team, django_assert_max_num_queries
):
    client.force_login(member)
    counts = []
    for size in (2, 12):
        for i in range(size):
            held(team, member, CustomerFactory(name=f"Customer {size}-{i}"), days_ago=i + 1)
        with django_assert_max_num_queries(16) as captured:
            assert client.get(COVERAGE).status_code == 200
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]


def test_a_teams_key_accounts_are_those_it_heard_this_year(team, member):
    key = CustomerFactory(name="Key Co", tier="key")
    held(team, member, key, days_ago=120)  # heard this year, not this quarter
    stage = participation.stages([team.pk], TODAY)[team.pk]
    assert stage.steps[4] is False

    held(team, member, key, days_ago=5)

    assert participation.stages([team.pk], TODAY)[team.pk].steps[4] is True


def test_a_period_counts_a_customer_once_whoever_heard_them(heard, team, other_team):
    period = Period.last_weeks(4, TODAY)

    assert participation.customers_heard(period, [team.pk, other_team.pk]) == 2


# --- Sharing ---------------------------------------------------------------------


def test_an_org_admin_restricts_sharing_and_members_then_see_counts_only(
    client, org_admin, member, team, other_team, outsider
):
    acme = CustomerFactory(name="Acme")
    held(other_team, outsider, acme, days_ago=3, said="Engineering's own story")
    client.force_login(org_admin)

    response = client.post("/customers/sharing/", {"other_teams": "counts"})

    assert response.status_code == 302
    assert Sharing.current().other_teams == Sharing.Scope.COUNTS
    assert Sharing.current().updated_by == org_admin
    client.force_login(member)
    html = client.get(acme.get_absolute_url()).content.decode()
    assert "Engineering's own story" not in html
    assert "shared as counts and dates only" in html
    assert "Engineering's own story" not in client.get("/insights/").content.decode()


def test_a_bad_sharing_choice_is_explained_and_nothing_changes(client, org_admin):
    client.force_login(org_admin)

    response = client.post("/customers/sharing/", {"other_teams": "everything"})

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not Sharing.objects.exists()


# --- The migration: per-team customers become one list ----------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_merges_customers_two_teams_named_alike():
    executor = MigrationExecutor(connection)
    executor.migrate([("insights", "0005_customers_across_teams")])
    apps = executor.loader.project_state([("insights", "0005_customers_across_teams")]).apps
    Team = apps.get_model("meetings", "Team")
    User = apps.get_model("accounts", "User")
    Meeting = apps.get_model("meetings", "Meeting")
    OldCustomer = apps.get_model("insights", "Customer")
    OldInsight = apps.get_model("insights", "Insight")
    sales = Team.objects.create(name="Sales", slug="sales")
    product = Team.objects.create(name="Product", slug="product")
    author = User.objects.create(email="bob@example.com", name="Bob")
    ids = []
    for team, name, segment in ((sales, "Acme", ""), (product, "ACME", "Enterprise")):
        customer = OldCustomer.objects.create(team=team, name=name, segment=segment)
        meeting = Meeting.objects.create(team=team, title="Round", starts_at=NOW,
                                         ends_at=NOW + dt.timedelta(minutes=30))  # fmt: skip
        ids.append(OldInsight.objects.create(
            team=team, meeting=meeting, author=author, customer=customer,
            conversation_date=TODAY, said="s", so_what="w",
        ).pk)  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    acme = Customer.objects.get()
    assert (acme.name, acme.segment, acme.last_heard_on) == ("Acme", "Enterprise", TODAY)
    assert set(Insight.objects.filter(pk__in=ids).values_list("customer_id", flat=True)) == {
        acme.pk
    }
    assert not CustomerAlias.objects.exists()
