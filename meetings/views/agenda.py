"""Agenda editing: htmx swaps the agenda list in place; without JavaScript each
form posts and comes back to the agenda page (Post/Redirect/Get)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import login_required

from .. import services
from ..access import Role, access_agenda_item, access_meeting, access_team
from ..forms import AgendaItemForm, NotesForm
from .meetings import agenda_context


def _agenda_response(request: HttpRequest, access, meeting, **extra) -> HttpResponse:
    if request.htmx:
        return render(
            request, "meetings/meeting_detail.html#agenda", agenda_context(access, meeting, **extra)
        )
    if extra.get("agenda_error"):
        messages.error(request, extra["agenda_error"])
    return redirect(meeting.get_absolute_url() + "#agenda")


@login_required
@require_POST
def agenda_add(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    form = AgendaItemForm(request.POST, team=access.team)
    if not form.is_valid():
        if request.htmx:
            return render(
                request, "meetings/meeting_detail.html#agenda",
                agenda_context(access, meeting, item_form=form),
            )  # fmt: skip
        return render(request, "meetings/agenda_item_form.html",
                      {"access": access, "team": access.team, "meeting": meeting, "form": form})  # fmt: skip
    try:
        services.add_agenda_item(meeting=meeting, **form.cleaned_data)
    except ValidationError as error:
        return _agenda_response(request, access, meeting, agenda_error=error.messages[0])
    return _agenda_response(request, access, meeting)


@login_required
@require_http_methods(["GET", "POST"])
def agenda_edit(request: HttpRequest, slug: str, meeting_id: int, item_id: int) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    item = access_agenda_item(meeting, item_id)
    initial = {
        "title": item.title,
        "minutes": item.minutes,
        "owner": item.owner,
        "notes": item.notes,
    }
    form = AgendaItemForm(request.POST or None, team=access.team, initial=initial)
    if item.is_round:
        form.fields["title"].disabled = True  # the round keeps its name
    if request.method == "POST" and form.is_valid():
        try:
            services.update_agenda_item(item=item, data=form.cleaned_data)
        except ValidationError as error:
            return _agenda_response(request, access, meeting, agenda_error=error.messages[0])
        return _agenda_response(request, access, meeting)
    return render(
        request, "meetings/agenda_item_form.html",
        {"access": access, "team": access.team, "meeting": meeting, "item": item, "form": form},
    )  # fmt: skip


@login_required
@require_POST
def agenda_move(request: HttpRequest, slug: str, meeting_id: int, item_id: int) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    item = access_agenda_item(meeting, item_id)
    direction = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.move_agenda_item(item=item, direction=direction)
    except ValidationError as error:
        return _agenda_response(request, access, meeting, agenda_error=error.messages[0])
    return _agenda_response(request, access, meeting)


@login_required
@require_POST
def agenda_delete(request: HttpRequest, slug: str, meeting_id: int, item_id: int) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    item = access_agenda_item(meeting, item_id)
    try:
        services.remove_agenda_item(item=item)
    except ValidationError as error:
        return _agenda_response(request, access, meeting, agenda_error=error.messages[0])
    return _agenda_response(request, access, meeting)


@login_required
@require_POST
def agenda_notes(request: HttpRequest, slug: str, meeting_id: int, item_id: int) -> HttpResponse:
    """Notes per agenda item, taken while the meeting runs."""
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    meeting = access_meeting(access, meeting_id)
    item = access_agenda_item(meeting, item_id)
    form = NotesForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.save_agenda_notes(item=item, notes=form.cleaned_data["notes"])
        except ValidationError as e:
            error = e.messages[0]
    else:
        error = form.errors["notes"][0]
    return _agenda_response(request, access, meeting, agenda_error=error)
