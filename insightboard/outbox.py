"""Read the e-mails the embedded file backend wrote, so a person running
InsightBoard without an SMTP server can still follow every link it sends."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import re
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings

# Django's filebased backend ends each message with this line.
SEPARATOR = b"\n" + b"-" * 79 + b"\n"
MAX_FILES = 200


@dataclass(frozen=True)
class OutboxMessage:
    key: str
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def to(self) -> str:
        return str(self.message["To"] or "")

    @property
    def date(self) -> dt.datetime | None:
        """When it was sent, aware, for the page to show in the viewer's zone; None if
        the header is missing or unreadable."""
        try:
            sent = email.utils.parsedate_to_datetime(str(self.message["Date"]))
        except (TypeError, ValueError):
            return None
        # Django writes "-0000" (RFC 5322: UTC, the sender's zone unknown), read as naive.
        return sent if sent.tzinfo else sent.replace(tzinfo=dt.UTC)

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""

    @property
    def preview(self) -> str:
        """The HTML part for the outbox's sandboxed frame. Its links open in a new tab,
        as from a mail client: followed inside the frame, they would land on the app's
        own pages, which refuse to be framed."""
        head = re.search(r"<head[^>]*>", self.html, flags=re.IGNORECASE)
        at = head.end() if head else 0
        return self.html[:at] + '<base target="_blank">' + self.html[at:]


def outbox_dir() -> Path:
    return Path(getattr(settings, "EMAIL_FILE_PATH", settings.EMAIL_OUTBOX_DIR))


def messages() -> list[OutboxMessage]:
    """Newest first."""
    folder = outbox_dir()
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.log"), key=lambda f: f.stat().st_mtime, reverse=True)
    found: list[OutboxMessage] = []
    for file in files[:MAX_FILES]:
        chunks = [c for c in file.read_bytes().split(SEPARATOR) if c.strip()]
        for index, chunk in reversed(list(enumerate(chunks))):
            parsed = email.message_from_bytes(chunk, policy=email.policy.default)
            found.append(OutboxMessage(key=f"{file.stem}.{index}", message=parsed))
    return found


def get(key: str) -> OutboxMessage | None:
    return next((m for m in messages() if m.key == key), None)
