"""What a meeting's summary says, on its page and in the e-mail after it ends."""

from __future__ import annotations

from meetings.models import Meeting

from .models import Action
from .round import round_for


def summary_for(meeting: Meeting) -> dict:
    """The round as it ended, the actions it caused and the notes taken."""
    the_round = round_for(meeting)
    insights = sorted(
        (s.insight for s in the_round.with_insight),
        key=lambda i: (not i.is_starred, i.author.name),
    )
    return {
        "meeting": meeting,
        "round": the_round,
        "insights": insights,
        "presented": [s.attendance for s in the_round.seats if s.attendance.presented_at],
        "missing": [s.attendance for s in the_round.missing],
        "excused": [s.attendance for s in the_round.excused],
        "actions": list(
            Action.objects.filter(meeting=meeting).select_related("owner", "insight__author")
        ),
        "notes": [i for i in meeting.agenda_items.all() if i.notes.strip()],
    }
