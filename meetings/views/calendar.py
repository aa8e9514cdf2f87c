from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from accounts.decorators import login_required
from accounts.models import User

from .. import calendar
from ..access import access_meeting, access_team

ICS = "text/calendar; charset=utf-8"


@login_required
@require_GET
def meeting_ics(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    access = access_team(request.user, slug)
    meeting = access_meeting(access, meeting_id)
    response = HttpResponse(calendar.calendar_for([meeting], meeting.title), content_type=ICS)
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A private feed: the secret token is the only credential (calendar apps can't log in)."""
    user = User.objects.filter(calendar_token=token, is_active=True).first()
    if user is None:
        raise Http404("No such calendar.")
    body = calendar.calendar_for(calendar.feed_meetings(user), f"InsightBoard · {user.name}")
    response = HttpResponse(body, content_type=ICS)
    response["Cache-Control"] = "private, max-age=300"
    return response
