from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.decorators import login_required
from insights.round import with_round_counts

from ..models import Meeting

HOME_UPCOMING = 8
HOME_PAST = 5


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """My meetings; an organisation admin's home is the participation dashboard."""
    if request.user.is_staff:
        return redirect("insights:dashboard")
    now = timezone.now()
    mine = Meeting.objects.filter(attendances__user=request.user).select_related("team")
    upcoming = list(mine.upcoming(now)[:HOME_UPCOMING])
    past = list(mine.past(now).order_by("-starts_at")[:HOME_PAST])
    with_round_counts(upcoming + past, user=request.user)
    return render(request, "meetings/home.html", {"upcoming": upcoming, "past": past, "now": now})
