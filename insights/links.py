"""One-tap links from reminders to the insight form, with django-sesame.

A link signs its holder in for one thing only: submitting their insight to one
meeting. It does not log them in. It stops working when the meeting ends, when
they are no longer an attendee, or when their account is deactivated. Opening it
(a GET, which mail scanners do too) changes nothing."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from sesame.utils import get_query_string, get_user

from meetings.models import Attendance, Meeting


def scope_for(meeting: Meeting) -> str:
    return f"insight:{meeting.pk}"


def submit_link(user, meeting: Meeting) -> str:
    query = get_query_string(user, scope=scope_for(meeting))
    return settings.SITE_URL + reverse("insights:submit-link", args=[meeting.pk]) + query


def is_open(meeting: Meeting, now: dt.datetime | None = None) -> bool:
    """Insights can be given or edited until the meeting ends."""
    now = now or timezone.now()
    return meeting.status not in (Meeting.Status.ENDED, Meeting.Status.CANCELLED) and (
        now < meeting.ends_at
    )


def user_for_link(token: str | None, meeting: Meeting | None, now: dt.datetime | None = None):
    """The attendee the token speaks for, or None for any failure (bad, expired,
    another meeting's, inactive user, removed attendee, meeting over)."""
    if not token or meeting is None:
        return None
    if not is_open(meeting, now):
        return None
    user = get_user(token, scope=scope_for(meeting), update_last_login=False)
    if user is None or not user.is_active:
        return None
    if not Attendance.objects.filter(meeting=meeting, user=user).exists():
        return None
    return user
