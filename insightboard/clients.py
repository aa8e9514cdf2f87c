"""Who is asking: the client's address, the one key every limit counts by."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The connecting address; behind TRUSTED_PROXIES proxies, the address the
    outermost of them saw. Each proxy appends the address it saw to X-Forwarded-For,
    so that one is the TRUSTED_PROXIES-th from the right: anything left of it came
    from the client, who can write what it likes there."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if len(forwarded) < proxies:
        return remote  # not through the proxies it should have come through
    return forwarded[-proxies]
