"""The agenda: the insight round opens it and stays; items are added, moved,
edited and removed in place with htmx, or with plain forms (Post/Redirect/Get)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings import services
from meetings.models import MEETING_LOCKED, AgendaItem, Meeting

pytestmark = pytest.mark.django_db

UTC = dt.UTC
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def meeting(time_machine, team, facilitator, member):
    """30 minutes with Alice and Bob: the round takes 2 x 2 minutes."""
    time_machine.move_to(dt.datetime(2026, 7, 1, 8, tzinfo=UTC), tick=False)
    return services.create_meeting(
        team=team, title="Customer round", starts_at=dt.datetime(2026, 7, 6, 7, tzinfo=UTC),
        duration_minutes=30, facilitator=facilitator,
    )  # fmt: skip


@pytest.fixture
def items(meeting):
    return [
        services.add_agenda_item(meeting=meeting, title=title, minutes=5)
        for title in ("Pipeline review", "Follow-ups", "Hiring")
    ]


def url(meeting, name: str, *extra) -> str:
    return reverse(f"meetings:{name}", args=[meeting.team.slug, meeting.pk, *extra])


def titles(meeting) -> list[str]:
    return list(meeting.agenda_items.order_by("position").values_list("title", flat=True))


def the_round(meeting) -> AgendaItem:
    return meeting.agenda_items.get(kind=AgendaItem.Kind.ROUND)


def assert_fragment(response) -> str:
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="agenda"' in html
    assert "<html" not in html
    return html


def assert_back_to_meeting(response, meeting) -> None:
    assert response.status_code == 302
    assert response["Location"] == url(meeting, "meeting-detail") + "#agenda"


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- The insight round ------------------------------------------------------------


def test_a_new_meeting_opens_with_the_insight_round(meeting):
    first = meeting.agenda_items.order_by("position").first()

    assert first.is_round
    assert first.position == 0
    assert first.title == services.ROUND_TITLE
    assert first.minutes == 4


def test_new_items_come_after_the_round(meeting, items):
    assert titles(meeting) == [services.ROUND_TITLE, "Pipeline review", "Follow-ups", "Hiring"]
    assert [i.position for i in items] == [1, 2, 3]


@pytest.mark.parametrize("direction", [-1, 1])
def test_the_round_cannot_be_moved(meeting, items, direction):
    with pytest.raises(ValidationError) as error:
        services.move_agenda_item(item=the_round(meeting), direction=direction)

    assert error.value.messages == [services.ROUND_STAYS_FIRST]
    assert titles(meeting)[0] == services.ROUND_TITLE


def test_the_round_cannot_be_removed(meeting):
    with pytest.raises(ValidationError) as error:
        services.remove_agenda_item(item=the_round(meeting))

    assert error.value.messages == [services.ROUND_STAYS_FIRST]
    assert the_round(meeting)


def test_the_first_item_cannot_move_above_the_round(meeting, items):
    services.move_agenda_item(item=items[0], direction=-1)

    assert titles(meeting) == [services.ROUND_TITLE, "Pipeline review", "Follow-ups", "Hiring"]


def test_the_last_item_stays_last_when_moved_down(meeting, items):
    services.move_agenda_item(item=items[2], direction=1)

    assert titles(meeting)[-1] == "Hiring"


def test_removing_an_item_closes_the_gap(meeting, items):
    services.remove_agenda_item(item=items[0])

    positions = list(meeting.agenda_items.order_by("position").values_list("position", flat=True))
    assert positions == [0, 1, 2]
    services.add_agenda_item(meeting=meeting, title="Wrap-up", minutes=2)
    assert titles(meeting) == [services.ROUND_TITLE, "Follow-ups", "Hiring", "Wrap-up"]


# --- Through the views, with and without htmx --------------------------------------


def test_adding_an_item_with_htmx_returns_the_agenda_fragment(client, meeting, facilitator):
    client.force_login(facilitator)

    response = client.post(
        url(meeting, "agenda-add"), {"title": "Pipeline review", "minutes": 10}, **HTMX
    )

    html = assert_fragment(response)
    assert "Pipeline review" in html
    assert titles(meeting) == [services.ROUND_TITLE, "Pipeline review"]


def test_adding_an_item_without_htmx_redirects_back_to_the_meeting(client, meeting, facilitator):
    client.force_login(facilitator)

    response = client.post(url(meeting, "agenda-add"), {"title": "Pipeline review", "minutes": 10})

    assert_back_to_meeting(response, meeting)
    assert titles(meeting) == [services.ROUND_TITLE, "Pipeline review"]


def test_an_item_without_a_title_is_explained_in_the_fragment(client, meeting, facilitator):
    client.force_login(facilitator)

    response = client.post(url(meeting, "agenda-add"), {"title": "", "minutes": 10}, **HTMX)

    html = assert_fragment(response)
    assert "This field is required." in html
    assert meeting.agenda_items.count() == 1


def test_an_item_without_a_title_is_explained_on_a_page_without_htmx(client, meeting, facilitator):
    client.force_login(facilitator)

    response = client.post(url(meeting, "agenda-add"), {"title": "", "minutes": 10})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert meeting.agenda_items.count() == 1


def test_moving_an_item_with_htmx_returns_the_reordered_fragment(
    client, meeting, items, facilitator
):
    client.force_login(facilitator)

    response = client.post(url(meeting, "agenda-move", items[2].pk), {"direction": "up"}, **HTMX)

    html = assert_fragment(response)
    assert html.index("Hiring") < html.index("Follow-ups")
    assert titles(meeting) == [services.ROUND_TITLE, "Pipeline review", "Hiring", "Follow-ups"]


def test_moving_an_item_without_htmx_redirects_back_to_the_meeting(
    client, meeting, items, facilitator
):
    client.force_login(facilitator)

    response = client.post(url(meeting, "agenda-move", items[0].pk), {"direction": "down"})

    assert_back_to_meeting(response, meeting)
    assert titles(meeting) == [services.ROUND_TITLE, "Follow-ups", "Pipeline review", "Hiring"]


def test_moving_the_round_with_htmx_explains_it_stays_first(client, meeting, items, facilitator):
    client.force_login(facilitator)

    response = client.post(
        url(meeting, "agenda-move", the_round(meeting).pk), {"direction": "down"}, **HTMX
    )

    assert services.ROUND_STAYS_FIRST in assert_fragment(response)
    assert titles(meeting)[0] == services.ROUND_TITLE


def test_removing_the_round_without_htmx_explains_it_stays_first(client, meeting, facilitator):
    client.force_login(facilitator)

    response = client.post(url(meeting, "agenda-delete", the_round(meeting).pk))

    assert_back_to_meeting(response, meeting)
    assert messages_of(response) == [services.ROUND_STAYS_FIRST]
    assert the_round(meeting)


def test_the_page_offers_no_move_or_remove_buttons_for_the_round(client, meeting, facilitator):
    client.force_login(facilitator)
    round_id = the_round(meeting).pk

    html = client.get(url(meeting, "meeting-detail")).content.decode()

    assert url(meeting, "agenda-move", round_id) not in html
    assert url(meeting, "agenda-delete", round_id) not in html
    assert url(meeting, "agenda-edit", round_id) in html


def test_removing_an_item_with_htmx_returns_the_fragment_without_it(
    client, meeting, items, facilitator
):
    client.force_login(facilitator)

    response = client.post(url(meeting, "agenda-delete", items[1].pk), **HTMX)

    assert "Follow-ups" not in assert_fragment(response)
    assert titles(meeting) == [services.ROUND_TITLE, "Pipeline review", "Hiring"]


def test_removing_an_item_without_htmx_redirects_back_to_the_meeting(
    client, meeting, items, facilitator
):
    client.force_login(facilitator)

    response = client.post(url(meeting, "agenda-delete", items[1].pk))

    assert_back_to_meeting(response, meeting)
    assert titles(meeting) == [services.ROUND_TITLE, "Pipeline review", "Hiring"]


def test_editing_an_item_with_htmx_returns_the_fragment(
    client, meeting, items, facilitator, member
):
    client.force_login(facilitator)

    response = client.post(
        url(meeting, "agenda-edit", items[0].pk),
        {"title": "Pipeline and forecast", "minutes": 12, "owner": member.pk, "notes": ""},
        **HTMX,
    )

    html = assert_fragment(response)
    assert "Pipeline and forecast" in html
    items[0].refresh_from_db()
    assert (items[0].title, items[0].minutes, items[0].owner) == (
        "Pipeline and forecast", 12, member,
    )  # fmt: skip


def test_editing_an_item_without_htmx_redirects_back_to_the_meeting(
    client, meeting, items, facilitator
):
    client.force_login(facilitator)

    response = client.post(
        url(meeting, "agenda-edit", items[0].pk), {"title": "Forecast", "minutes": 7}
    )

    assert_back_to_meeting(response, meeting)
    items[0].refresh_from_db()
    assert items[0].title == "Forecast"


def test_the_edit_form_is_a_page_of_its_own(client, meeting, items, facilitator):
    client.force_login(facilitator)

    response = client.get(url(meeting, "agenda-edit", items[0].pk))

    assert response.status_code == 200
    assert 'value="Pipeline review"' in response.content.decode()


def test_editing_the_round_changes_its_minutes_but_not_its_title(client, meeting, facilitator):
    client.force_login(facilitator)
    item = the_round(meeting)

    client.post(url(meeting, "agenda-edit", item.pk), {"title": "Chit-chat", "minutes": 15})

    item.refresh_from_db()
    assert item.title == services.ROUND_TITLE
    assert item.minutes == 15


def test_an_item_of_another_meeting_is_404(client, meeting, team, facilitator):
    other = services.create_meeting(
        team=team, title="Other", starts_at=meeting.starts_at, duration_minutes=30
    )
    foreign = services.add_agenda_item(meeting=other, title="Secret", minutes=5)
    client.force_login(facilitator)

    response = client.post(url(meeting, "agenda-delete", foreign.pk))

    assert response.status_code == 404
    assert AgendaItem.objects.filter(pk=foreign.pk).exists()


@pytest.fixture
def running(meeting):
    meeting.start()
    return meeting


def test_notes_with_htmx_are_saved_and_shown_in_the_fragment(client, running, items, facilitator):
    client.force_login(facilitator)

    response = client.post(
        url(running, "agenda-notes", items[0].pk), {"notes": "Two deals slip to Q4."}, **HTMX
    )

    assert "Two deals slip to Q4." in assert_fragment(response)
    items[0].refresh_from_db()
    assert items[0].notes == "Two deals slip to Q4."


def test_notes_without_htmx_redirect_back_to_the_meeting(client, running, items, facilitator):
    client.force_login(facilitator)

    response = client.post(url(running, "agenda-notes", items[0].pk), {"notes": "Noted."})

    assert_back_to_meeting(response, running)
    items[0].refresh_from_db()
    assert items[0].notes == "Noted."


def test_too_long_notes_are_refused(client, running, items, facilitator):
    client.force_login(facilitator)

    response = client.post(
        url(running, "agenda-notes", items[0].pk), {"notes": "x" * 10_001}, **HTMX
    )

    assert 'role="alert"' in assert_fragment(response)
    items[0].refresh_from_db()
    assert items[0].notes == ""


# --- Planned time against the meeting's length -----------------------------------------


def test_the_agenda_shows_planned_minutes_against_the_meeting_length(client, meeting, facilitator):
    services.add_agenda_item(meeting=meeting, title="Pipeline review", minutes=10)
    client.force_login(facilitator)

    html = client.get(url(meeting, "meeting-detail")).content.decode()

    assert "Planned 14 of 30 min" in html
    assert "warning-note" not in html


def test_an_agenda_longer_than_the_meeting_says_by_how_much(client, meeting, facilitator):
    client.force_login(facilitator)

    response = client.post(
        url(meeting, "agenda-add"), {"title": "Quarterly review", "minutes": 30}, **HTMX
    )

    html = assert_fragment(response)
    assert "Planned 34 of 30 min" in html
    assert (
        '<p class="warning-note">The agenda runs 4 min over the meeting&#x27;s 30 min: the '
        "insight round takes 4 min, the other items 30 min. Trim an item or make the meeting "
        "longer.</p>"
    ) in html
    assert meeting.agenda_items.filter(title="Quarterly review").exists()  # a warning only


def test_an_agenda_that_exactly_fills_the_meeting_is_not_over(client, meeting, facilitator):
    services.add_agenda_item(meeting=meeting, title="Review", minutes=26)
    client.force_login(facilitator)

    html = client.get(url(meeting, "meeting-detail")).content.decode()

    assert "Planned 30 of 30 min</p>" in html
    assert "warning-note" not in html


# --- Who may change the agenda --------------------------------------------------------


AGENDA_POSTS = [
    ("agenda-add", False, {"title": "Sneaky", "minutes": 5}),
    ("agenda-move", True, {"direction": "down"}),
    ("agenda-delete", True, {}),
    ("agenda-edit", True, {"title": "Sneaky", "minutes": 5}),
    ("agenda-notes", True, {"notes": "Sneaky"}),
]


@pytest.mark.parametrize(("name", "per_item", "data"), AGENDA_POSTS)
@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_member_gets_403_on_agenda_changes(
    client, meeting, items, member, name, per_item, data, headers
):
    client.force_login(member)
    before = list(meeting.agenda_items.values_list("pk", "title", "position", "notes"))

    args = [items[0].pk] if per_item else []
    response = client.post(url(meeting, name, *args), data, **headers)

    assert response.status_code == 403
    assert list(meeting.agenda_items.values_list("pk", "title", "position", "notes")) == before


@pytest.mark.parametrize(("name", "per_item", "data"), AGENDA_POSTS)
def test_outsider_gets_404_on_agenda_changes(client, meeting, items, outsider, name, per_item,
                                             data):  # fmt: skip
    client.force_login(outsider)

    args = [items[0].pk] if per_item else []
    response = client.post(url(meeting, name, *args), data)

    assert response.status_code == 404


def test_member_sees_the_agenda_without_editing_tools(client, meeting, items, member):
    client.force_login(member)

    html = client.get(url(meeting, "meeting-detail")).content.decode()

    assert "Pipeline review" in html
    assert url(meeting, "agenda-add") not in html


# --- An ended meeting's agenda is locked -------------------------------------------------


@pytest.fixture
def ended(meeting, items):
    meeting.start()
    meeting.end()
    return meeting


def test_adding_to_an_ended_meetings_agenda_with_htmx_is_refused(client, ended, facilitator):
    client.force_login(facilitator)

    response = client.post(url(ended, "agenda-add"), {"title": "Late", "minutes": 5}, **HTMX)

    assert MEETING_LOCKED.replace("'", "&#x27;") in assert_fragment(response)
    assert ended.agenda_items.count() == 4


def test_removing_from_an_ended_meetings_agenda_is_refused(client, ended, items, facilitator):
    client.force_login(facilitator)

    response = client.post(url(ended, "agenda-delete", items[0].pk))

    assert messages_of(response) == [MEETING_LOCKED]
    assert ended.agenda_items.count() == 4


def test_notes_on_an_ended_meeting_are_refused(client, ended, items, facilitator):
    client.force_login(facilitator)

    client.post(url(ended, "agenda-notes", items[0].pk), {"notes": "Rewritten history"})

    items[0].refresh_from_db()
    assert items[0].notes == ""


def test_editing_an_item_of_an_ended_meeting_is_refused(client, ended, items, facilitator):
    client.force_login(facilitator)

    response = client.post(
        url(ended, "agenda-edit", items[0].pk), {"title": "Rewritten", "minutes": 60}
    )

    items[0].refresh_from_db()
    assert (items[0].title, items[0].minutes) == ("Pipeline review", 5)
    assert MEETING_LOCKED in messages_of(response) or (
        MEETING_LOCKED.replace("'", "&#x27;") in response.content.decode()
    )


def test_a_skipped_meetings_agenda_is_locked_too(meeting):
    services.skip_meeting(meeting=meeting)

    with pytest.raises(ValidationError) as error:
        services.add_agenda_item(meeting=meeting, title="Anything", minutes=5)

    assert error.value.messages == [MEETING_LOCKED]
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.CANCELLED
