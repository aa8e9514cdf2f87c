from __future__ import annotations

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
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
    """The message as its recipient sees it: the HTML part in a frame by default,
    or its plain-text part (`?part=text`, and always when it has no HTML)."""
    message = _outbox_message(key)
    part = "text" if request.GET.get("part") == "text" or not message.html else "html"
    return render(request, "outbox/message.html", {"mail": message, "part": part})


# The frame's document gets a policy of its own, stricter than the site's: no script,
# nothing fetched, no form; its inline styles are an e-mail's only way to look right.
# The CSP sandbox holds even when the URL is opened outside the frame.
EMAIL_POLICY = {
    "default-src": [NONE],
    "style-src": [UNSAFE_INLINE],
    "img-src": ["data:"],
    "base-uri": [NONE],
    "form-action": [NONE],
    "frame-ancestors": [SELF],
    "sandbox": ["allow-popups", "allow-popups-to-escape-sandbox"],
}


@login_required
@require_GET
@org_admin_required
@xframe_options_sameorigin  # framed by the outbox's message page, and only by it
@csp(EMAIL_POLICY)
def outbox_message_html(request: HttpRequest, key: str) -> HttpResponse:
    """The HTML part alone, for the message page's sandboxed frame."""
    message = _outbox_message(key)
    if not message.html:
        raise Http404("This message has no HTML part.")
    return HttpResponse(message.preview, content_type="text/html; charset=utf-8")


def _outbox_message(key: str) -> outbox.OutboxMessage:
    message = outbox.get(key)
    if message is None:
        raise Http404("No such message.")
    return message
