"""Where a team's webhook may post: one rule for every way a webhook is saved (the team
settings form; the Django admin and any ModelForm, through TeamWebhook.clean) and for
the sender, which checks again right before each post (reminders/channels.py) and then
connects only to the addresses checked here.

The worker posts from inside our network, so an address leading back into it (a
loopback listener, a private service, the cloud's metadata endpoint) would turn a
webhook into a way to call those. Slack's and Teams' hosts are public: if one of their
names ever resolves elsewhere (a split-horizon or poisoned resolver, DNS rebinding),
the address is refused rather than posted to."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

HTTPS_ONLY = "Use the https:// address your Slack or Teams admin gave you."
NOT_A_WEBHOOK = "This doesn't look like an incoming-webhook address."
NOT_SLACK_OR_TEAMS = "Use an incoming-webhook address from Slack or Microsoft Teams."
NOT_FOUND = (
    "%(host)s could not be looked up, so it could not be checked: check the address, or "
    "try again when this server can reach the internet."
)
NOT_PUBLIC = "%(host)s leads to %(address)s, %(why)s: webhooks only post to the public internet."

# Where Slack and Teams incoming webhooks live, by TeamWebhook.Kind (a leading dot: any
# subdomain). Anything else, an internal host say, is refused before it is looked up.
SERVICE_HOSTS = {
    "slack": ("hooks.slack.com",),
    "teams": (".webhook.office.com", ".logic.azure.com", ".api.powerplatform.com"),
}
DEFAULT_PORTS = {"https": 443, "http": 80}

# Named so that a refusal says what the post would have reached. Most are link-local or
# private anyway; Azure's wireserver is a public-looking address reachable from its VMs.
CLOUD_METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, Google Cloud, Azure, OpenStack, DigitalOcean, Oracle
        "169.254.170.2",  # AWS ECS task credentials
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (classic)
        "168.63.129.16",  # Azure wireserver
    )
)
# IPv6 that carries an IPv4 address the packets end up at (through NAT64).
NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def check(kind: str, url: str) -> list[str]:
    """The addresses a `kind` webhook at `url` may post to, every one checked, or a
    ValidationError (with a code) saying why not.

    The host is looked up once and the caller connects to these addresses only, so a
    second DNS answer can't send the post elsewhere. Any refused address refuses the
    whole target: a client falling back to it would otherwise reach it."""
    parts = urlsplit(url)
    schemes = ("https", "http") if settings.WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in schemes:
        raise ValidationError(HTTPS_ONLY, code="https_only")
    try:
        port = parts.port
    except ValueError:  # not a number, or out of range
        raise ValidationError(NOT_A_WEBHOOK, code="not_a_webhook") from None
    host = parts.hostname
    if not host or parts.username is not None or parts.path in ("", "/"):
        raise ValidationError(NOT_A_WEBHOOK, code="not_a_webhook")
    if port not in (None, DEFAULT_PORTS[parts.scheme]) or not _is_service_host(kind, host):
        raise ValidationError(NOT_SLACK_OR_TEAMS, code="not_slack_or_teams")

    port = port or DEFAULT_PORTS[parts.scheme]
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        answers = []
    addresses = list(
        dict.fromkeys(
            sockaddr[0]
            for family, *_, sockaddr in answers
            if family in (socket.AF_INET, socket.AF_INET6)
        )
    )
    if not addresses:
        raise ValidationError(NOT_FOUND, code="not_found", params={"host": host})
    for address in addresses:
        if why := refusal(ipaddress.ip_address(address)):
            raise ValidationError(
                NOT_PUBLIC,
                code="not_public",
                params={"host": host, "address": address, "why": why},
            )
    return addresses


def refusal(address: IPAddress) -> str | None:
    """Why the worker must not post to this address; None for a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address written as IPv6 goes where the IPv4 address goes.
        embedded = address.ipv4_mapped or (
            ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in NAT64 else None
        )
        if embedded is not None:
            return refusal(embedded)
    if address in CLOUD_METADATA:
        return "a cloud metadata address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private or not address.is_global:  # not global: shared (CGNAT) space
        return "a private address"
    return None


def _is_service_host(kind: str, host: str) -> bool:
    return any(
        host == allowed or (allowed.startswith(".") and host.endswith(allowed))
        for allowed in SERVICE_HOSTS.get(kind, ())
    )
