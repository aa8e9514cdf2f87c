"""Where reminders go. Adding a channel is one class: `send` delivers or raises
TransientError (retry later) or PermanentError (give up, record why)."""

from __future__ import annotations

import functools
import http.client
import json
import smtplib
import socket
import urllib.error
import urllib.request
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection

from meetings import webhook_targets

from . import batch, content
from .models import Message

# Seconds; well under the claim's lease (REMINDER_LEASE_SECONDS). A send holds the
# attendee's and the meeting's locks (dispatch.py), so it also bounds how long a
# submission or a move can wait for a send in flight.
SEND_TIMEOUT = 10


class TransientError(Exception):
    """Worth trying again: a timeout, a 4xx from SMTP, a 5xx or 429 from a webhook."""


class PermanentError(Exception):
    """Trying again won't help: the address or the URL is refused."""


class Channel:
    name: ClassVar[str]

    def send(self, reminder: Message) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class EmailChannel(Channel):
    name = Message.Channel.EMAIL

    def send(self, reminder: Message) -> None:
        message = content.email_for(reminder)
        shared = batch.current()
        try:
            timeout = min(settings.EMAIL_TIMEOUT or SEND_TIMEOUT, SEND_TIMEOUT)
            if shared is None:
                with get_connection(timeout=timeout) as connection:
                    message.connection = connection
                    message.send()
            else:  # one connection for the batch: no handshake per message
                if shared.connection is None:
                    connection = get_connection(timeout=timeout)
                    connection.open()
                    shared.connection = connection
                message.connection = shared.connection
                try:
                    message.send()
                except Exception:
                    shared.drop_connection()  # in an unknown state: the next one reopens
                    raise
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if all(400 <= code < 500 for code in codes):
                raise TransientError(f"recipient deferred: {error.recipients}") from error
            raise PermanentError(f"recipient refused: {error.recipients}") from error
        except smtplib.SMTPResponseException as error:
            if 400 <= error.smtp_code < 500:
                raise TransientError(f"SMTP {error.smtp_code}: {error.smtp_error!r}") from error
            raise PermanentError(f"SMTP {error.smtp_code}: {error.smtp_error!r}") from error
        except (TimeoutError, smtplib.SMTPException, OSError) as error:
            raise TransientError(f"{type(error).__name__}: {error}") from error


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a webhook that redirects is refused, not followed elsewhere


class CheckedRequest(urllib.request.Request):
    """A request that may only connect to `addresses`: the ones the webhook rule
    (meetings/webhook_targets.py) checked for the URL's host."""

    def __init__(self, url: str, *, addresses: list[str], **kwargs) -> None:
        super().__init__(url, **kwargs)
        self.addresses = addresses


def _connect_to_checked(addresses: list[str], address: tuple, timeout, source_address=None):
    """socket.create_connection, to the checked addresses instead of a new lookup of the
    host: a second DNS answer (rebinding) can't move the post elsewhere."""
    _host, port = address
    error: OSError = OSError("no checked address")
    for checked in addresses:
        try:
            return socket.create_connection((checked, port), timeout, source_address)
        except OSError as e:
            error = e
    raise error


class _Pinned:
    """Only the TCP connection is pinned: the Host header, TLS's server name and its
    certificate check still use the URL's host."""

    def __init__(self, host: str, *, addresses: list[str], **kwargs) -> None:
        super().__init__(host, **kwargs)
        self._create_connection = functools.partial(_connect_to_checked, addresses)


class _PinnedHTTPConnection(_Pinned, http.client.HTTPConnection):
    pass


class _PinnedHTTPSConnection(_Pinned, http.client.HTTPSConnection):
    pass


def _checked_addresses(request: urllib.request.Request) -> list[str]:
    addresses = getattr(request, "addresses", None)
    if not addresses:  # fail closed: nothing goes out unchecked
        raise urllib.error.URLError("refused: the address was not checked")
    return addresses


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, request):
        connection = functools.partial(_PinnedHTTPConnection, addresses=_checked_addresses(request))
        return self.do_open(connection, request)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, request):
        connection = functools.partial(
            _PinnedHTTPSConnection, addresses=_checked_addresses(request)
        )
        return self.do_open(connection, request, context=self._context)


# Only the webhook's own host, at the addresses checked, is ever contacted: no redirects
# to follow, no proxy (it would look the host up again, unchecked).
_NO_REDIRECTS = urllib.request.build_opener(
    _RefuseRedirects, urllib.request.ProxyHandler({}), _PinnedHTTPHandler, _PinnedHTTPSHandler
)


def _target_addresses(webhook) -> list[str]:
    """The webhook rule, again right before the post: an address saved before the rule
    or by another path, or a host that now resolves into the network, is refused."""
    try:
        return webhook_targets.check(webhook.kind, webhook.url)
    except ValidationError as error:
        reason = error.messages[0]
        if error.code == "not_found":  # the DNS may be down: try again later
            raise TransientError(reason) from error
        raise PermanentError(f"webhook refused: {reason}") from error


class WebhookChannel(Channel):
    """Incoming webhooks: one JSON POST. Only the URL is external."""

    def payload(self, text: str) -> dict:  # pragma: no cover - per service
        raise NotImplementedError

    def send(self, reminder: Message) -> None:
        webhook = reminder.meeting.team.webhooks.filter(kind=self.name, is_active=True).first()
        if webhook is None:
            raise PermanentError("the team's webhook was removed")
        addresses = _target_addresses(webhook)
        body = json.dumps(self.payload(content.missing_text(reminder, names=webhook.mention_names)))
        request = CheckedRequest(
            webhook.url,
            addresses=addresses,
            data=body.encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with _NO_REDIRECTS.open(request, timeout=SEND_TIMEOUT) as response:
                response.read()
        except urllib.error.HTTPError as error:
            if error.code == 429 or error.code >= 500:
                raise TransientError(f"HTTP {error.code}") from error
            raise PermanentError(f"HTTP {error.code}") from error
        except (TimeoutError, urllib.error.URLError, OSError) as error:
            raise TransientError(f"{type(error).__name__}: {error}") from error


class SlackChannel(WebhookChannel):
    name = Message.Channel.SLACK

    def payload(self, text: str) -> dict:
        return {"text": text}


class TeamsChannel(WebhookChannel):
    name = Message.Channel.TEAMS

    def payload(self, text: str) -> dict:
        return {"text": text}


CHANNELS: dict[str, Channel] = {c.name: c() for c in (EmailChannel, SlackChannel, TeamsChannel)}
