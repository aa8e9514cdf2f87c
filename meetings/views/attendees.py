"""Who attends one meeting: inviting, excusing, expecting again, removing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.decorators import login_required

from .. import services
from ..access import Role, access_attendance, access_meeting, access_team
from ..forms import AttendeeForm, ExcuseForm


@login_required
@require_POST
def attendee_add(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    form = AttendeeForm(request.POST)
    if form.is_valid():
        try:
            attendance = services.add_attendee(
                meeting=meeting, user=form.cleaned_data["email"],
                whole_series=form.cleaned_data["whole_series"],
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            guest = " as a guest" if attendance.is_guest else ""
            messages.success(request, f"{attendance.user.name} is invited{guest}.")
    else:
        messages.error(request, form.errors["email"][0])
    return redirect(meeting.get_absolute_url() + "#attendees")


@login_required
@require_POST
def attendee_update(
    request: HttpRequest, slug: str, meeting_id: int, attendance_id: int
) -> HttpResponse:
    """Excuse, expect again, or remove one attendee (optionally from the whole series)."""
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    attendance = access_attendance(meeting, attendance_id)
    action = request.POST.get("action")
    try:
        if action == "excuse":
            form = ExcuseForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.excuse(attendance=attendance, reason=reason or "Excused")
        elif action == "expect":
            services.unexcuse(attendance=attendance)
        elif action == "remove":
            services.remove_attendee(
                attendance=attendance, whole_series=request.POST.get("whole_series") == "on"
            )
        else:
            messages.error(request, "Unknown change.")
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect(meeting.get_absolute_url() + "#attendees")
