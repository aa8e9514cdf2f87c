"""Series pages: scheduling a recurring meeting, its standing agenda and rotation,
ending it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import login_required

from .. import services
from ..access import Role, access_series, access_team
from ..forms import SeriesForm, SeriesSettingsForm
from ..models import Meeting


@login_required
@require_http_methods(["GET", "POST"])
def series_create(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    form = SeriesForm(request.POST or None, team=access.team, initial={"facilitator": request.user})
    if request.method == "POST" and form.is_valid():
        series = services.create_series(team=access.team, data=form.series_data())
        messages.success(request, f"“{series.title}” is scheduled for the next weeks.")
        if warning := series.agenda_time().warning:
            messages.warning(request, warning)
        return redirect(
            reverse("meetings:meeting-list") + f"?team={access.team.slug}&series={series.pk}"
        )
    return render(
        request, "meetings/series_form.html", {"access": access, "team": access.team, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def series_detail(request: HttpRequest, slug: str, series_id: int) -> HttpResponse:
    """A series: its upcoming meetings, its standing agenda and rotation."""
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    series = access_series(access, series_id)
    initial = {
        "agenda_template": series.agenda_template,
        "rotate_facilitator": series.rotate_facilitator,
    }
    form = SeriesSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = services.update_series_settings(series=series, **form.cleaned_data)
        note = (
            f" {changed} scheduled meeting{'s' if changed != 1 else ''} updated." if changed else ""
        )
        messages.success(request, "Series saved." + note)
        return redirect("meetings:series-detail", slug=slug, series_id=series.pk)
    now = timezone.now()
    # Not over yet: the one in progress comes first, said "Now".
    upcoming = list(
        series.meetings.filter(ends_at__gt=now)
        .exclude(status=Meeting.Status.ENDED)
        .select_related("team", "facilitator")
        .order_by("starts_at")[:12]
    )
    for meeting in upcoming:
        meeting.is_now = not meeting.is_cancelled and meeting.has_started(now)
    return render(
        request,
        "meetings/series_detail.html",
        {
            "access": access,
            "team": access.team,
            "series": series,
            "form": form,
            "upcoming": upcoming,
            # What is saved, not what a form with errors holds.
            "agenda_time": series.agenda_time(),
        },
    )


@login_required
@require_POST
def series_end(request: HttpRequest, slug: str, series_id: int) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    series = access_series(access, series_id)
    removed = services.end_series(series=series)
    messages.success(
        request,
        f"“{series.title}” ends here: {removed} upcoming meeting{'s' if removed != 1 else ''} removed; "
        "any that already held insights are kept as skipped.",
    )
    return redirect(access.team)
