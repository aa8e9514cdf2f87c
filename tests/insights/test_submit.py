"""Submitting an insight: honest, never lost, never doubled, never another team's."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils.html import escape

from insights.forms import (
    HOW_TALKED,
    NOT_A_DATE,
    TOO_MANY_TAGS,
    WHAT_IT_MEANS,
    WHAT_SAID,
    WHEN_TALKED,
    WHICH_CUSTOMER,
)
from insights.freshness import IN_THE_FUTURE
from insights.models import Customer, Insight, Tag
from insights.services import submit_insight
from insights.views.submit import WILL_BE_LATE
from meetings import services
from tests.factories import CustomerFactory, InsightFactory, MeetingFactory, TagFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 7, 0, tzinfo=dt.UTC)  # Monday 09:00 in Brussels


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def meeting(team, member, facilitator):
    return services.create_meeting(
        team=team, title="Monday round", starts_at=NOW + dt.timedelta(hours=2), duration_minutes=30
    )


def form_data(**changes):
    data = {
        "customer": "Acme Logistics",
        "contact": "Head of planning",
        "conversation_date": "2026-05-29",
        "channel": "call",
        "said": "They export our weekly report to Excel every Monday to add the depot.",
        "so_what": "A depot filter would save them an hour a week.",
        "tags": "reporting, Exports",
        "segment": "Enterprise",
    }
    return {**data, **changes}


def url(meeting):
    return f"/teams/{meeting.team.slug}/meetings/{meeting.pk}/insight/"


def test_attendee_saves_an_insight_and_sees_it_saved(client, member, meeting):
    client.force_login(member)

    response = client.post(url(meeting), form_data(), follow=True)

    html = response.content.decode()
    assert "Saved ✓" in html
    assert f'data-saved-draft="insight-draft:{meeting.pk}:{member.pk}"' in html
    insight = Insight.objects.get()
    assert (insight.author, insight.meeting, insight.team) == (member, meeting, meeting.team)
    assert insight.customer.name == "Acme Logistics"
    assert insight.customer.segment == "Enterprise"
    assert sorted(t.name for t in insight.tags.all()) == ["exports", "reporting"]
    assert not insight.is_late


def test_once_saved_the_next_steps_are_the_round_the_meeting_and_home(client, member, meeting):
    client.force_login(member)

    html = client.post(url(meeting), form_data(), follow=True).content.decode()

    steps = html.split('aria-label="What next"')[1].split("</nav>")[0]
    assert re.findall(r'href="([^"]+)"', steps) == [
        f"/teams/sales/meetings/{meeting.pk}/round/", f"/teams/sales/meetings/{meeting.pk}/", "/",
    ]  # fmt: skip


def test_before_saving_there_is_no_next_step_to_take(client, member, meeting):
    client.force_login(member)

    assert "What next" not in client.get(url(meeting)).content.decode()


def test_the_form_shows_how_many_teammates_already_submitted(client, member, facilitator, meeting):
    InsightFactory(meeting=meeting, author=facilitator)
    client.force_login(member)

    html = client.get(url(meeting)).content.decode()

    assert "<strong>1 of 2</strong> have brought theirs" in html
    assert 'type="date"' in html and 'value="2026-06-01"' in html  # today, in my zone
    assert "Fresh means on or after Mon 18 May" in html  # hint before typing


def test_submitting_twice_updates_the_same_insight(client, member, meeting):
    client.force_login(member)

    client.post(url(meeting), form_data())
    response = client.post(url(meeting), form_data(so_what="Depot filter, and weekly e-mail."))

    assert response.status_code == 302
    assert Insight.objects.count() == 1
    assert Insight.objects.get().so_what == "Depot filter, and weekly e-mail."


def test_an_existing_customer_and_tags_are_reused_case_insensitively(client, member, meeting):
    acme = CustomerFactory(name="Acme Logistics")
    tag = TagFactory(team=meeting.team, name="reporting")
    client.force_login(member)

    client.post(url(meeting), form_data(customer="acme   logistics", tags="REPORTING"))

    insight = Insight.objects.get()
    assert insight.customer == acme
    assert list(insight.tags.all()) == [tag]


def test_a_customer_another_team_heard_is_the_same_customer(client, member, meeting, other_team):
    theirs = CustomerFactory(name="Acme Logistics")
    InsightFactory(customer=theirs, meeting__team=other_team)

    client.force_login(member)
    client.post(url(meeting), form_data(customer="ACME logistics"))

    assert Insight.objects.get(team=meeting.team).customer == theirs
    assert Customer.objects.count() == 1


def test_a_date_in_the_future_is_refused_next_to_the_field(client, member, meeting):
    client.force_login(member)

    response = client.post(url(meeting), form_data(conversation_date="2026-06-02"))

    assert response.status_code == 200
    assert IN_THE_FUTURE.replace("'", "&#x27;") in response.content.decode()
    assert not Insight.objects.exists()


def test_a_stale_conversation_is_refused(client, member, meeting):
    client.force_login(member)

    response = client.post(url(meeting), form_data(conversation_date="2026-05-17"))

    assert "Fresh means within 14 days of the meeting: on or after Mon 18 May." in (
        response.content.decode()
    )
    assert not Insight.objects.exists()


def test_a_near_copy_of_my_earlier_insight_is_refused(client, member, meeting, team):
    earlier = MeetingFactory(team=team, starts_at=NOW - dt.timedelta(days=7))
    InsightFactory(meeting=earlier, author=member, said=form_data()["said"])
    client.force_login(member)

    response = client.post(
        url(meeting),
        form_data(said="they export our weekly report to excel every monday, to add the depot!"),
    )

    assert "This is almost the same as your insight from" in response.content.decode()
    assert Insight.objects.count() == 1


def test_editing_my_own_insight_is_not_a_copy_of_itself(client, member, meeting):
    client.force_login(member)
    client.post(url(meeting), form_data())

    response = client.post(url(meeting), form_data(contact="COO"))

    assert response.status_code == 302
    assert Insight.objects.get().contact == "COO"


def test_a_second_tap_racing_the_first_is_not_a_copy_of_the_insight_it_saved(member, meeting):
    """A double tap under load: the second post's view found no insight yet, and the
    first post's was saved before the second was checked. Found by the all-hands
    burst (bench/burst.py), where that tap answered "almost the same as your insight"."""
    from django.utils import timezone

    from insights.forms import InsightForm

    second_tap = InsightForm(form_data(), meeting=meeting, author=member,
                             today=timezone.localdate(), instance=None)  # fmt: skip
    InsightFactory(meeting=meeting, author=member, said=form_data()["said"])  # the first tap's

    assert second_tap.is_valid(), second_tap.errors


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("said", "x" * 2001, "at most 2000 characters"),
        ("said", "Hello\x00world", "Null characters are not allowed."),
        ("so_what", "", WHAT_IT_MEANS),
        ("customer", "", WHICH_CUSTOMER),
        ("conversation_date", "2026-02-30", NOT_A_DATE),
        ("tags", ",".join(f"t{i}" for i in range(9)), TOO_MANY_TAGS),
    ],
)
def test_bad_input_is_explained_and_nothing_is_half_saved(
    client, member, meeting, field, value, message
):
    client.force_login(member)

    response = client.post(url(meeting), form_data(**{field: value}))

    assert response.status_code == 200
    assert escape(message) in response.content.decode()
    assert not Insight.objects.exists()
    assert not Customer.objects.exists()
    assert not Tag.objects.exists()


def focused(html: str) -> list[str]:
    """The names of the inputs the page puts the cursor in."""
    tags = re.findall(r"<(?:input|textarea|select)\b[^>]*>", html)
    return [re.search(r'name="([^"]+)"', t)[1] for t in tags if re.search(r"\bautofocus\b", t)]


def test_an_empty_submit_says_what_each_answer_needs_and_puts_the_cursor_in_the_first(
    client, member, meeting
):
    client.force_login(member)

    response = client.post(url(meeting), form_data(customer="", conversation_date="", channel="",
                                                   said="", so_what=""))  # fmt: skip

    html = response.content.decode()
    assert "This field is required." not in html
    for message in (WHICH_CUSTOMER, WHEN_TALKED, HOW_TALKED, WHAT_SAID, WHAT_IT_MEANS):
        assert html.count(escape(message)) == 2, "next to the field and in the summary"
    assert focused(html) == ["customer"]
    summary = html.split('data-testid="error-summary"')[1].split("</div>")[0]
    assert re.findall(r'href="#(\w+)"', summary) == [
        "id_customer", "id_conversation_date", "id_channel", "id_said", "id_so_what",
    ]  # fmt: skip


def test_the_cursor_goes_to_the_first_field_in_error_not_the_first_field(client, member, meeting):
    client.force_login(member)

    response = client.post(url(meeting), form_data(said=""))

    html = response.content.decode()
    assert focused(html) == ["said"]
    assert 'value="Acme Logistics"' in html, "what was typed stays"


def test_a_fresh_form_puts_the_cursor_nowhere(client, member, meeting):
    """On a phone an autofocus opens the keyboard over the count of who brought theirs."""
    client.force_login(member)

    html = client.get(url(meeting)).content.decode()

    assert focused(html) == []
    assert "error-summary" not in html


def test_html_is_stored_as_typed_and_shown_escaped(client, member, facilitator, meeting):
    client.force_login(member)
    client.post(url(meeting), form_data(said="<script>alert('x')</script> said the CTO"))
    client.force_login(facilitator)

    html = client.get(f"/teams/{meeting.team.slug}/meetings/{meeting.pk}/").content.decode()

    assert Insight.objects.get().said.startswith("<script>")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script>alert" not in html


def test_an_insight_first_saved_after_the_start_is_kept_and_flagged_late(
    member, facilitator, meeting, time_machine
):
    data = {"customer": CustomerFactory(), "conversation_date": dt.date(2026, 5, 30),
            "said": "On time", "so_what": "Fine"}  # fmt: skip
    on_time = submit_insight(meeting=meeting, author=member, data=data)
    assert not on_time.is_late

    time_machine.shift(dt.timedelta(hours=2))
    meeting.start()
    time_machine.shift(dt.timedelta(minutes=3))
    late = submit_insight(meeting=meeting, author=facilitator, data={**data, "said": "During"})

    assert late.is_late


@pytest.mark.parametrize(
    ("later", "start_it", "warned"),
    [(dt.timedelta(hours=1), False, False),
     (dt.timedelta(hours=1), True, True),  # a facilitator started it early
     (dt.timedelta(hours=2, minutes=1), False, True)],  # the clock did
)  # fmt: skip
def test_before_saving_into_a_meeting_under_way_the_form_warns_it_will_be_late(
    client, member, meeting, time_machine, later, start_it, warned
):
    time_machine.shift(later)
    if start_it:
        meeting.start()
    client.force_login(member)

    html = client.get(url(meeting)).content.decode()

    assert (WILL_BE_LATE in html) is warned


def test_an_insight_saved_on_time_is_not_warned_late_when_edited_after_the_start(
    client, member, meeting, time_machine
):
    client.force_login(member)
    client.post(url(meeting), form_data())
    time_machine.shift(dt.timedelta(hours=2, minutes=1))

    assert WILL_BE_LATE not in client.get(url(meeting)).content.decode()


def test_editing_an_on_time_insight_after_the_start_keeps_it_on_time(member, meeting, time_machine):
    data = {"customer": CustomerFactory(), "conversation_date": dt.date(2026, 5, 30),
            "said": "On time", "so_what": "Fine"}  # fmt: skip
    on_time = submit_insight(meeting=meeting, author=member, data=data)

    time_machine.shift(dt.timedelta(hours=2))
    meeting.start()
    time_machine.shift(dt.timedelta(minutes=3))
    edited = submit_insight(meeting=meeting, author=member, data={**data, "said": "Typo fixed"})

    assert edited.pk == on_time.pk
    assert edited.said == "Typo fixed"
    assert not edited.is_late


def test_another_teams_meeting_is_a_404(client, outsider, meeting):
    client.force_login(outsider)

    assert client.post(url(meeting), form_data()).status_code == 404
    assert not Insight.objects.exists()


def test_a_member_not_on_the_list_is_told_so(client, team, meeting):
    from tests.factories import MembershipFactory, UserFactory

    latecomer = UserFactory()
    MembershipFactory(team=team, user=latecomer)
    client.force_login(latecomer)

    assert client.get(url(meeting)).status_code == 403


def test_log_my_insight_goes_to_my_next_meeting_of_the_team(client, member, meeting, team):
    services.create_meeting(team=team, title="Later", starts_at=NOW + dt.timedelta(days=7),
                            duration_minutes=30)  # fmt: skip
    client.force_login(member)

    response = client.get(f"/teams/{team.slug}/insight/")

    assert response["Location"] == url(meeting)


def test_the_form_closes_when_the_meeting_ends(client, member, meeting, time_machine):
    time_machine.shift(dt.timedelta(hours=2))
    meeting.start()
    meeting.end()
    client.force_login(member)

    response = client.post(url(meeting), form_data())

    assert response.status_code == 410
    assert "This meeting is over" in response.content.decode()
    assert not Insight.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_first_submissions_make_one_insight(member, meeting):
    import threading

    from django.db import connection

    customer = CustomerFactory()
    barrier = threading.Barrier(2)
    errors = []

    def submit(text):
        try:
            barrier.wait(timeout=5)
            submit_insight(meeting=meeting, author=member, data={
                "customer": customer, "conversation_date": dt.date(2026, 5, 30),
                "said": text, "so_what": "Same person, double tap"})  # fmt: skip
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(t,)) for t in ("first tap", "second tap")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Insight.objects.filter(meeting=meeting, author=member).count() == 1
