"""One-tap links from reminders to the insight form, with django-sesame.

A link signs its holder in for one thing only: submitting their insight to one
meeting. It does not log them in. It stops working when the meeting ends, when
they are no longer an attendee, or when their account is deactivated. Opening it
(a GET, which mail scanners do too) changes nothing."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from sesame.utils import get_query_string, get_user

from meetings.models import Attendance, Meeting


def scope_for(meeting: Meeting) -> str:
    return f"insight:{meeting.pk}"


def submit_link(user, meeting: Meeting) -> str:
    query = get_query_string(user, scope=scope_for(meeting))
    return settings.SITE_URL + reverse("insights:submit-link", args=[meeting.pk]) + query


def holder(token: str | None, meeting: Meeting | None):
    """The active attendee a valid link for this meeting names, or None for any
    failure (bad, expired, another meeting's, inactive user, removed attendee),
    whether or not the meeting is still open."""
    if not token or meeting is None:
        return None
    user = get_user(token, scope=scope_for(meeting), update_last_login=False)
    if user is None or not user.is_active:
        return None
    if not Attendance.objects.filter(meeting=meeting, user=user).exists():
        return None
    return user


# How old a link may be and still say whose it is, when its holder asks for a fresh
# one: long enough for anyone back from holiday, and it only ever mails its holder.
HOLDER_MAX_AGE = dt.timedelta(days=366)


def own_link_holder(token: str | None, meeting: Meeting | None):
    """Who a link for this meeting was made for, even if it has expired: a request
    for a fresh link that comes with it is that person's own, and always honoured."""
    if not token or meeting is None:
        return None
    user = get_user(token, scope=scope_for(meeting), max_age=HOLDER_MAX_AGE,
                    update_last_login=False)  # fmt: skip
    return user if user is not None and user.is_active else None


def next_open_meeting(user, team) -> Meeting | None:
    """The person's next meeting of the team that still takes insights."""
    candidates = (
        Meeting.objects.select_related("team")
        .filter(team=team, attendances__user=user)
        .upcoming()
        .order_by("starts_at")[:5]
    )
    return next((m for m in candidates if m.is_open), None)
