"""Links in reminder e-mails (snooze, stop early reminders) and the failure list.

The e-mail links carry a scoped django-sesame token and sign nobody in. A GET only
shows what will happen (mail scanners open links); the change is a POST."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from sesame.utils import get_user

from accounts.decorators import login_required, org_admin_required
from meetings.models import Attendance, Meeting

from ..links import is_open
from ..models import Reminder
from ..reminders.content import SNOOZE_CHOICES, UNSUBSCRIBE_SCOPE, snooze_scope
from ..reminders.dispatch import backlog

# A snooze never passes the start: at the latest, this long before it.
SNOOZE_CAP = dt.timedelta(minutes=10)
FAILURES_SHOWN = 200


def snooze_until(choice: str, meeting: Meeting, user, now: dt.datetime) -> dt.datetime:
    if choice == "tomorrow":
        tomorrow = now.astimezone(user.zone).date() + dt.timedelta(days=1)
        wanted = dt.datetime.combine(tomorrow, dt.time(8, 0), tzinfo=user.zone).astimezone(dt.UTC)
    else:
        wanted = now + dt.timedelta(hours=1)
    return min(wanted, meeting.starts_at - SNOOZE_CAP)


@require_http_methods(["GET", "POST"])
def snooze(request: HttpRequest, meeting_id: int, choice: str) -> HttpResponse:
    meeting = Meeting.objects.select_related("team").filter(pk=meeting_id).first()
    token = request.GET.get(settings.SESAME_TOKEN_NAME)
    user = None
    if meeting is not None and choice in SNOOZE_CHOICES and token:
        user = get_user(token, scope=snooze_scope(meeting), update_last_login=False)
    if user is None or not is_open(meeting) or meeting.status != Meeting.Status.SCHEDULED:
        return render(request, "insights/snooze.html", {"invalid": True}, status=403)
    now = timezone.now()
    until = snooze_until(choice, meeting, user, now)
    context = {"meeting": meeting, "recipient": user, "until": until, "label": SNOOZE_CHOICES[choice],
               "too_late": until <= now}  # fmt: skip
    if request.method == "POST" and until > now:
        _snooze(meeting, user, until, choice)
        context["done"] = True
    return render(request, "insights/snooze.html", context)


@transaction.atomic
def _snooze(meeting: Meeting, user, until: dt.datetime, choice: str) -> None:
    # Lock the attendance: a double tap waits, then finds the first snooze to move.
    Attendance.objects.select_for_update().filter(meeting=meeting, user=user).first()
    # One pending snooze per person and meeting: a new one moves it.
    Reminder.objects.filter(
        meeting=meeting, user=user, kind=Reminder.Kind.SNOOZE, state=Reminder.State.PENDING
    ).update(state=Reminder.State.SKIPPED_SUPERSEDED, note="Snoozed again.")
    offset = int((meeting.starts_at - until).total_seconds() // 60)
    Reminder.objects.update_or_create(
        meeting=meeting, user=user, kind=Reminder.Kind.SNOOZE, offset=offset,
        channel=Reminder.Channel.EMAIL, schedule_version=meeting.schedule_version,
        defaults={"due_at": until, "next_attempt_at": until, "state": Reminder.State.PENDING,
                  "attempts": 0, "note": f"Snoozed: {SNOOZE_CHOICES[choice].lower()}."},
    )  # fmt: skip


@csrf_exempt  # RFC 8058 one-click unsubscribe: the mail provider POSTs without a form
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest) -> HttpResponse:
    token = request.GET.get(settings.SESAME_TOKEN_NAME)
    user = get_user(token, scope=UNSUBSCRIBE_SCOPE, update_last_login=False) if token else None
    if user is None:
        return render(request, "insights/unsubscribe.html", {"invalid": True}, status=403)
    if request.method == "POST":
        user.mute_early_reminders = True
        user.save(update_fields=["mute_early_reminders"])
    return render(
        request, "insights/unsubscribe.html", {"recipient": user, "done": request.method == "POST"}
    )


@login_required
@require_GET
@org_admin_required
def failures(request: HttpRequest) -> HttpResponse:
    """Organisation admins: reminders that failed, across every team."""
    failed = (
        Reminder.objects.filter(
            state__in=[Reminder.State.FAILED_PERMANENT, Reminder.State.FAILED_MAX_ATTEMPTS]
        )
        .select_related("meeting__team", "user")
        .order_by("-updated_at")[:FAILURES_SHOWN]
    )
    lag, stuck = backlog()
    return render(
        request,
        "insights/reminder_failures.html",
        {"failures": failed, "lag": lag, "stuck": stuck},
    )
