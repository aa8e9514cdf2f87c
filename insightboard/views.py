from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.decorators import login_required, org_admin_required

from . import health, outbox


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": health.database_ok(), "broker": health.broker_ok()}
    status = 200 if all(checks.values()) else 503
    body = {"status": "ok" if status == 200 else "unavailable"}
    body.update({name: "ok" if ok else "down" for name, ok in checks.items()})
    if checks["database"]:
        # Figures for monitoring; they inform, they don't fail the check.
        body.update(health.reminder_figures())
    return JsonResponse(body, status=status)


@login_required
@require_GET
@org_admin_required
def outbox_list(request: HttpRequest) -> HttpResponse:
    return render(request, "outbox/list.html", {"messages_sent": outbox.messages()})


@login_required
@require_GET
@org_admin_required
def outbox_message(request: HttpRequest, key: str) -> HttpResponse:
    message = outbox.get(key)
    if message is None:
        raise Http404("No such message.")
    return render(request, "outbox/message.html", {"mail": message})
