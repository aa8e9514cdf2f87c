"""What a reminder says: the meeting in the recipient's zone, how many teammates
already brought theirs, the one-tap link to the form, snooze and unsubscribe links."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from sesame.utils import get_query_string

from insightboard.mail import render_email
from meetings.models import Meeting

from .. import links
from ..models import Reminder
from ..services import round_counts

SNOOZE_CHOICES = {"1h": "In 1 hour", "tomorrow": "Tomorrow at 08:00"}


def snooze_scope(meeting: Meeting) -> str:
    return f"snooze:{meeting.pk}"


def snooze_link(user, meeting: Meeting, choice: str) -> str:
    path = reverse("insights:snooze", args=[meeting.pk, choice])
    return settings.SITE_URL + path + get_query_string(user, scope=snooze_scope(meeting))


UNSUBSCRIBE_SCOPE = "unsubscribe-early"


def unsubscribe_link(user) -> str:
    path = reverse("insights:unsubscribe")
    return settings.SITE_URL + path + get_query_string(user, scope=UNSUBSCRIBE_SCOPE)


def email_for(reminder: Reminder) -> EmailMultiAlternatives:
    meeting, user = reminder.meeting, reminder.user
    if reminder.kind == Reminder.Kind.DIGEST:
        return _digest_email(reminder)
    submitted, expected = round_counts(meeting)
    unsubscribe = unsubscribe_link(user)
    context = {
        "reminder": reminder,
        "meeting": meeting,
        "recipient": user,
        "submitted": submitted,
        "expected": expected,
        "submit_link": links.submit_link(user, meeting),
        "snooze_links": [
            (label, snooze_link(user, meeting, key)) for key, label in SNOOZE_CHOICES.items()
        ]
        if not reminder.is_final
        else [],
        "unsubscribe_link": unsubscribe,
    }
    headers = {
        "Message-ID": reminder.message_id,
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
    return render_email("reminder", context, to=[user.email], headers=headers)


def _digest_email(reminder: Reminder) -> EmailMultiAlternatives:
    from meetings.services import insight_round

    meeting = reminder.meeting
    insight_round_now = insight_round(meeting)
    context = {
        "meeting": meeting,
        "recipient": reminder.user,
        "round": insight_round_now,
        "agenda_url": settings.SITE_URL
        + reverse("meetings:meeting-detail", args=[meeting.team.slug, meeting.pk]),
    }
    headers = {"Message-ID": reminder.message_id, "Auto-Submitted": "auto-generated"}
    return render_email("digest", context, to=[reminder.user.email], headers=headers)


def chat_escape(text: str) -> str:
    """Slack and Teams read <…> as mentions and links: user text can't make any."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def missing_text(reminder: Reminder, *, names: bool) -> str:
    """The team channel's post: who is missing, by name only if the team chose so."""
    from meetings.services import insight_round

    meeting = reminder.meeting
    round_now = insight_round(meeting)
    missing = round_now.missing
    start = meeting.starts_at.astimezone(meeting.team.zone)
    head = (
        f"{chat_escape(meeting.title)} starts at {start:%H:%M} ({meeting.team.time_zone}): "
        f"{round_now.submitted_expected} of {len(round_now.expected)} have brought a fresh customer insight."
    )
    if not missing:
        return head + " Everyone is ready."
    if names:
        return (
            head + " Still missing: " + ", ".join(chat_escape(s.user.name) for s in missing) + "."
        )
    return head + f" {len(missing)} still to come."
