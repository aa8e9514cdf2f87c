"""Running a meeting: the live insight round, late insights, start and end,
the presenter view, the star, actions, and the summary e-mail."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from insights import services as insight_services
from insights.forms import WHAT_NEEDS_DOING, WHO_DOES_IT
from insights.models import Action, Insight
from insights.services import submit_insight
from insights.summary import summary_for
from meetings import services
from meetings.models import ALREADY_STARTED, MEETING_LOCKED, Attendance, Meeting
from reminders.models import Message
from tests.factories import CustomerFactory, MembershipFactory, SeriesFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
HTMX = {"HTTP_HX_REQUEST": "true"}
NOW = dt.datetime(2026, 7, 6, 6, 30, tzinfo=UTC)
STARTS = dt.datetime(2026, 7, 6, 7, tzinfo=UTC)  # 09:00 in Brussels


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def meeting(team, facilitator, member, team_admin):
    """Alice, Bob and Carol are expected."""
    return services.create_meeting(
        team=team, title="Customer round", starts_at=STARTS, duration_minutes=30,
        facilitator=facilitator,
    )  # fmt: skip


def url(meeting, name: str, *extra) -> str:
    return reverse(f"meetings:{name}", args=[meeting.team.slug, meeting.pk, *extra])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def insight_data(team, customer: str, said: str = "They export to Excel every Monday.",
                 so_what: str = "We should build the export.") -> dict:  # fmt: skip
    return {
        "customer": CustomerFactory(name=customer),
        "conversation_date": dt.date(2026, 7, 3),
        "channel": "call",
        "said": said,
        "so_what": so_what,
    }


def submit(meeting, author, customer: str, **kwargs) -> Insight:
    return submit_insight(
        meeting=meeting, author=author, data=insight_data(meeting.team, customer, **kwargs)
    )


def excused(meeting, user, reason: str = "Customer visit") -> Attendance:
    return services.excuse(attendance=meeting.attendances.get(user=user), reason=reason)


# --- The insight round at a glance -------------------------------------------------


@pytest.fixture
def round_in_progress(meeting, member, team_admin):
    """Bob brought an insight, Carol is excused, Alice is missing."""
    submit(meeting, member, "Acme Logistics")
    excused(meeting, team_admin)
    return meeting


def assert_round_content(html: str) -> None:
    assert "<strong>1 of 2</strong> brought an insight" in html
    missing = html.split(">Missing</span>")[1].split("</p>")[0]
    assert "Alice Facilitator" in missing and "Bob Member" not in missing
    excused_line = html.split(">Excused</span>")[1].split("</p>")[0]
    assert "Carol Admin" in excused_line and "Customer visit" in excused_line
    assert "Acme Logistics" in html
    assert "They export to Excel every Monday." in html
    assert "We should build the export." in html
    assert "heard 3 days ago" in html


def test_the_agenda_page_shows_who_brought_an_insight_who_is_missing_and_excused(
    client, round_in_progress, facilitator
):
    client.force_login(facilitator)

    response = client.get(url(round_in_progress, "meeting-detail"))

    assert response.status_code == 200
    assert_round_content(response.content.decode())


def test_the_live_round_fragment_has_the_same_content(client, round_in_progress, member):
    client.force_login(member)

    response = client.get(url(round_in_progress, "meeting-round"), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="round"' in html
    assert_round_content(html)


def test_the_round_url_without_htmx_is_a_full_page(client, round_in_progress, member):
    client.force_login(member)

    response = client.get(url(round_in_progress, "meeting-round"))

    html = response.content.decode()
    assert "<html" in html
    assert_round_content(html)


def test_outsider_gets_404_on_the_round(client, meeting, outsider):
    client.force_login(outsider)

    assert client.get(url(meeting, "meeting-round"), **HTMX).status_code == 404
    assert client.get(url(meeting, "meeting-detail")).status_code == 404


def test_the_polled_round_brings_its_news_to_the_live_region_that_stays_put(
    client, round_in_progress, facilitator
):
    client.force_login(facilitator)

    page = client.get(url(round_in_progress, "meeting-detail")).content.decode()
    fragment = client.get(url(round_in_progress, "meeting-round"), **HTMX).content.decode()

    region = page.split('<p id="round-news"')[1].split("</p>")[0]
    assert 'role="status"' in region and "1 of 2 brought an insight." in region
    assert "aria-live" not in page.split('id="round"')[1].split("</section>")[0]
    news = fragment.split('<p id="round-news" hx-swap-oob="innerHTML">')[1].split("</p>")[0]
    assert news == "1 of 2 brought an insight."


def test_an_ended_meeting_stops_polling_the_round(client, meeting, facilitator):
    meeting.start()
    meeting.end()
    client.force_login(facilitator)

    html = client.get(url(meeting, "meeting-detail")).content.decode()

    assert 'hx-trigger="every 3s"' not in html


def growing(meeting, team, *, excuse: bool = False):
    """Fill the meeting to 5 attendees, then to 50, half of them with an insight (and
    with excuse, some excused); yields each size once it is reached."""
    added = 0
    for size in (5, 50):
        for n in range(size - added):
            user = UserFactory()
            MembershipFactory(team=team, user=user)
            services.add_attendee(meeting=meeting, user=user)
            if n % 2:
                submit(meeting, user, f"Customer {size}-{n}")
            elif excuse and n % 3 == 0:
                excused(meeting, user)
        added = size
        yield size


def test_the_round_fragment_query_count_does_not_grow_with_attendees(
    client, meeting, team, facilitator, django_assert_max_num_queries
):
    client.force_login(facilitator)
    counts = []
    for _size in growing(meeting, team, excuse=True):
        with django_assert_max_num_queries(11) as captured:
            assert client.get(url(meeting, "meeting-round"), **HTMX).status_code == 200
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]


# --- Polling an unchanged round ----------------------------------------------------------


def poll(client, meeting, etag=None):
    headers = {**HTMX, **({"HTTP_IF_NONE_MATCH": etag} if etag else {})}
    return client.get(url(meeting, "meeting-round"), **headers)


def test_an_unchanged_round_is_answered_304_without_a_body(client, round_in_progress, member):
    client.force_login(member)
    first = poll(client, round_in_progress)

    again = poll(client, round_in_progress, first["ETag"])

    assert first.status_code == 200 and first["ETag"]
    assert "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize(
    "change",
    ["a new insight", "an edited insight", "the star", "an excuse", "a presented insight",
     "a renamed attendee", "the meeting moved", "a new day"],
)  # fmt: skip
def test_any_change_to_the_round_is_a_new_answer(
    client, round_in_progress, member, change, time_machine
):
    meeting = round_in_progress
    client.force_login(member)
    etag = poll(client, meeting)["ETag"]
    insight = meeting.insights.first()
    if change == "a new insight":
        newcomer = UserFactory(name="Nina Newcomer")
        MembershipFactory(team=meeting.team, user=newcomer)
        services.add_attendee(meeting=meeting, user=newcomer)
        etag = poll(client, meeting)["ETag"]  # the new seat is a change of its own
        submit(meeting, newcomer, "Globex")
    elif change == "an edited insight":
        insight.so_what = "Something else entirely."
        insight.save()
    elif change == "the star":
        Insight.objects.filter(pk=insight.pk).update(is_starred=True)
    elif change == "an excuse":
        Attendance.objects.filter(meeting=meeting).exclude(user=insight.author).update(
            status=Attendance.Status.EXCUSED, excuse_reason="Sick"
        )
    elif change == "a presented insight":
        Attendance.objects.filter(meeting=meeting, user=insight.author).update(
            presented_at=timezone.now()
        )
    elif change == "a renamed attendee":
        type(insight.author).objects.filter(pk=insight.author_id).update(name="Renamed Person")
    elif change == "the meeting moved":
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=meeting.starts_at + dt.timedelta(hours=1),
                                                     ends_at=meeting.ends_at + dt.timedelta(hours=1))  # fmt: skip
    elif change == "a new day":  # "heard today" has become "heard yesterday"
        time_machine.move_to(NOW.replace(hour=22, minute=1), tick=False)  # 00:01 in Brussels

    answer = poll(client, meeting, etag)

    assert answer.status_code == 200
    assert answer["ETag"] != etag


def test_each_viewer_has_their_own_copy(client, round_in_progress, member, facilitator):
    client.force_login(member)
    members = poll(client, round_in_progress)["ETag"]
    client.force_login(facilitator)

    assert poll(client, round_in_progress, members).status_code == 200


def test_an_unchanged_round_costs_the_same_few_queries_at_any_size(
    client, meeting, team, facilitator, django_assert_max_num_queries
):
    client.force_login(facilitator)
    counts = []
    for _size in growing(meeting, team):
        etag = poll(client, meeting)["ETag"]
        with django_assert_max_num_queries(7) as captured:
            assert poll(client, meeting, etag).status_code == 304
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]


def test_the_agenda_page_query_count_does_not_grow_with_attendees(
    client, meeting, team, facilitator, django_assert_max_num_queries
):
    client.force_login(facilitator)
    counts = []
    for _size in growing(meeting, team):
        with django_assert_max_num_queries(14) as captured:
            assert client.get(url(meeting, "meeting-detail")).status_code == 200
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]


# --- Late insights ---------------------------------------------------------------------


def test_an_insight_before_the_start_is_on_time_and_after_it_is_late(
    time_machine, meeting, member, team_admin
):
    on_time = submit(meeting, member, "Acme Logistics")
    time_machine.shift(dt.timedelta(minutes=30))
    meeting.start()
    time_machine.shift(dt.timedelta(minutes=1))

    late = submit(meeting, team_admin, "Helios Energy")

    assert not on_time.is_late
    assert late.is_late
    meeting.refresh_from_db()
    assert meeting.started_at == NOW + dt.timedelta(minutes=30)


def test_an_insight_first_saved_after_the_scheduled_start_is_late_even_if_nobody_pressed_start(
    time_machine, meeting, member
):
    time_machine.move_to(meeting.starts_at - dt.timedelta(seconds=1))
    assert not submit(meeting, member, "Acme Logistics").is_late
    Insight.objects.all().delete()

    time_machine.move_to(meeting.starts_at + dt.timedelta(minutes=1))  # nobody pressed Start

    assert submit(meeting, member, "Helios Energy").is_late


def test_an_early_start_makes_insights_from_then_on_late(time_machine, meeting, member):
    time_machine.move_to(meeting.starts_at - dt.timedelta(minutes=10))
    meeting.start()
    time_machine.shift(dt.timedelta(minutes=1))

    assert submit(meeting, member, "Acme Logistics").is_late


def test_submitting_twice_updates_the_one_insight(time_machine, meeting, member):
    first = submit(meeting, member, "Acme Logistics")
    time_machine.shift(dt.timedelta(minutes=5))

    second = submit(meeting, member, "Helios Energy", said="They renew in June.")

    assert second.pk == first.pk
    assert Insight.objects.filter(meeting=meeting, author=member).count() == 1
    second.refresh_from_db()
    assert second.customer.name == "Helios Energy"
    assert second.said == "They renew in June."
    assert second.submitted_at == NOW


def test_the_late_badge_shows_on_the_round(client, time_machine, meeting, member, facilitator):
    meeting.start()
    time_machine.shift(dt.timedelta(minutes=1))
    submit(meeting, member, "Acme Logistics")
    client.force_login(facilitator)

    html = client.get(url(meeting, "meeting-round"), **HTMX).content.decode()

    assert "badge-late" in html


# --- Start and end ---------------------------------------------------------------------


def test_starting_twice_is_refused(meeting):
    meeting.start()

    with pytest.raises(ValidationError) as error:
        meeting.start()

    assert error.value.messages == [ALREADY_STARTED]


def test_a_meeting_nobody_started_can_still_be_ended(meeting):
    assert meeting.end()

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ENDED


def test_ending_twice_does_the_work_once(meeting):
    meeting.start()

    assert meeting.end() is True
    assert Meeting.objects.get(pk=meeting.pk).end() is False
    assert Message.objects.filter(kind=Message.Kind.SUMMARY).count() == 3


def test_a_skipped_meeting_cannot_be_ended(meeting):
    meeting.cancel()

    assert meeting.end() is False
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED


@pytest.mark.parametrize("early", [dt.timedelta(minutes=5), dt.timedelta(0),
                                   dt.timedelta(minutes=-20)])  # fmt: skip
def test_facilitator_starts_the_meeting_and_lands_in_the_presenter_view(
    client, time_machine, meeting, facilitator, early
):
    time_machine.move_to(STARTS - early, tick=False)
    client.force_login(facilitator)

    response = client.post(url(meeting, "meeting-start"))

    assert response["Location"] == url(meeting, "meeting-present") + "?at=0"
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.IN_PROGRESS


def test_alice_pressing_start_35_minutes_early_is_asked_first(
    client, time_machine, meeting, facilitator, member
):
    time_machine.move_to(STARTS - dt.timedelta(minutes=35), tick=False)
    submit(meeting, member, "Acme Logistics")
    client.force_login(facilitator)

    response = client.post(url(meeting, "meeting-start"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Start 35\xa0minutes early?" in html
    assert "Still to bring theirs: Alice Facilitator, Carol Admin." in html
    assert 'name="early" value="confirmed"' in html
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_five_minutes_and_a_second_early_is_already_asked(
    client, time_machine, meeting, facilitator
):
    time_machine.move_to(STARTS - dt.timedelta(minutes=5, seconds=1), tick=False)
    client.force_login(facilitator)

    assert client.post(url(meeting, "meeting-start")).status_code == 200
    meeting.refresh_from_db()
    assert meeting.is_scheduled


def test_alice_confirms_the_early_start_and_insights_from_then_on_are_late(
    client, time_machine, meeting, facilitator, member
):
    time_machine.move_to(STARTS - dt.timedelta(minutes=35), tick=False)
    client.force_login(facilitator)

    response = client.post(url(meeting, "meeting-start"), {"early": "confirmed"})

    assert response["Location"] == url(meeting, "meeting-present") + "?at=0"
    meeting.refresh_from_db()
    assert meeting.started_at == STARTS - dt.timedelta(minutes=35)
    time_machine.shift(dt.timedelta(minutes=1))
    assert submit(meeting, member, "Acme Logistics").is_late


def test_a_confirmation_for_a_started_meeting_explains_why_not(client, meeting, facilitator):
    meeting.start()
    client.force_login(facilitator)

    response = client.post(url(meeting, "meeting-start"), {"early": "confirmed"})

    assert response["Location"] == url(meeting, "meeting-detail")
    assert messages_of(response) == [ALREADY_STARTED]


def test_starting_a_started_meeting_through_the_view_explains_why_not(client, meeting, facilitator):
    meeting.start()
    client.force_login(facilitator)

    response = client.post(url(meeting, "meeting-start"))

    assert response["Location"] == url(meeting, "meeting-detail")
    assert messages_of(response) == [ALREADY_STARTED]


def test_member_cannot_start_or_end_a_meeting(client, meeting, member):
    client.force_login(member)

    assert client.post(url(meeting, "meeting-start")).status_code == 403
    assert client.post(url(meeting, "meeting-end")).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_ending_records_who_attended_and_who_was_absent(team, meeting, facilitator, member,
                                                        team_admin):  # fmt: skip
    dan = UserFactory(name="Dan Absent")
    erin = UserFactory(name="Erin Excused")
    for user in (dan, erin):
        MembershipFactory(team=team, user=user)
        services.add_attendee(meeting=meeting, user=user)
    submit(meeting, member, "Acme Logistics")
    excused(meeting, erin)
    meeting.start()
    services.mark_presented(attendance=meeting.attendances.get(user=facilitator))
    # Carol is excused but brought an insight anyway: she stays excused.
    excused(meeting, team_admin)
    submit(meeting, team_admin, "Helios Energy")

    meeting.end()

    statuses = dict(meeting.attendances.values_list("user__name", "status"))
    assert statuses == {
        "Alice Facilitator": Attendance.Status.ATTENDED,  # presented, no insight
        "Bob Member": Attendance.Status.ATTENDED,  # brought an insight
        "Carol Admin": Attendance.Status.EXCUSED,
        "Dan Absent": Attendance.Status.ABSENT,
        "Erin Excused": Attendance.Status.EXCUSED,
    }


def test_an_ended_meeting_is_locked(time_machine, meeting, member):
    meeting.start()
    time_machine.shift(dt.timedelta(minutes=30))

    meeting.end()
    ended = Meeting.objects.get(pk=meeting.pk)

    assert ended.status == Meeting.Status.ENDED
    assert ended.ended_at == NOW + dt.timedelta(minutes=30)
    item = services.add_agenda_item
    with pytest.raises(ValidationError) as error:
        item(meeting=ended, title="One more thing", minutes=5)
    assert error.value.messages == [MEETING_LOCKED]
    with pytest.raises(ValidationError):
        services.mark_presented(attendance=ended.attendances.get(user=member))


def test_agenda_edits_after_the_end_are_refused_through_the_view(client, meeting, facilitator):
    meeting.start()
    client.force_login(facilitator)
    client.post(url(meeting, "meeting-end"), {"unpresented": "confirmed"})

    response = client.post(url(meeting, "agenda-add"), {"title": "Too late", "minutes": 5})

    assert MEETING_LOCKED in messages_of(response)
    assert meeting.agenda_items.count() == 1


def test_facilitator_ends_the_meeting_and_sees_the_summary(
    client, meeting, facilitator, django_capture_on_commit_callbacks
):
    meeting.start()
    client.force_login(facilitator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(meeting, "meeting-end"), {"unpresented": "confirmed"})

    assert response["Location"] == url(meeting, "meeting-summary")
    assert client.get(response["Location"]).status_code == 200


def test_ending_before_everyone_presented_is_asked_first(
    client, meeting, facilitator, django_capture_on_commit_callbacks
):
    meeting.start()
    services.mark_presented(attendance=meeting.attendances.get(user=facilitator))
    client.force_login(facilitator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(meeting, "meeting-end"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Not presented yet: Bob Member, Carol Admin." in html
    assert 'name="unpresented" value="confirmed"' in html
    meeting.refresh_from_db()
    assert meeting.is_in_progress
    assert mail.outbox == []


def test_confirming_the_end_ends_the_meeting(client, meeting, facilitator):
    meeting.start()
    client.force_login(facilitator)

    response = client.post(url(meeting, "meeting-end"), {"unpresented": "confirmed"})

    assert response["Location"] == url(meeting, "meeting-summary")
    meeting.refresh_from_db()
    assert meeting.is_ended


def test_ending_after_everyone_presented_is_not_asked(client, meeting, facilitator):
    meeting.start()
    for attendance in meeting.attendances.all():
        services.mark_presented(attendance=attendance)
    client.force_login(facilitator)

    response = client.post(url(meeting, "meeting-end"))

    assert response["Location"] == url(meeting, "meeting-summary")


@pytest.mark.parametrize("name", ["meeting-start", "meeting-end"])
def test_opening_start_or_end_by_address_goes_back_to_the_meeting(
    client, meeting, facilitator, name
):
    client.force_login(facilitator)

    response = client.get(url(meeting, name))

    assert response["Location"] == url(meeting, "meeting-detail")
    meeting.refresh_from_db()
    assert meeting.is_scheduled


# --- The presenter view --------------------------------------------------------------


@pytest.fixture
def presenting(meeting, facilitator, member, team_admin):
    """Alice brought an insight, Bob did not, Carol brought one."""
    submit(meeting, facilitator, "Acme Logistics", said="They want SCIM.")
    submit(meeting, team_admin, "Helios Energy", said="They renew in June.")
    meeting.start()
    return meeting


def presenter(client, meeting, at) -> str:
    response = client.get(url(meeting, "meeting-present"), {"at": at})
    assert response.status_code == 200
    return response.content.decode()


def on_stage(html: str) -> str:
    return html.split('class="presenter-name">')[1].split("</h1>")[0]


def test_presenter_view_steps_through_attendees_by_name(client, presenting, facilitator):
    client.force_login(facilitator)

    names = [on_stage(presenter(client, presenting, at)) for at in (0, 1, 2)]

    assert names == ["Alice Facilitator", "Bob Member", "Carol Admin"]
    assert "They want SCIM." in presenter(client, presenting, 0)
    assert "2 of 3" in presenter(client, presenting, 1)


def test_presenter_view_says_when_an_attendee_brought_nothing(client, presenting, facilitator):
    client.force_login(facilitator)

    html = presenter(client, presenting, 1)

    assert "No insight this time." in html
    assert url(presenting, "meeting-present") + "?at=0" in html  # previous
    assert url(presenting, "meeting-present") + "?at=2" in html  # next


@pytest.mark.parametrize(("at", "name"), [(99, "Carol Admin"), (-5, "Alice Facilitator")])
def test_presenter_view_clamps_an_out_of_range_position(client, presenting, facilitator, at,
                                                        name):  # fmt: skip
    client.force_login(facilitator)

    assert on_stage(presenter(client, presenting, at)) == name


@pytest.mark.parametrize("at", ["abc", "", "1.5", "9" * 30])
def test_presenter_view_survives_a_nonsense_position(client, presenting, facilitator, at):
    client.force_login(facilitator)

    assert on_stage(presenter(client, presenting, at)) in {"Alice Facilitator", "Carol Admin"}


def test_presenter_view_leaves_out_excused_people_without_an_insight(
    client, meeting, facilitator, member
):
    excused(meeting, member)
    meeting.start()
    client.force_login(facilitator)

    names = [on_stage(presenter(client, meeting, at)) for at in (0, 1, 2)]

    assert names == ["Alice Facilitator", "Carol Admin", "Carol Admin"]


def test_the_last_presenter_offers_to_end_the_meeting(client, presenting, facilitator):
    client.force_login(facilitator)

    html = presenter(client, presenting, 2)

    assert url(presenting, "meeting-end") in html
    assert 'rel="next"' not in html


def test_member_gets_403_on_the_presenter_view(client, presenting, member):
    client.force_login(member)

    assert client.get(url(presenting, "meeting-present")).status_code == 403


def test_outsider_gets_404_on_the_presenter_view(client, presenting, outsider):
    client.force_login(outsider)

    assert client.get(url(presenting, "meeting-present")).status_code == 404


def test_marking_presented_goes_back_to_the_same_seat(client, presenting, facilitator, member):
    attendance = presenting.attendances.get(user=member)
    client.force_login(facilitator)

    response = client.post(url(presenting, "attendee-presented", attendance.pk), {"at": "1"})

    assert response["Location"] == url(presenting, "meeting-present") + "?at=1"
    attendance.refresh_from_db()
    assert attendance.presented_at == NOW


def test_the_presenter_view_is_a_stage_without_the_app_bar_and_with_the_action_form_closed(
    client, presenting, facilitator
):
    client.force_login(facilitator)

    html = presenter(client, presenting, 0)

    assert "<html" in html
    assert 'class="topbar"' not in html
    assert '<details id="action-panel" class="panel action-panel">' in html
    assert "data-fullscreen" in html


def test_the_speaking_order_marks_who_is_on_and_ticks_who_presented(
    client, presenting, facilitator
):
    services.mark_presented(attendance=presenting.attendances.get(user=facilitator))
    client.force_login(facilitator)

    html = presenter(client, presenting, 1)

    speakers = html.split('class="speakers"')[1].split("</ol>")[0]
    alice, bob, carol = (speakers.index(name) for name in
                         ("Alice Facilitator", "Bob Member", "Carol Admin"))  # fmt: skip
    assert alice < bob < carol
    assert 'aria-current="step">Bob Member</a>' in speakers
    assert '<span aria-hidden="true">✓ </span>Alice Facilitator' in speakers
    assert "(presented)" in speakers.split("Bob Member")[0]
    assert "(presented)" not in speakers.split("Bob Member")[1]
    assert "<strong>2 of 3</strong>" in html


def test_a_step_asked_by_htmx_is_the_stage_and_its_announcement_alone(
    client, presenting, facilitator
):
    client.force_login(facilitator)

    response = client.get(url(presenting, "meeting-present"), {"at": 1}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="stage"')
    assert on_stage(html) == "Bob Member"
    status = html.split('<div id="presenter-status" hx-swap-oob="innerHTML">')[1]
    assert "Now: Bob Member, 2 of 3." in status
    assert "HX-Request" in response["Vary"]


def test_going_back_to_a_step_htmx_no_longer_holds_gets_the_whole_page(
    client, presenting, facilitator
):
    client.force_login(facilitator)

    response = client.get(url(presenting, "meeting-present"), {"at": 1},
                          HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)  # fmt: skip

    assert "<html" in response.content.decode()


def test_marking_presented_with_htmx_updates_the_stage_in_place(
    client, presenting, facilitator, member
):
    attendance = presenting.attendances.get(user=member)
    client.force_login(facilitator)

    response = client.post(url(presenting, "attendee-presented", attendance.pk), {"at": "1"},
                           **HTMX)  # fmt: skip

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert on_stage(html) == "Bob Member"
    assert "✓ Presented" in html
    status = html.split('hx-swap-oob="innerHTML">')[1]
    assert "Bob Member presented." in status
    assert "Now:" not in status  # the same step: nothing to announce but the press
    attendance.refresh_from_db()
    assert attendance.presented_at == NOW


def test_a_message_shown_in_the_stage_is_not_shown_again_on_the_next_page(
    client, presenting, facilitator, member
):
    attendance = presenting.attendances.get(user=member)
    client.force_login(facilitator)
    client.post(url(presenting, "attendee-presented", attendance.pk), {"at": "1"}, **HTMX)

    assert "Bob Member presented." not in presenter(client, presenting, 1)


def test_marking_presented_from_the_agenda_goes_back_to_the_agenda(
    client, presenting, facilitator, member
):
    attendance = presenting.attendances.get(user=member)
    client.force_login(facilitator)

    response = client.post(url(presenting, "attendee-presented", attendance.pk))

    assert response["Location"] == url(presenting, "meeting-detail")


def test_the_presenter_stage_query_count_does_not_grow_with_attendees(
    client, meeting, team, facilitator, django_assert_max_num_queries
):
    meeting.start()
    client.force_login(facilitator)
    counts = []
    for size in growing(meeting, team, excuse=True):
        with django_assert_max_num_queries(9) as captured:
            response = client.get(url(meeting, "meeting-present"), {"at": size // 2}, **HTMX)
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]


# --- The star ---------------------------------------------------------------------------


def test_only_one_insight_is_starred_per_meeting(presenting):
    first, second = presenting.insights.order_by("author__name")

    insight_services.star_insight(insight=first)
    insight_services.star_insight(insight=Insight.objects.get(pk=second.pk))

    starred = list(presenting.insights.filter(is_starred=True))
    assert starred == [second]


def test_starring_the_starred_insight_again_removes_the_star(presenting):
    insight = presenting.insights.first()
    insight_services.star_insight(insight=insight)

    insight_services.star_insight(insight=Insight.objects.get(pk=insight.pk))

    assert not presenting.insights.filter(is_starred=True).exists()


def test_facilitator_moves_the_star_from_the_presenter_view(client, presenting, facilitator):
    first, second = presenting.insights.order_by("author__name")
    client.force_login(facilitator)

    client.post(url(presenting, "insight-star", first.pk), {"at": "0"})
    response = client.post(url(presenting, "insight-star", second.pk), {"at": "2"})

    assert response["Location"] == url(presenting, "meeting-present") + "?at=2"
    assert list(presenting.insights.filter(is_starred=True)) == [second]


def test_starring_a_second_insight_says_the_star_moved_from_the_first(
    client, presenting, facilitator
):
    alices, carols = presenting.insights.order_by("author__name")
    client.force_login(facilitator)
    first = client.post(url(presenting, "insight-star", alices.pk), {"at": "0"}, **HTMX)

    second = client.post(url(presenting, "insight-star", carols.pk), {"at": "2"}, **HTMX)

    assert (
        "Alice Facilitator&#x27;s insight is the insight of the meeting." in first.content.decode()
    )
    html = second.content.decode()
    assert "<html" not in html
    assert on_stage(html) == "Carol Admin"
    assert "★ Starred" in html
    assert "Star moved from Alice Facilitator&#x27;s insight." in html.split("hx-swap-oob")[1]
    assert list(presenting.insights.filter(is_starred=True)) == [carols]


def test_without_javascript_the_moved_star_is_said_on_the_page_it_comes_back_to(
    client, presenting, facilitator
):
    alices, carols = presenting.insights.order_by("author__name")
    insight_services.star_insight(insight=alices)
    client.force_login(facilitator)

    response = client.post(url(presenting, "insight-star", carols.pk), {"at": "2"}, follow=True)

    html = response.content.decode()
    assert response.redirect_chain == [(url(presenting, "meeting-present") + "?at=2", 302)]
    status = html.split('id="presenter-status"')[1]
    assert "Star moved from Alice Facilitator&#x27;s insight." in status


def test_starring_the_starred_insight_again_says_the_star_is_off(client, presenting, facilitator):
    insight = presenting.insights.first()
    insight_services.star_insight(insight=insight)
    client.force_login(facilitator)

    response = client.post(url(presenting, "insight-star", insight.pk), {"at": "0"})

    assert messages_of(response) == ["Star taken off."]


def test_an_insight_of_another_meeting_cannot_be_starred_here(
    client, presenting, team, facilitator, member
):
    other = services.create_meeting(team=team, title="Other", starts_at=STARTS,
                                    duration_minutes=30)  # fmt: skip
    foreign = submit(other, member, "Other customer")
    client.force_login(facilitator)

    response = client.post(url(presenting, "insight-star", foreign.pk))

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert not foreign.is_starred


# --- Actions ----------------------------------------------------------------------------


def test_facilitator_captures_an_action_caused_by_an_insight(
    client, presenting, facilitator, team_admin
):
    insight = presenting.insights.get(author=team_admin)
    client.force_login(facilitator)

    response = client.post(
        url(presenting, "action-add"),
        {"title": "Send Helios the renewal offer", "owner": team_admin.pk,
         "due_on": "2026-07-10", "insight": insight.pk, "at": "2"},
    )  # fmt: skip

    assert response["Location"] == url(presenting, "meeting-present") + "?at=2"
    action = Action.objects.get()
    assert (action.meeting, action.insight, action.owner, action.created_by) == (
        presenting, insight, team_admin, facilitator,
    )  # fmt: skip
    assert action.due_on == dt.date(2026, 7, 10)
    assert messages_of(response) == ["Action for Carol Admin captured."]


def test_an_insight_from_another_meeting_is_rejected_for_an_action(
    client, presenting, team, facilitator, member
):
    other = services.create_meeting(team=team, title="Other", starts_at=STARTS,
                                    duration_minutes=30)  # fmt: skip
    foreign = submit(other, member, "Other customer")
    client.force_login(facilitator)

    response = client.post(
        url(presenting, "action-add"),
        {"title": "Sneaky", "owner": member.pk, "insight": foreign.pk},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    caused_by = html.split('for="id_insight"')[1].split("</div>")[0]
    assert 'class="error" role="alert">Select a valid choice.' in caused_by
    assert '<details id="action-panel" class="panel action-panel" open>' in html
    assert not Action.objects.exists()


def test_an_action_captured_with_htmx_comes_back_as_the_stage_with_the_form_closed(
    client, presenting, facilitator, team_admin
):
    client.force_login(facilitator)

    response = client.post(url(presenting, "action-add"),
                           {"title": "Send Helios the offer", "owner": team_admin.pk, "at": "2"},
                           **HTMX)  # fmt: skip

    html = response.content.decode()
    assert "<html" not in html
    assert on_stage(html) == "Carol Admin"
    assert '<details id="action-panel" class="panel action-panel">' in html
    assert "Action for Carol Admin captured." in html.split("hx-swap-oob")[1]
    assert Action.objects.get().title == "Send Helios the offer"


def test_an_action_without_a_title_is_refused_next_to_the_field_in_the_open_form(
    client, presenting, facilitator, team_admin
):
    client.force_login(facilitator)

    response = client.post(url(presenting, "action-add"),
                           {"title": "  ", "owner": team_admin.pk, "at": "2"}, **HTMX)  # fmt: skip

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert on_stage(html) == "Carol Admin"
    assert '<details id="action-panel" class="panel action-panel" open>' in html
    title = html.split('for="id_title"')[1].split("</div>")[0]
    assert WHAT_NEEDS_DOING in title
    assert not Action.objects.exists()


def test_an_action_without_an_owner_asks_who_will_do_it(client, presenting, facilitator):
    client.force_login(facilitator)

    response = client.post(url(presenting, "action-add"),
                           {"title": "Send Helios the offer", "owner": "", "at": "2"}, **HTMX)  # fmt: skip

    html = response.content.decode()
    assert WHO_DOES_IT in html.split('for="id_owner"')[1].split("</div>")[0]
    assert "This field is required." not in html
    assert not Action.objects.exists()


def option_values(html: str, name: str) -> list[str]:
    select = html.split(f'name="{name}"')[1].split("</select>")[0]
    return [part.split('"')[0] for part in select.split('<option value="')[1:]]


def test_the_caused_by_list_follows_the_presenter_order(
    client, meeting, facilitator, member, team_admin
):
    carols = submit(meeting, team_admin, "Helios Energy")  # first in, last on stage
    bobs = submit(meeting, member, "Acme Logistics")
    alices = submit(meeting, facilitator, "Globex")
    meeting.start()
    client.force_login(facilitator)

    html = presenter(client, meeting, 1)

    assert option_values(html, "insight") == ["", str(alices.pk), str(bobs.pk), str(carols.pk)]
    assert f'<option value="{bobs.pk}" selected>Bob Member (Acme Logistics)</option>' in html


def due_radios(html: str) -> list[tuple[str, str, bool]]:
    """(value, label, checked) of each quick due-date choice."""
    fieldset = html.split('class="due-choices"')[1].split("</fieldset>")[0]
    radios = []
    for label in fieldset.split('<label class="chip-choice"')[1:]:
        value = label.split('value="')[1].split('"')[0]
        text = label.split(">", 2)[2].split("</label>")[0].strip()
        radios.append((value, text, " checked" in label.split(">")[1]))
    return radios


def test_the_due_date_offers_end_of_week_and_two_weeks_with_the_end_of_week_chosen(
    client, presenting, facilitator
):
    client.force_login(facilitator)

    radios = due_radios(presenter(client, presenting, 0))  # Monday 6 July

    assert radios == [
        ("2026-07-10", "End of this week · Fri 10 Jul", True),
        ("2026-07-20", "In two weeks · Mon 20 Jul", False),
        ("", "No due date", False),
    ]


def test_a_series_meeting_offers_its_next_meeting_as_a_due_date(client, team, facilitator, member):
    series = SeriesFactory(team=team, first_date=dt.date(2026, 7, 6),
                           rule="FREQ=WEEKLY;BYDAY=MO,TH")  # fmt: skip
    first, skipped, _monday_after = services.materialise_series(
        series=series, start=NOW, end=NOW + dt.timedelta(days=8)
    )
    skipped.cancel()
    first.start()
    client.force_login(facilitator)

    radios = due_radios(presenter(client, first, 0))

    assert ("2026-07-13", "Next meeting · Mon 13 Jul", False) in radios


@pytest.mark.parametrize(
    ("posted", "due_on"),
    [({"due": "2026-07-20"}, dt.date(2026, 7, 20)),
     ({"due": ""}, None),
     ({"due": "2026-07-10", "due_on": "2026-08-03"}, dt.date(2026, 8, 3)),
     ({"due_on": "2026-07-15"}, dt.date(2026, 7, 15))],
)  # fmt: skip
def test_the_due_date_is_the_quick_choice_unless_a_date_is_typed(
    client, presenting, facilitator, member, posted, due_on
):
    client.force_login(facilitator)

    client.post(url(presenting, "action-add"),
                {"title": "Call Acme", "owner": member.pk, "at": "1", **posted})  # fmt: skip

    assert Action.objects.get().due_on == due_on


def test_a_nonsense_quick_due_date_is_refused_next_to_the_choices(
    client, presenting, facilitator, member
):
    client.force_login(facilitator)

    response = client.post(url(presenting, "action-add"),
                           {"title": "Call Acme", "owner": member.pk, "at": "1", "due": "soon"})  # fmt: skip

    fieldset = response.content.decode().split('class="due-choices"')[1].split("</fieldset>")[0]
    assert "Enter a valid date." in fieldset
    assert not Action.objects.exists()


def test_an_owner_from_another_team_is_rejected_for_an_action(
    client, presenting, facilitator, outsider
):
    client.force_login(facilitator)

    client.post(url(presenting, "action-add"), {"title": "Sneaky", "owner": outsider.pk})

    assert not Action.objects.exists()


def test_member_gets_403_when_adding_an_action(client, presenting, member):
    client.force_login(member)

    response = client.post(url(presenting, "action-add"), {"title": "Mine", "owner": member.pk})

    assert response.status_code == 403
    assert not Action.objects.exists()


def test_open_actions_follow_the_series_until_they_are_done(
    client, time_machine, team, facilitator, member
):
    series = SeriesFactory(team=team, first_date=dt.date(2026, 7, 6), rule="FREQ=WEEKLY;BYDAY=MO")
    first, second, third = services.materialise_series(
        series=series, start=NOW, end=NOW + dt.timedelta(weeks=3)
    )
    first.start()
    insight_services.add_action(meeting=first, title="Call Acme back", owner=member, due_on=None,
                        by=facilitator)  # fmt: skip
    first.end()
    client.force_login(facilitator)

    assert "Call Acme back" in client.get(url(second, "meeting-detail")).content.decode()
    assert "Call Acme back" in client.get(url(third, "meeting-detail")).content.decode()

    action = Action.objects.get()
    response = client.post(
        reverse("meetings:action-toggle", args=[team.slug, action.pk]), {"meeting": second.pk}
    )

    assert response["Location"] == url(second, "meeting-detail") + "#actions"
    assert "Call Acme back" not in client.get(url(third, "meeting-detail")).content.decode()


def test_open_actions_of_a_one_off_meeting_stay_with_it(team, meeting, facilitator, member):
    meeting.start()
    insight_services.add_action(meeting=meeting, title="Call Acme back", owner=member, due_on=None,
                        by=facilitator)  # fmt: skip
    later = services.create_meeting(
        team=team, title="Next", starts_at=STARTS + dt.timedelta(days=7), duration_minutes=30
    )

    assert not Action.objects.following(later).exists()


def test_member_cannot_tick_off_an_action(client, meeting, facilitator, member):
    meeting.start()
    action = insight_services.add_action(meeting=meeting, title="Call", owner=member, due_on=None,
                                 by=facilitator)  # fmt: skip
    client.force_login(member)

    response = client.post(reverse("meetings:action-toggle", args=["sales", action.pk]))

    assert response.status_code == 403
    action.refresh_from_db()
    assert action.done_at is None


# --- The summary e-mail ---------------------------------------------------------------


@pytest.fixture
def summarised(team, meeting, facilitator, member, team_admin):
    """Alice and Bob brought insights, Carol is excused, Dan is missing and mutes summaries."""
    dan = UserFactory(name="Dan Quiet", email="dan@example.com", meeting_summaries=False)
    MembershipFactory(team=team, user=dan)
    services.add_attendee(meeting=meeting, user=dan)
    excused(meeting, team_admin)
    submit(meeting, facilitator, "Acme Logistics", so_what="Excel export is a must.")
    submit(meeting, member, "Helios Energy", so_what="Renewal is at risk.")
    meeting.start()
    insight_services.add_action(meeting=meeting, title="Send Helios the offer", owner=member,
                        due_on=dt.date(2026, 7, 10), by=facilitator)  # fmt: skip
    return meeting


def test_each_attendee_gets_one_summary_after_the_end(
    summarised, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        summarised.end()

    assert sorted(m.to[0] for m in mail.outbox) == [
        "alice@example.com", "bob@example.com", "carol@example.com",
    ]  # fmt: skip
    message = mail.outbox[0]
    assert "Customer round" in message.subject
    assert "2 of 3 brought an insight" in message.subject  # Carol is excused
    for text in (message.body, message.alternatives[0][0]):
        assert "Acme Logistics" in text and "Helios Energy" in text
        assert "Excel export is a must." in text and "Renewal is at risk." in text
        assert "Missing: Dan Quiet" in text
        assert "Excused: Carol Admin" in text
        assert "Send Helios the offer" in text


def test_the_summary_says_nobody_excused_rather_than_a_label_over_nobody(
    client, meeting, facilitator, member, team_admin, django_capture_on_commit_callbacks
):
    submit(meeting, facilitator, "Acme Logistics")
    submit(meeting, member, "Helios Energy")
    submit(meeting, team_admin, "Initech")
    meeting.start()
    with django_capture_on_commit_callbacks(execute=True):
        meeting.end()
    client.force_login(facilitator)

    page = client.get(url(meeting, "meeting-summary")).content.decode()

    message = mail.outbox[0]
    for text in (page, message.body, message.alternatives[0][0]):
        assert "Nobody excused." in text
        assert "Nobody missing." in text
        assert "Nobody marked as presenting." in text
        assert not re.search(r"(Excused|Missing|Presented)(</span>|:) nobody", text)


def test_people_who_mute_summaries_get_none(summarised, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        summarised.end()

    assert not [m for m in mail.outbox if "dan@example.com" in m.to]


def test_the_summary_is_sent_once(summarised, deliver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        summarised.end()
        Meeting.objects.get(pk=summarised.pk).end()

    deliver()
    assert len(mail.outbox) == 3
    assert Message.objects.filter(kind=Message.Kind.SUMMARY).count() == 4  # Dan's: skipped


def test_no_summary_leaves_before_the_end_commits(summarised, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        summarised.end()

    assert len(callbacks) == 1
    assert mail.outbox == []


def test_the_summary_subject_is_plain_text(team, facilitator, django_capture_on_commit_callbacks):
    meeting = services.create_meeting(team=team, title="Sales & Marketing's round",
                                      starts_at=STARTS, duration_minutes=30)  # fmt: skip
    meeting.start()

    with django_capture_on_commit_callbacks(execute=True):
        meeting.end()

    assert "Sales & Marketing's round" in mail.outbox[0].subject


SCRIPT = "<script>alert(1)</script>"


def test_html_in_an_insight_is_escaped_in_the_email_and_on_the_page(
    client, meeting, facilitator, member, django_capture_on_commit_callbacks
):
    submit(meeting, member, "Acme Logistics", said=SCRIPT, so_what=SCRIPT)
    client.force_login(facilitator)

    page = client.get(url(meeting, "meeting-detail")).content.decode()
    meeting.start()
    with django_capture_on_commit_callbacks(execute=True):
        meeting.end()
    summary = client.get(url(meeting, "meeting-summary")).content.decode()

    html_part = mail.outbox[0].alternatives[0][0]
    for html in (page, summary, html_part):
        assert SCRIPT not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert SCRIPT in mail.outbox[0].body  # the plain-text part is not HTML


def test_outsider_gets_404_on_the_summary(client, meeting, outsider):
    client.force_login(outsider)

    assert client.get(url(meeting, "meeting-summary")).status_code == 404


def test_summary_context_lists_the_star_first(meeting, facilitator, member):
    submit(meeting, facilitator, "Acme Logistics")
    starred = submit(meeting, member, "Helios Energy")
    insight_services.star_insight(insight=starred)

    context = summary_for(Meeting.objects.get(pk=meeting.pk))

    assert [i.customer.name for i in context["insights"]] == ["Helios Energy", "Acme Logistics"]


def test_the_summary_uses_each_recipients_time_zone(
    team, meeting, member, django_capture_on_commit_callbacks
):
    member.time_zone = "America/New_York"
    member.save()
    meeting.start()

    with django_capture_on_commit_callbacks(execute=True):
        meeting.end()

    bob = next(m for m in mail.outbox if m.to == ["bob@example.com"])
    alice = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    assert "Monday 6 July, 03:00" in bob.body
    assert "Monday 6 July, 09:00" in alice.body
    assert timezone.is_aware(meeting.starts_at)
