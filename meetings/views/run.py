"""Running the meeting: start, the presenter view, actions, end and the summary."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import login_required
from insights import services as insight_services
from insights.access import access_action, access_meeting_insight
from insights.forms import ActionForm
from insights.round import round_for
from insights.summary import summary_for

from .. import services
from ..access import Role, access_attendance, access_meeting, access_team
from ..models import MEETING_LOCKED

ALREADY_ENDED = "This meeting has already ended."


def present_url(meeting, at: int) -> str:
    return meeting.url("meeting-present") + f"?at={at}"


@login_required
@require_POST
def meeting_start(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    try:
        meeting.start()
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(meeting)
    return redirect(present_url(meeting, 0))


@login_required
@require_GET
def meeting_present(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    """The shared screen: one attendee at a time, their insight large, a countdown."""
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    seats = round_for(meeting).presenters
    try:
        at = int(request.GET.get("at", 0))
    except ValueError:
        at = 0
    at = max(0, min(at, len(seats) - 1)) if seats else 0
    seat = seats[at] if seats else None
    action_form = ActionForm(meeting=meeting, initial={"insight": seat.insight if seat else None,
                                                       "owner": seat.user if seat else None})  # fmt: skip
    return render(
        request,
        "meetings/present.html",
        {
            "access": access, "team": access.team, "meeting": meeting, "seat": seat,
            "at": at, "count": len(seats), "seats": seats,
            "prev_url": present_url(meeting, at - 1) if at > 0 else None,
            "next_url": present_url(meeting, at + 1) if at + 1 < len(seats) else None,
            "seconds": access.team.minutes_per_person * 60,
            "action_form": action_form,
        },
    )  # fmt: skip


def _back(request: HttpRequest, meeting) -> HttpResponse:
    # Back where the facilitator was: the presenter view (at=N) or the agenda page.
    at = request.POST.get("at", "")
    if re.fullmatch(r"[0-9]{1,6}", at):
        return redirect(present_url(meeting, int(at)))
    return redirect(meeting)


@login_required
@require_POST
def attendee_presented(
    request: HttpRequest, slug: str, meeting_id: int, attendance_id: int
) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    attendance = access_attendance(meeting, attendance_id)
    try:
        services.mark_presented(attendance=attendance, presented=attendance.presented_at is None)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return _back(request, meeting)


@login_required
@require_POST
def insight_star(request: HttpRequest, slug: str, meeting_id: int, insight_id: int) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    insight = access_meeting_insight(meeting, insight_id)
    try:
        insight_services.star_insight(insight=insight)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return _back(request, meeting)


@login_required
@require_POST
def action_add(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    form = ActionForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            insight_services.add_action(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"Action for {form.cleaned_data['owner'].name} captured.")
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {errors[0]}" if label else errors[0])
    return _back(request, meeting)


@login_required
@require_POST
def action_toggle(request: HttpRequest, slug: str, action_id: int) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    action = access_action(access, action_id)
    insight_services.toggle_action(action=action)
    target = request.POST.get("meeting", "")
    meeting = action.meeting
    if re.fullmatch(r"[0-9]{1,18}", target):
        # Open actions are ticked off from a later meeting's page; go back there.
        meeting = access_meeting(access, int(target))
    return redirect(meeting.get_absolute_url() + "#actions")


@login_required
@require_POST
def meeting_end(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    if not meeting.end():
        messages.error(request, ALREADY_ENDED if meeting.is_ended else MEETING_LOCKED)
        return redirect(meeting)
    messages.success(request, "Meeting ended. The summary is on its way to the attendees.")
    return redirect(meeting.url("meeting-summary"))


@login_required
@require_GET
def meeting_summary(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    access = access_team(request.user, slug)
    meeting = access_meeting(access, meeting_id)
    return render(
        request,
        "meetings/summary.html",
        {"access": access, "team": access.team, **summary_for(meeting),
         "agenda_url": meeting.get_absolute_url()},
    )  # fmt: skip
