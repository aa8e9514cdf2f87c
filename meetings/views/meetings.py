"""Meeting pages: the list, scheduling one, the agenda page and its live insight
round, editing, moving or skipping one meeting."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import login_required
from insightboard.fields import DateField
from insights.models import Action
from insights.round import round_fingerprint, round_for, with_round_counts
from reminders.history import history_by_person

from .. import services
from ..access import Role, TeamAccess, access_meeting, access_team
from ..forms import AgendaItemForm, AttendeeForm, ExcuseForm, MeetingForm
from ..models import Meeting, Series, Team

LIST_PAGE_SIZE = 20
# The new date decides where "this and following" starts, so how many meetings it makes.
DATE_ERRORS = {"following_from_the_past", "too_many_meetings"}


class MeetingFilter(forms.Form):
    when = forms.ChoiceField(
        choices=[("upcoming", "Upcoming"), ("past", "Past")], required=False, initial="upcoming"
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="All my teams",
                                  to_field_name="slug")  # fmt: skip
    series = forms.ModelChoiceField(
        queryset=Series.objects.none(), required=False, empty_label="Any series"
    )
    start = DateField(label="From", required=False)
    end = DateField(label="To", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = Team.objects.all() if user.is_staff else Team.objects.filter(memberships__user=user)
        self.fields["team"].queryset = teams
        self.fields["series"].queryset = Series.objects.filter(team__in=teams).select_related(
            "team"
        )
        self.fields["series"].label_from_instance = lambda s: f"{s.title} · {s.team.name}"


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    """Upcoming and past meetings of my teams, with my insight status for each."""
    form = MeetingFilter(request.GET or None, user=request.user)
    meetings = Meeting.objects.visible_to(request.user).distinct()
    when = "upcoming"
    if form.is_valid():
        data = form.cleaned_data
        when = data["when"] or "upcoming"
        if data["team"]:
            meetings = meetings.filter(team=data["team"])
        if data["series"]:
            meetings = meetings.filter(series=data["series"])
        zone = timezone.get_current_timezone()
        if data["start"]:
            meetings = meetings.filter(
                starts_at__gte=dt.datetime.combine(data["start"], dt.time.min, zone)
            )
        if data["end"]:
            meetings = meetings.filter(
                starts_at__lte=dt.datetime.combine(data["end"], dt.time.max, zone)
            )
    now = timezone.now()
    if when == "past":
        meetings = meetings.past(now).order_by("-starts_at")
    else:
        meetings = meetings.upcoming(now).order_by("starts_at")
    page = Paginator(meetings.select_related("team"), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = with_round_counts(page.object_list, user=request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "meetings/meeting_list.html",
        {"form": form, "page": page, "when": when, "query": query.urlencode()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    form = MeetingForm(
        request.POST or None, team=access.team, initial={"facilitator": request.user}
    )
    if request.method == "POST" and form.is_valid():
        meeting = services.create_meeting(
            team=access.team,
            title=form.cleaned_data["title"],
            starts_at=form.starts_at,
            duration_minutes=form.cleaned_data["duration_minutes"],
            location=form.cleaned_data["location"],
            facilitator=form.cleaned_data["facilitator"],
        )
        messages.success(request, "Meeting scheduled. Its agenda opens with the insight round.")
        return redirect(meeting)
    return render(
        request, "meetings/meeting_form.html", {"access": access, "team": access.team, "form": form}
    )


def agenda_context(access: TeamAccess, meeting: Meeting, **extra) -> dict:
    items = list(meeting.agenda_items.select_related("owner"))
    planned = sum(i.minutes for i in items)
    length = int(meeting.duration.total_seconds() // 60)
    return {
        "access": access,
        "team": access.team,
        "meeting": meeting,
        "items": items,
        "planned": planned,
        "length": length,
        "over": planned - length,
        "item_form": AgendaItemForm(team=access.team),
        **extra,
    }


def round_context(access: TeamAccess, meeting: Meeting) -> dict:
    return {"access": access, "team": access.team, "meeting": meeting,
            "round": round_for(meeting)}  # fmt: skip


@login_required
@require_GET
def meeting_detail(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    """The agenda page the facilitator runs the meeting from."""
    access = access_team(request.user, slug)
    meeting = access_meeting(access, meeting_id)
    round_ = round_context(access, meeting)
    context = {
        **agenda_context(access, meeting),
        **round_,
        "open_actions": Action.objects.following(meeting).select_related(
            "owner", "insight__author", "meeting"
        ),
        "actions": meeting.actions.select_related("owner", "insight__author"),
        "attendee_form": AttendeeForm(),
        "excuse_form": ExcuseForm(),
        # The viewer's own place in the round, already loaded with it.
        "my_seat": round_["round"].seat_of(request.user),
        "reminders": history_by_person(meeting) if access.can_facilitate else {},
    }
    return render(request, "meetings/meeting_detail.html", context)


@login_required
@require_GET
def meeting_round(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    """The insight round fragment, polled by the agenda page every few seconds:
    unchanged since the poller's copy, it is a 304 (no round loaded, nothing rendered;
    the browser revalidates it by its ETag on every poll)."""
    access = access_team(request.user, slug)
    meeting = access_meeting(access, meeting_id)
    # For htmx: the round and its polite news line (see meeting_detail.html).
    template = "meetings/meeting_detail.html#round-poll" if request.htmx else "meetings/round.html"
    etag = quote_etag(f"{round_fingerprint(meeting)}-{access.user.pk}-{access.rank}-{template}")
    if (unchanged := get_conditional_response(request, etag=etag)) is not None:
        return unchanged
    response = render(request, template, round_context(access, meeting))
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    """Move or edit this meeting; for a series, optionally this and all following."""
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    local = timezone.localtime(meeting.starts_at, access.team.zone)
    initial = {
        "title": meeting.title, "date": local.date(), "time": local.time().replace(second=0),
        "duration_minutes": int(meeting.duration.total_seconds() // 60),
        "location": meeting.location, "facilitator": meeting.facilitator,
    }  # fmt: skip
    form = MeetingForm(request.POST or None, team=access.team, initial=initial)
    scope = request.POST.get("scope", "this")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if scope == "following" and meeting.series_id:
                services.edit_series_from(
                    meeting=meeting,
                    data={"title": data["title"], "start_time": data["time"], "first_date": data["date"],
                          "duration_minutes": data["duration_minutes"], "location": data["location"],
                          "facilitator": data["facilitator"]},
                )  # fmt: skip
                messages.success(request, "This and the following meetings are updated.")
                return redirect(reverse("meetings:meeting-list") + f"?team={access.team.slug}")
            services.update_meeting(
                meeting=meeting,
                data={"title": data["title"], "starts_at": form.starts_at,
                      "duration_minutes": data["duration_minutes"], "location": data["location"],
                      "facilitator": data["facilitator"]},
            )  # fmt: skip
        except ValidationError as error:
            form.add_error("date" if getattr(error, "code", None) in DATE_ERRORS else None, error)
        else:
            messages.success(request, "Meeting updated.")
            return redirect(meeting)
    return render(
        request,
        "meetings/meeting_edit.html",
        {"access": access, "team": access.team, "meeting": meeting, "form": form, "scope": scope},
    )


@login_required
@require_POST
def meeting_skip(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    try:
        services.skip_meeting(meeting=meeting)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "This meeting is skipped. The series goes on.")
    return redirect(meeting)
