"""Running the meeting: start, the presenter view, actions, end and the summary.

The presenter view is a stage on the shared screen. Stepping, marking presented,
starring and capturing an action swap the stage in place when htmx asks (the URL
follows each step, so Back works); without JavaScript each is a plain link or form
that comes back to the full page, as before."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import login_required
from insights import services as insight_services
from insights.access import access_action, access_meeting_insight
from insights.forms import ActionForm
from insights.round import round_for
from insights.summary import summary_for

from .. import services
from ..access import Role, TeamAccess, access_attendance, access_meeting, access_team
from ..models import MEETING_LOCKED, Meeting

ALREADY_ENDED = "This meeting has already ended."
PRESENTER = "meetings/present.html"
# A POST that confirms starting the meeting more than a few minutes early.
CONFIRM_EARLY = "early"
# A POST that confirms ending the meeting before everyone has presented.
CONFIRM_UNPRESENTED = "unpresented"


def present_url(meeting, at: int) -> str:
    return meeting.url("meeting-present") + f"?at={at}"


def _position(raw: str | None) -> int | None:
    """The presenter's place in the order (at=N), or None for nonsense."""
    if raw and re.fullmatch(r"[0-9]{1,6}", raw):
        return int(raw)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def meeting_start(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    """Start the round. More than a few minutes before the scheduled start, ask
    first: everyone still writing their insight would become late at once."""
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    if request.method == "GET":
        # Reloading the early-start question, or an opened link: nothing to do here.
        return redirect(meeting)
    if (
        meeting.is_scheduled
        and meeting.is_early_start()
        and request.POST.get(CONFIRM_EARLY) != "confirmed"
    ):
        the_round = round_for(meeting)
        return render(
            request, "meetings/start_early.html",
            {"access": access, "team": access.team, "meeting": meeting,
             "missing": the_round.missing, "confirm_field": CONFIRM_EARLY},
        )  # fmt: skip
    try:
        meeting.start()
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(meeting)
    return redirect(present_url(meeting, 0))


def presenter_context(access: TeamAccess, meeting: Meeting, at: int, *, data=None) -> dict:
    """One attendee on the stage, the speaking order, and the action form (bound
    to data when a posted action is shown again with its errors)."""
    seats = round_for(meeting).presenters
    at = max(0, min(at, len(seats) - 1)) if seats else 0
    seat = seats[at] if seats else None
    action_form = ActionForm(
        data, meeting=meeting, in_order=[s.insight for s in seats if s.insight],
        initial={"insight": seat.insight if seat else None, "owner": seat.user if seat else None},
    )  # fmt: skip
    return {
        "access": access, "team": access.team, "meeting": meeting, "seat": seat,
        "at": at, "count": len(seats), "seats": seats,
        "present_url": meeting.url("meeting-present"),
        "prev_url": present_url(meeting, at - 1) if at > 0 else None,
        "next_url": present_url(meeting, at + 1) if at + 1 < len(seats) else None,
        "seconds": access.team.minutes_per_person * 60,
        "action_form": action_form,
    }  # fmt: skip


def _presenter(request: HttpRequest, context: dict) -> HttpResponse:
    """The whole page, or for htmx the stage and the status line it updates. Going
    Back to a step htmx no longer holds asks for the whole page again."""
    fragment = request.htmx and not request.htmx.history_restore_request
    response = render(request, PRESENTER + ("#stage-update" if fragment else ""), context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def meeting_present(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    """The shared screen: one attendee at a time, their insight large, a countdown."""
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    at = _position(request.GET.get("at")) or 0
    return _presenter(request, {**presenter_context(access, meeting, at), "stepped": True})


def _back(request: HttpRequest, access: TeamAccess, meeting: Meeting) -> HttpResponse:
    """Back where the facilitator was: the stage (htmx), the presenter view (at=N),
    or the agenda page."""
    at = _position(request.POST.get("at"))
    if at is None:
        return redirect(meeting)
    if request.htmx:
        return _presenter(request, presenter_context(access, meeting, at))
    return redirect(present_url(meeting, at))


@login_required
@require_POST
def attendee_presented(
    request: HttpRequest, slug: str, meeting_id: int, attendance_id: int
) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    attendance = access_attendance(meeting, attendance_id)
    presented = attendance.presented_at is None
    try:
        services.mark_presented(attendance=attendance, presented=presented)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        name = attendance.user.name
        messages.success(request, f"{name} presented." if presented else f"{name}: not presented.")
    return _back(request, access, meeting)


def star_message(insight, moved_from) -> str:
    """What the facilitator is told: a star that moves says from whom."""
    if not insight.is_starred:
        return "Star taken off."
    if moved_from is not None:
        return f"Star moved from {moved_from.author.name}'s insight."
    return f"{insight.author.name}'s insight is the insight of the meeting."


@login_required
@require_POST
def insight_star(request: HttpRequest, slug: str, meeting_id: int, insight_id: int) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    insight = access_meeting_insight(meeting, insight_id)
    try:
        moved_from = insight_services.star_insight(insight=insight)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, star_message(insight, moved_from))
    return _back(request, access, meeting)


@login_required
@require_POST
def action_add(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    """A follow-up from the presenter view. Bad input comes back next to its field
    (the page, or for htmx the stage, with the form open)."""
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    context = presenter_context(
        access, meeting, _position(request.POST.get("at")) or 0, data=request.POST
    )
    form = context["action_form"]
    if not form.is_valid():
        return _presenter(request, context)
    try:
        insight_services.add_action(meeting=meeting, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"Action for {form.cleaned_data['owner'].name} captured.")
    return _back(request, access, meeting)


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
@require_http_methods(["GET", "POST"])
def meeting_end(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    """End the meeting, which e-mails the summary. While someone in the speaking
    order has not presented, ask first: a stray press cannot be taken back."""
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    if request.method == "GET":
        return redirect(meeting)
    unpresented = [s for s in round_for(meeting).presenters if not s.attendance.presented_at]
    if unpresented and meeting.is_editable and request.POST.get(CONFIRM_UNPRESENTED) != "confirmed":
        return render(
            request, "meetings/end_confirm.html",
            {"access": access, "team": access.team, "meeting": meeting,
             "unpresented": unpresented, "confirm_field": CONFIRM_UNPRESENTED},
        )  # fmt: skip
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
