"""Scheduling: series rules from the form, DST, skipping and moving occurrences,
"this and following", attendees, one-off meetings, and the lock after the end."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from insights.models import Insight
from meetings import services
from meetings.forms import (
    COUNT_NEEDED,
    NOT_IN_INSIGHTBOARD,
    PICK_A_WEEKDAY,
    UNTIL_BEFORE_START,
    UNTIL_NEEDED,
    SeriesForm,
)
from meetings.models import MEETING_LOCKED, AgendaItem, Attendance, Meeting, Series
from tests.factories import (
    InsightFactory,
    MeetingFactory,
    SeriesFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def series_form(team, **changes) -> SeriesForm:
    data = {
        "title": "Weekly customer round",
        "first_date": "2026-03-02",
        "start_time": "09:00",
        "duration_minutes": 30,
        "frequency": "weekly",
        "interval": 1,
        "weekdays": ["MO"],
        "ends": "never",
    }
    return SeriesForm({**data, **changes}, team=team)


def local_times(meetings, zone: str) -> list[str]:
    tz = zoneinfo.ZoneInfo(zone)
    return [m.starts_at.astimezone(tz).strftime("%a %d %b %H:%M") for m in meetings]


def meeting_url(meeting, name: str = "meeting-detail", *extra) -> str:
    return reverse(f"meetings:{name}", args=[meeting.team.slug, meeting.pk, *extra])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- The series form builds RRULEs ----------------------------------------------


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"weekdays": ["MO", "TH"]}, "FREQ=WEEKLY;BYDAY=MO,TH"),
        ({"weekdays": ["TU"], "interval": 2}, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        (
            {"frequency": "monthly", "month_week": "1", "month_weekday": "MO", "weekdays": []},
            "FREQ=MONTHLY;BYDAY=+1MO",
        ),
        (
            {"frequency": "monthly", "month_week": "3", "month_weekday": "WE", "interval": 2},
            "FREQ=MONTHLY;INTERVAL=2;BYDAY=+3WE",
        ),
        (
            {"frequency": "monthly", "month_week": "-1", "month_weekday": "FR", "weekdays": []},
            "FREQ=MONTHLY;BYDAY=-1FR",
        ),
        ({"ends": "until", "until": "2026-06-29"}, "FREQ=WEEKLY;UNTIL=20260629T235959;BYDAY=MO"),
        ({"ends": "count", "count": 6}, "FREQ=WEEKLY;COUNT=6;BYDAY=MO"),
    ],
)
def test_series_form_builds_the_rule(team, changes, rule):
    form = series_form(team, **changes)

    assert form.is_valid(), form.errors
    assert form.rule() == rule


def test_a_series_ending_on_a_date_includes_a_meeting_on_that_date(team):
    form = series_form(team, ends="until", until="2026-03-16")
    assert form.is_valid(), form.errors
    series = SeriesFactory(team=team, first_date=dt.date(2026, 3, 2), rule=form.rule())

    starts = series.occurrences(
        dt.datetime(2026, 3, 1, tzinfo=UTC), dt.datetime(2026, 5, 1, tzinfo=UTC)
    )

    assert [s.date() for s in starts] == [
        dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16),
    ]  # fmt: skip


def test_series_form_reads_standing_agenda_items(team):
    form = series_form(team, agenda_template="Pipeline review, 10\n\nFollow-ups")

    assert form.is_valid(), form.errors
    assert form.series_data()["agenda_template"] == [
        {"title": "Pipeline review", "minutes": 10},
        {"title": "Follow-ups", "minutes": 5},
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"weekdays": []}, "weekdays", PICK_A_WEEKDAY),
        ({"ends": "until"}, "until", UNTIL_NEEDED),
        ({"ends": "until", "until": "2026-03-01"}, "until", UNTIL_BEFORE_START),
        ({"ends": "count"}, "count", COUNT_NEEDED),
    ],
)
def test_series_form_explains_a_missing_or_wrong_end_next_to_the_field(
    team, changes, field, message
):
    form = series_form(team, **changes)

    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_a_monthly_series_needs_no_weekday_boxes(team):
    form = series_form(team, frequency="monthly", weekdays=[], month_week="-1", month_weekday="MO")

    assert form.is_valid(), form.errors


def test_an_invalid_series_is_shown_again_with_the_message_and_creates_nothing(
    client, team, facilitator
):
    client.force_login(facilitator)

    response = client.post(
        reverse("meetings:series-create", args=[team.slug]),
        {"title": "Round", "first_date": "2026-03-02", "start_time": "09:00",
         "duration_minutes": 30, "frequency": "weekly", "interval": 1, "ends": "never"},
    )  # fmt: skip

    assert response.status_code == 200
    assert PICK_A_WEEKDAY in response.content.decode()
    assert not Series.objects.exists()


def test_member_cannot_create_a_series(client, team, member):
    client.force_login(member)

    response = client.post(reverse("meetings:series-create", args=[team.slug]), {})

    assert response.status_code == 403


def test_outsider_gets_404_on_series_creation(client, team, outsider):
    client.force_login(outsider)

    assert client.get(reverse("meetings:series-create", args=[team.slug])).status_code == 404


# --- Recurrence across DST, through create_series --------------------------------


@pytest.mark.parametrize(
    ("zone", "utc_hours"),
    [
        # Last Monday of February (CET/EST), then of March (after both springs forward).
        ("Europe/Brussels", [8, 7]),
        ("America/New_York", [14, 13]),
    ],
)
def test_monthly_series_on_the_last_monday_keeps_nine_oclock_across_dst(
    time_machine, zone, utc_hours
):
    time_machine.move_to(dt.datetime(2026, 2, 15, 12, tzinfo=UTC), tick=False)
    team = TeamFactory(time_zone=zone)
    form = series_form(
        team, first_date="2026-02-01", frequency="monthly", weekdays=[], month_week="-1",
        month_weekday="MO",
    )  # fmt: skip
    assert form.is_valid(), form.errors

    series = services.create_series(team=team, data=form.series_data())

    meetings = list(series.meetings.order_by("starts_at"))
    assert local_times(meetings, zone) == ["Mon 23 Feb 09:00", "Mon 30 Mar 09:00"]
    assert [m.starts_at.hour for m in meetings] == utc_hours


@pytest.mark.parametrize(
    ("zone", "first_date", "expected", "utc_hours"),
    [
        (
            "Europe/Brussels", "2026-03-23",
            ["Mon 23 Mar 09:00", "Mon 30 Mar 09:00", "Mon 06 Apr 09:00"], [8, 7, 7],
        ),
        (
            "America/New_York", "2026-03-02",
            ["Mon 02 Mar 09:00", "Mon 09 Mar 09:00", "Mon 16 Mar 09:00"], [14, 13, 13],
        ),
    ],
)  # fmt: skip
def test_count_limited_series_stops_after_its_count_across_dst(
    time_machine, zone, first_date, expected, utc_hours
):
    time_machine.move_to(dt.datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False)
    team = TeamFactory(time_zone=zone)
    form = series_form(team, first_date=first_date, ends="count", count=3)
    assert form.is_valid(), form.errors

    series = services.create_series(team=team, data=form.series_data())
    time_machine.shift(dt.timedelta(weeks=4))
    services.materialise_all_series()

    meetings = list(series.meetings.order_by("starts_at"))
    assert local_times(meetings, zone) == expected
    assert [m.starts_at.hour for m in meetings] == utc_hours


def test_series_until_a_date_keeps_nine_oclock_when_the_clocks_fall_back(time_machine, team):
    time_machine.move_to(dt.datetime(2026, 10, 15, 12, tzinfo=UTC), tick=False)
    form = series_form(team, first_date="2026-10-19", ends="until", until="2026-11-02")
    assert form.is_valid(), form.errors

    series = services.create_series(team=team, data=form.series_data())

    meetings = list(series.meetings.order_by("starts_at"))
    assert local_times(meetings, "Europe/Brussels") == [
        "Mon 19 Oct 09:00", "Mon 26 Oct 09:00", "Mon 02 Nov 09:00",
    ]  # fmt: skip
    assert [m.starts_at.hour for m in meetings] == [7, 8, 8]


# --- Materialising: skipped and moved occurrences, idempotence -------------------

WINDOW = (dt.datetime(2026, 3, 1, tzinfo=UTC), dt.datetime(2026, 4, 1, tzinfo=UTC))


@pytest.fixture
def weekly(team, facilitator, member):
    """Mondays 09:00 in Brussels from 2 March 2026: 2, 9, 16, 23, 30 March in WINDOW."""
    return SeriesFactory(
        team=team, first_date=dt.date(2026, 3, 2), rule="FREQ=WEEKLY;BYDAY=MO",
        agenda_template=[{"title": "Pipeline review", "minutes": 10}],
    )  # fmt: skip


def materialise(series) -> list[Meeting]:
    return services.materialise_series(series=series, start=WINDOW[0], end=WINDOW[1])


def test_a_skipped_occurrence_is_not_brought_back_by_materialising(weekly):
    second = materialise(weekly)[1]

    services.skip_meeting(meeting=second)
    again = materialise(weekly)

    assert Meeting.objects.filter(series=weekly).count() == 5
    assert again[1].pk == second.pk
    second.refresh_from_db()
    assert second.status == Meeting.Status.CANCELLED


def test_a_moved_occurrence_keeps_its_occurrence_start_and_is_not_duplicated(weekly):
    second = materialise(weekly)[1]
    rule_start = second.starts_at
    moved_to = dt.datetime(2026, 3, 10, 13, tzinfo=UTC)

    services.update_meeting(meeting=second, data={"starts_at": moved_to})
    materialise(weekly)

    second.refresh_from_db()
    assert second.starts_at == moved_to
    assert second.ends_at == moved_to + dt.timedelta(minutes=30)
    assert second.occurrence_start == rule_start
    assert Meeting.objects.filter(series=weekly).count() == 5
    assert not Meeting.objects.filter(series=weekly, starts_at=rule_start).exists()


def test_materialising_twice_keeps_the_same_agenda_items_and_attendances(weekly):
    materialise(weekly)
    items = list(AgendaItem.objects.order_by("pk").values_list("pk", "meeting_id", "position"))
    seats = list(Attendance.objects.order_by("pk").values_list("pk", "meeting_id", "user_id"))

    materialise(weekly)

    assert (
        list(AgendaItem.objects.order_by("pk").values_list("pk", "meeting_id", "position")) == items
    )
    assert (
        list(Attendance.objects.order_by("pk").values_list("pk", "meeting_id", "user_id")) == seats
    )
    assert len(items) == 5 * 2  # the round and the standing item
    assert len(seats) == 5 * 2  # Alice and Bob


def test_the_agenda_template_follows_the_insight_round(weekly, team):
    meeting = materialise(weekly)[0]

    items = list(meeting.agenda_items.order_by("position"))

    assert [(i.position, i.kind, i.title) for i in items] == [
        (0, AgendaItem.Kind.ROUND, services.ROUND_TITLE),
        (1, AgendaItem.Kind.ITEM, "Pipeline review"),
    ]
    assert items[0].minutes == team.minutes_per_person * 2
    assert items[1].minutes == 10


def test_rotating_facilitator_goes_to_the_next_member_by_name(
    team, facilitator, member, team_admin
):
    series = SeriesFactory(
        team=team, first_date=dt.date(2026, 3, 2), rule="FREQ=WEEKLY;BYDAY=MO",
        facilitator=facilitator, rotate_facilitator=True,
    )  # fmt: skip

    meetings = materialise(series)

    assert [m.facilitator.name for m in meetings] == [
        "Alice Facilitator", "Bob Member", "Carol Admin", "Alice Facilitator", "Bob Member",
    ]  # fmt: skip


def test_a_fixed_facilitator_facilitates_every_meeting(weekly, facilitator):
    weekly.facilitator = facilitator
    weekly.save()

    assert {m.facilitator for m in materialise(weekly)} == {facilitator}


# --- This and following -----------------------------------------------------------


@pytest.fixture
def split_series(time_machine, weekly):
    time_machine.move_to(dt.datetime(2026, 2, 27, 12, tzinfo=UTC), tick=False)
    return weekly, materialise(weekly)


def test_editing_this_and_following_ends_the_old_series_before_the_split(split_series, member):
    old, meetings = split_series
    early = InsightFactory(meeting=meetings[1], author=member)

    new = services.edit_series_from(meeting=meetings[2], data={"start_time": dt.time(10, 0)})

    old.refresh_from_db()
    assert list(old.meetings.order_by("starts_at")) == meetings[:2]
    assert local_times(meetings[:2], "Europe/Brussels") == ["Mon 02 Mar 09:00", "Mon 09 Mar 09:00"]
    early.refresh_from_db()
    assert early.meeting == meetings[1]
    assert not old.occurrences(WINDOW[0], WINDOW[1])[2:]
    assert local_times(new.meetings.order_by("starts_at")[:3], "Europe/Brussels") == [
        "Mon 16 Mar 10:00", "Mon 23 Mar 10:00", "Mon 30 Mar 10:00",
    ]  # fmt: skip


def test_editing_this_and_following_moves_insights_to_the_new_meeting_of_the_same_day(
    split_series, member, facilitator
):
    _old, meetings = split_series
    later = InsightFactory(meeting=meetings[3], author=member, said="They churn in June.")

    new = services.edit_series_from(meeting=meetings[2], data={"start_time": dt.time(10, 0)})

    later.refresh_from_db()
    target = new.meetings.get(starts_at__date=dt.date(2026, 3, 23))
    assert later.meeting == target
    assert not Meeting.objects.filter(pk__in=[m.pk for m in meetings[2:]]).exists()
    assert set(target.attendances.values_list("user_id", flat=True)) == {
        facilitator.pk, member.pk,
    }  # fmt: skip


def test_the_old_series_brings_back_nothing_after_the_split(split_series):
    old, meetings = split_series
    services.edit_series_from(meeting=meetings[2], data={"start_time": dt.time(10, 0)})

    old.refresh_from_db()
    again = services.materialise_series(series=old, start=WINDOW[0], end=WINDOW[1])

    assert [m.pk for m in again] == [m.pk for m in meetings[:2]]


def test_a_skipped_later_occurrence_stays_skipped_after_editing_this_and_following(
    split_series,
):
    _old, meetings = split_series
    services.skip_meeting(meeting=meetings[3])  # 23 March

    services.edit_series_from(meeting=meetings[2], data={"start_time": dt.time(10, 0)})

    on_the_23rd = Meeting.objects.filter(
        starts_at__date=dt.date(2026, 3, 23), status=Meeting.Status.SCHEDULED
    )
    assert not on_the_23rd.exists()


def test_facilitator_edits_this_and_following_from_the_edit_page(client, split_series, facilitator):
    old, meetings = split_series
    client.force_login(facilitator)

    response = client.post(
        meeting_url(meetings[2], "meeting-edit"),
        {"scope": "following", "title": "Customer round", "date": "2026-03-16", "time": "10:30",
         "duration_minutes": 45},
    )  # fmt: skip

    assert response.status_code == 302
    new = Series.objects.exclude(pk=old.pk).get()
    first = new.meetings.order_by("starts_at").first()
    assert local_times([first], "Europe/Brussels") == ["Mon 16 Mar 10:30"]
    assert first.duration == dt.timedelta(minutes=45)


def test_editing_this_and_following_of_a_counted_series_keeps_the_number_of_meetings(
    time_machine, team, member
):
    # A 5-meeting series split at its 3rd: 2 stay, 3 follow, not 2 + 5.
    time_machine.move_to(dt.datetime(2026, 2, 27, 12, tzinfo=UTC), tick=False)
    series = SeriesFactory(
        team=team, first_date=dt.date(2026, 3, 2), rule="FREQ=WEEKLY;COUNT=5;BYDAY=MO"
    )
    meetings = materialise(series)

    services.edit_series_from(meeting=meetings[2], data={"start_time": dt.time(10, 0)})

    assert Meeting.objects.count() == 5


def test_moving_this_and_following_to_another_day_keeps_that_meetings_insights(
    split_series, member
):
    _old, meetings = split_series
    insight = InsightFactory(meeting=meetings[2], author=member)

    services.edit_series_from(
        meeting=meetings[2], data={"first_date": dt.date(2026, 3, 17), "start_time": dt.time(9)}
    )

    assert Insight.objects.filter(pk=insight.pk).exists()


# --- Attendees ----------------------------------------------------------------------


@pytest.fixture
def meeting(team, facilitator, member, time_machine):
    time_machine.move_to(dt.datetime(2026, 7, 1, 8, tzinfo=UTC), tick=False)
    return services.create_meeting(
        team=team, title="Customer round", starts_at=dt.datetime(2026, 7, 6, 7, tzinfo=UTC),
        duration_minutes=30, facilitator=facilitator,
    )  # fmt: skip


def round_minutes(meeting) -> int:
    return meeting.agenda_items.get(kind=AgendaItem.Kind.ROUND).minutes


def test_facilitator_excuses_an_attendee_and_the_round_shrinks(
    client, meeting, facilitator, member
):
    attendance = meeting.attendances.get(user=member)
    client.force_login(facilitator)

    response = client.post(
        meeting_url(meeting, "attendee-update", attendance.pk),
        {"action": "excuse", "reason": "Customer visit"},
    )

    assert response.status_code == 302
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.EXCUSED
    assert attendance.excuse_reason == "Customer visit"
    assert round_minutes(meeting) == 2


def test_facilitator_expects_an_excused_attendee_again(client, meeting, facilitator, member):
    attendance = meeting.attendances.get(user=member)
    services.excuse(attendance=attendance, reason="Sick")
    client.force_login(facilitator)

    client.post(meeting_url(meeting, "attendee-update", attendance.pk), {"action": "expect"})

    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.EXPECTED
    assert attendance.excuse_reason == ""
    assert round_minutes(meeting) == 4


def test_member_cannot_excuse_anyone(client, meeting, member, facilitator):
    attendance = meeting.attendances.get(user=facilitator)
    client.force_login(member)

    response = client.post(
        meeting_url(meeting, "attendee-update", attendance.pk), {"action": "excuse"}
    )

    assert response.status_code == 403
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.EXPECTED


def test_outsider_gets_404_on_attendee_changes(client, meeting, outsider, member):
    attendance = meeting.attendances.get(user=member)
    client.force_login(outsider)

    response = client.post(
        meeting_url(meeting, "attendee-update", attendance.pk), {"action": "remove"}
    )

    assert response.status_code == 404
    assert Attendance.objects.filter(pk=attendance.pk).exists()


def test_an_attendance_of_another_meeting_is_404(client, meeting, facilitator, team):
    elsewhere = services.create_meeting(
        team=team, title="Other", starts_at=meeting.starts_at, duration_minutes=30
    )
    foreign = elsewhere.attendances.first()
    client.force_login(facilitator)

    response = client.post(
        meeting_url(meeting, "attendee-update", foreign.pk), {"action": "remove"}
    )

    assert response.status_code == 404


def test_facilitator_adds_someone_from_another_team_as_a_guest(
    client, meeting, facilitator, outsider
):
    client.force_login(facilitator)

    response = client.post(meeting_url(meeting, "attendee-add"), {"email": "DAVE@example.com"})

    assert response.status_code == 302
    attendance = meeting.attendances.get(user=outsider)
    assert attendance.is_guest
    assert attendance.status == Attendance.Status.EXPECTED
    assert messages_of(response) == ["Dave Outsider is invited as a guest."]
    assert round_minutes(meeting) == 6


def test_adding_an_unknown_address_explains_they_are_not_in_insightboard(
    client, meeting, facilitator
):
    client.force_login(facilitator)

    response = client.post(meeting_url(meeting, "attendee-add"), {"email": "nobody@example.com"})

    assert messages_of(response) == [NOT_IN_INSIGHTBOARD]
    assert meeting.attendances.count() == 2


def test_adding_someone_twice_is_refused(meeting, member):
    with pytest.raises(ValidationError) as error:
        services.add_attendee(meeting=meeting, user=member)

    assert error.value.messages == [services.ALREADY_ATTENDING % {"name": "Bob Member"}]


def test_member_cannot_add_attendees(client, meeting, member, outsider):
    client.force_login(member)

    response = client.post(meeting_url(meeting, "attendee-add"), {"email": outsider.email})

    assert response.status_code == 403
    assert not meeting.attendances.filter(user=outsider).exists()


def test_a_guest_added_to_the_whole_series_joins_later_meetings_and_new_ones(
    client, split_series, facilitator, outsider
):
    series, meetings = split_series
    client.force_login(facilitator)

    client.post(
        meeting_url(meetings[1], "attendee-add"),
        {"email": outsider.email, "whole_series": "on"},
    )
    services.materialise_series(
        series=series, start=WINDOW[1], end=WINDOW[1] + dt.timedelta(weeks=2)
    )

    with_guest = Meeting.objects.filter(attendances__user=outsider, attendances__is_guest=True)
    assert list(with_guest.order_by("starts_at"))[:4] == meetings[1:]
    assert with_guest.count() == 4 + 2
    assert not meetings[0].attendances.filter(user=outsider).exists()


def test_removing_a_member_from_the_whole_series_keeps_earlier_meetings(
    client, split_series, facilitator, member
):
    series, meetings = split_series
    client.force_login(facilitator)
    attendance = meetings[2].attendances.get(user=member)

    client.post(
        meeting_url(meetings[2], "attendee-update", attendance.pk),
        {"action": "remove", "whole_series": "on"},
    )
    services.materialise_series(
        series=series, start=WINDOW[1], end=WINDOW[1] + dt.timedelta(weeks=2)
    )

    attending = Meeting.objects.filter(attendances__user=member).order_by("starts_at")
    assert list(attending) == meetings[:2]
    assert member in series.excluded.all()


def test_removing_from_one_meeting_only_keeps_the_rest_of_the_series(split_series, member):
    series, meetings = split_series

    services.remove_attendee(attendance=meetings[2].attendances.get(user=member))

    assert Meeting.objects.filter(attendances__user=member).count() == 4
    assert not series.excluded.exists()


# --- One-off meetings -----------------------------------------------------------------


def test_facilitator_schedules_a_one_off_meeting_on_the_teams_clock(
    client, team, facilitator, member
):
    client.force_login(facilitator)

    response = client.post(
        reverse("meetings:meeting-create", args=[team.slug]),
        {"title": "Launch debrief", "date": "2026-07-06", "time": "09:00",
         "duration_minutes": 45, "facilitator": facilitator.pk},
    )  # fmt: skip

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == meeting_url(meeting)
    assert meeting.starts_at == dt.datetime(2026, 7, 6, 7, tzinfo=UTC)  # 09:00 CEST
    assert meeting.ends_at == dt.datetime(2026, 7, 6, 7, 45, tzinfo=UTC)
    assert meeting.series is None
    assert set(meeting.attendances.values_list("user__name", flat=True)) == {
        "Alice Facilitator", "Bob Member",
    }  # fmt: skip
    assert meeting.agenda_items.get().kind == AgendaItem.Kind.ROUND


def test_a_winter_meeting_in_new_york_is_converted_with_standard_time(
    client, other_team, org_admin
):
    client.force_login(org_admin)

    client.post(
        reverse("meetings:meeting-create", args=[other_team.slug]),
        {"title": "Round", "date": "2026-01-15", "time": "09:00", "duration_minutes": 30},
    )

    assert Meeting.objects.get().starts_at == dt.datetime(2026, 1, 15, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    ("date", "time"), [("2026-02-30", "09:00"), ("2026-07-06", "25:00"), ("tomorrow", "")]
)
def test_an_invalid_date_or_time_shows_an_error_and_creates_nothing(
    client, team, facilitator, date, time
):
    client.force_login(facilitator)

    response = client.post(
        reverse("meetings:meeting-create", args=[team.slug]),
        {"title": "Round", "date": date, "time": time, "duration_minutes": 30},
    )

    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert not Meeting.objects.exists()


def test_member_cannot_schedule_a_meeting(client, team, member):
    client.force_login(member)

    response = client.post(reverse("meetings:meeting-create", args=[team.slug]), {})

    assert response.status_code == 403


def test_outsider_gets_404_when_scheduling_in_another_team(client, team, outsider):
    client.force_login(outsider)

    assert client.get(reverse("meetings:meeting-create", args=[team.slug])).status_code == 404


def test_facilitator_skips_one_meeting_through_the_view(client, meeting, facilitator):
    client.force_login(facilitator)

    response = client.post(meeting_url(meeting, "meeting-skip"))

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED


# --- An ended meeting is locked -------------------------------------------------------


@pytest.fixture
def ended(team, facilitator, member):
    meeting = MeetingFactory(team=team, status=Meeting.Status.ENDED)
    for user in (facilitator, member):
        Attendance.objects.create(meeting=meeting, user=user)
    return meeting


@pytest.mark.parametrize(
    "change",
    [
        lambda m, u: services.update_meeting(meeting=m, data={"title": "Renamed"}),
        lambda m, u: services.skip_meeting(meeting=m),
        lambda m, u: services.add_attendee(meeting=m, user=UserFactory()),
        lambda m, u: services.remove_attendee(attendance=m.attendances.get(user=u)),
        lambda m, u: services.excuse(attendance=m.attendances.get(user=u), reason="Late"),
        lambda m, u: services.unexcuse(attendance=m.attendances.get(user=u)),
    ],
    ids=["update", "skip", "add-attendee", "remove-attendee", "excuse", "unexcuse"],
)
def test_changes_to_an_ended_meeting_are_refused(ended, member, change):
    with pytest.raises(ValidationError) as error:
        change(ended, member)

    assert error.value.messages == [MEETING_LOCKED]


def test_editing_an_ended_meeting_through_the_page_shows_it_is_locked(client, ended, facilitator):
    client.force_login(facilitator)

    response = client.post(
        meeting_url(ended, "meeting-edit"),
        {"scope": "this", "title": "Renamed", "date": "2026-07-06", "time": "09:00",
         "duration_minutes": 30},
    )  # fmt: skip

    assert response.status_code == 200
    assert MEETING_LOCKED.replace("'", "&#x27;") in response.content.decode()
    ended.refresh_from_db()
    assert ended.title == "Customer round"


def test_excusing_on_an_ended_meeting_through_the_view_is_refused(
    client, ended, facilitator, member
):
    attendance = ended.attendances.get(user=member)
    client.force_login(facilitator)

    response = client.post(
        meeting_url(ended, "attendee-update", attendance.pk), {"action": "excuse"}
    )

    assert messages_of(response) == [MEETING_LOCKED]
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.EXPECTED
