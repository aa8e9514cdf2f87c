"""Meeting workflows: one function per business event, split by sub-domain.
Callers import this package: `from meetings import services`.

teams.py       teams, roles, invitations
series.py      recurring meetings: materialise, edit from one on, end, re-zone
meetings.py    one-off meetings; one occurrence moved, edited or skipped
attendance.py  attendees, excuses, away periods, who presented
rotation.py    rotating facilitators, passing over whoever is away
agenda.py      the agenda, the insight round always first

A meeting's own state changes (start, end, cancel) are methods on Meeting."""
# ruff: noqa: F401

from __future__ import annotations

from .agenda import (
    ROUND_STAYS_FIRST,
    ROUND_TITLE,
    add_agenda_item,
    move_agenda_item,
    remove_agenda_item,
    save_agenda_notes,
    update_agenda_item,
)
from .attendance import (
    ALREADY_ATTENDING,
    add_attendee,
    cancel_away,
    excuse,
    excuse_away,
    mark_away,
    mark_presented,
    remove_attendee,
    unexcuse,
)
from .meetings import close_overdue_meetings, create_meeting, skip_meeting, update_meeting
from .series import (
    FOLLOWING_FROM_THE_PAST,
    MATERIALISE_AHEAD,
    MAX_MEETINGS_AT_ONCE,
    TOO_MANY_MEETINGS,
    create_series,
    edit_series_from,
    end_series,
    materialise_all_series,
    materialise_series,
    replan_team,
    rezone_team,
    update_series_settings,
)
from .teams import (
    INVITATION_SALT,
    INVITATION_USED,
    LAST_ADMIN,
    InviteOutcome,
    accept_invitation,
    change_role,
    create_team,
    find_invitation,
    invitation_from_link,
    invitation_link,
    invite,
    remove_member,
    resend_invitation,
    revoke_invitation,
)
