"""Links in reminder e-mails (snooze, stop early reminders) and the failure list.

The e-mail links carry a scoped django-sesame token and sign nobody in. A GET only
shows what will happen (mail scanners open links); the change is a POST."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from sesame.utils import get_user

from accounts.decorators import login_required, org_admin_required
from insights.models import Insight
from meetings.models import Meeting

from . import snooze as snoozing
from .content import UNSUBSCRIBE_SCOPE
from .dispatch import backlog
from .models import Message

FAILURES_SHOWN = 200


@require_http_methods(["GET", "POST"])
def snooze(request: HttpRequest, meeting_id: int, choice: str) -> HttpResponse:
    meeting = Meeting.objects.select_related("team").filter(pk=meeting_id).first()
    token = request.GET.get(settings.SESAME_TOKEN_NAME)
    user = None
    if meeting is not None and choice in snoozing.LABELS and token:
        user = get_user(token, scope=snoozing.scope(meeting), update_last_login=False)
    if user is None or not meeting.is_scheduled or not meeting.is_open:
        return render(request, "reminders/snooze.html", {"invalid": True}, status=403)
    now = timezone.now()
    context = {"meeting": meeting, "recipient": user, "label": snoozing.LABELS[choice],
               "final_at": snoozing.final_reminder_at(meeting)}  # fmt: skip
    if Insight.objects.filter(meeting=meeting, author=user).exists():
        return render(request, "reminders/snooze.html", {**context, "already_in": True})
    until = snoozing.choices(meeting, user, now).get(choice)
    if until is None:
        # Too close to the meeting for this choice: the final reminder comes first.
        return render(request, "reminders/snooze.html", {**context, "too_late": True})
    context["until"] = until
    if request.method == "POST":
        snoozing.snooze(meeting, user, until, choice)
        context["done"] = True
    return render(request, "reminders/snooze.html", context)


@csrf_exempt  # RFC 8058 one-click unsubscribe: the mail provider POSTs without a form
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest) -> HttpResponse:
    token = request.GET.get(settings.SESAME_TOKEN_NAME)
    user = get_user(token, scope=UNSUBSCRIBE_SCOPE, update_last_login=False) if token else None
    if user is None:
        return render(request, "reminders/unsubscribe.html", {"invalid": True}, status=403)
    if request.method == "POST":
        user.mute_early_reminders = True
        user.save(update_fields=["mute_early_reminders"])
    return render(
        request, "reminders/unsubscribe.html", {"recipient": user, "done": request.method == "POST"}
    )


@login_required
@require_GET
@org_admin_required
def failures(request: HttpRequest) -> HttpResponse:
    """Organisation admins: messages that failed, across every team."""
    failed = (
        Message.objects.filter(
            state__in=[Message.State.FAILED_PERMANENT, Message.State.FAILED_MAX_ATTEMPTS]
        )
        .select_related("meeting__team", "user", "invitation")
        .order_by("-updated_at")[:FAILURES_SHOWN]
    )
    lag, stuck = backlog()
    return render(
        request,
        "reminders/failures.html",
        {"failures": failed, "lag": lag, "stuck": stuck},
    )
