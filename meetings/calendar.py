"""iCalendar for meetings: one meeting as a download, or a person's private feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .models import Meeting

PRODID = "-//InsightBoard//Meetings//EN"
FEED_PAST = dt.timedelta(days=30)  # recent meetings stay visible in calendars


def _event(meeting: Meeting) -> icalendar.Event:
    event = icalendar.Event()
    # Stable per meeting, so calendars update the event when the meeting moves.
    event.add("uid", f"meeting-{meeting.pk}@insightboard")
    event.add("summary", f"{meeting.title} ({meeting.team.name})")
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("dtstamp", timezone.now())
    if meeting.location:
        event.add("location", meeting.location)
    url = settings.SITE_URL + reverse(
        "meetings:meeting-detail", args=[meeting.team.slug, meeting.pk]
    )
    submit = settings.SITE_URL + reverse("insights:submit", args=[meeting.team.slug, meeting.pk])
    event.add("url", url)
    deadline = timezone.localtime(meeting.starts_at, meeting.team.zone)
    event.add(
        "description",
        "This meeting opens with everyone's fresh customer insight.\n"
        f"Bring yours before {deadline:%a %d %b %H:%M} ({meeting.team.time_zone}).\n"
        f"Add it here: {submit}\nAgenda: {url}",
    )
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    return event


def calendar_for(meetings: Iterable[Meeting], name: str) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    # icalendar writes an X- property it doesn't know as is; as vText it is escaped
    # like SUMMARY (RFC 5545 3.3.11), so a line break in a title or a person's name
    # can't break the file.
    calendar.add("x-wr-calname", icalendar.vText(name))
    for meeting in meetings:
        calendar.add_component(_event(meeting))
    return calendar.to_ical()


def feed_meetings(user, now: dt.datetime | None = None):
    now = now or timezone.now()
    return (
        Meeting.objects.filter(attendances__user=user, starts_at__gte=now - FEED_PAST)
        .select_related("team")
        .order_by("starts_at")
    )
