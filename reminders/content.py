"""What each message says. Rendered when it is sent, from what is true then: the
meeting in the recipient's zone, the round's "4 of 7" (insights/round.py), links
made fresh (one-tap insight link, snooze, unsubscribe, invitation, password reset)."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from sesame.utils import get_query_string

from insights import links
from insights.round import counts, counts_for, round_for
from insights.summary import summary_for
from meetings.services import invitation_link

from . import batch, services, snooze
from .models import Message

Kind = Message.Kind
UNSUBSCRIBE_SCOPE = "unsubscribe-early"


def render_email(
    name: str, context: Mapping, *, to: list[str], headers: dict | None = None
) -> EmailMultiAlternatives:
    """templates/emails/<name>_{subject,body}.{txt,html} as one multipart message."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{name}_body.txt", context),
        to=to,
        headers=headers or {},
    )
    html = render_to_string(f"emails/{name}_body.html", {**context, "subject": subject})
    message.attach_alternative(html, "text/html")
    return message


def unsubscribe_link(user) -> str:
    path = reverse("reminders:unsubscribe")
    return settings.SITE_URL + path + get_query_string(user, scope=UNSUBSCRIBE_SCOPE)


def email_for(message: Message) -> EmailMultiAlternatives:
    build = {
        Kind.REMINDER: _reminder, Kind.SNOOZE: _reminder, Kind.DIGEST: _digest,
        Kind.SUMMARY: _summary, Kind.INVITATION: _invitation, Kind.FRESH_LINK: _fresh_link,
        Kind.PASSWORD_RESET: _password_reset, Kind.EARLY_WARNING: _early_warning,
    }[message.kind]  # fmt: skip
    name, context, to, headers = build(message)
    headers = {"Message-ID": message.message_id, "Auto-Submitted": "auto-generated", **headers}
    return render_email(name, context, to=to, headers=headers)


def _round_counts(meeting) -> tuple[int, int, int]:
    """The round's counts, once per meeting per batch of sends (reminders/batch.py):
    the first reminder of a batch counts for the other reminders' meetings too."""
    shared = batch.current()
    if shared is None:
        return counts(meeting)
    if meeting.pk not in shared.counts:
        waiting = {r.meeting_id for r in shared.rows if r.kind in Message.BEFORE_START}
        shared.counts.update(counts_for({meeting.pk, *waiting} - shared.counts.keys()))
    return shared.counts[meeting.pk]


def _reminder(message: Message):
    meeting, user = message.meeting, message.user
    submitted, expected, _extra = _round_counts(meeting)
    unsubscribe = unsubscribe_link(user)
    offered = {} if message.is_final else snooze.choices(meeting, user, timezone.now())
    context = {
        "reminder": message, "meeting": meeting, "recipient": user,
        "submitted": submitted, "expected": expected,
        "submit_link": links.submit_link(user, meeting),
        "snooze_links": [(snooze.LABELS[key], snooze.link(user, meeting, key)) for key in offered],
        "unsubscribe_link": unsubscribe,
    }  # fmt: skip
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return "reminder", context, [user.email], headers


def _digest(message: Message):
    meeting = message.meeting
    context = {"meeting": meeting, "recipient": message.user, "round": round_for(meeting),
               "agenda_url": settings.SITE_URL + meeting.get_absolute_url()}  # fmt: skip
    return "digest", context, [message.user.email], {}


def _summary(message: Message):
    context = {**summary_for(message.meeting), "recipient": message.user}
    return "meeting_summary", context, [message.user.email], {}


def _invitation(message: Message):
    invitation = message.invitation
    context = {"invitation": invitation, "link": invitation_link(invitation)}
    return "invitation", context, [invitation.email], {}


def _fresh_link(message: Message):
    context = {"meeting": message.meeting, "user": message.user,
               "link": links.submit_link(message.user, message.meeting)}  # fmt: skip
    return "fresh_link", context, [message.user.email], {}


def _password_reset(message: Message):
    user = message.user
    path = reverse(
        "accounts:password-reset-confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user)},
    )  # fmt: skip
    return "password_reset", {"user": user, "link": settings.SITE_URL + path}, [user.email], {}


def _early_warning(message: Message):
    user = message.user
    warnings = getattr(message, "warnings", None)  # what the dispatcher's gate found
    if warnings is None:
        warnings = services.warnings_for(user, timezone.now().date())
    # Team admins get their teams' dashboards; only organisation admins see all teams.
    dashboard = settings.SITE_URL + reverse("insights:dashboard") if user.is_staff else ""
    context = {"recipient": user, "warnings": warnings, "dashboard_url": dashboard}
    return "early_warning", context, [user.email], {}


def chat_escape(text: str) -> str:
    """Slack and Teams read <…> as mentions and links: user text can't make any."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def missing_text(message: Message, *, names: bool) -> str:
    """The team channel's post: who is missing, by name only if the team chose so."""
    meeting = message.meeting
    the_round = round_for(meeting)
    missing = the_round.missing
    start = meeting.starts_at.astimezone(meeting.team.zone)
    head = (
        f"{chat_escape(meeting.title)} starts at {start:%H:%M} ({meeting.team.time_zone}): "
        f"{the_round.submitted_count} of {the_round.expected_count} have brought a fresh customer insight."
    )
    if not missing:
        return head + " Everyone is ready."
    if names:
        return (
            head + " Still missing: " + ", ".join(chat_escape(s.user.name) for s in missing) + "."
        )
    return head + f" {len(missing)} still to come."
