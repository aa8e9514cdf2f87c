"""Meeting workflows: one function per business event, split by sub-domain.
Callers import this package: `from meetings import services`."""
# ruff: noqa: F401

from __future__ import annotations

from .running import (
    ALREADY_STARTED,
    NOT_STARTED,
    ROUND_STAYS_FIRST,
    InsightRound,
    add_action,
    add_agenda_item,
    end_meeting,
    insight_round,
    mark_presented,
    move_agenda_item,
    open_actions_for,
    remove_agenda_item,
    save_agenda_notes,
    send_summary,
    star_insight,
    start_meeting,
    summary_context,
    toggle_action,
    update_agenda_item,
)
from .schedule import (
    ALREADY_ATTENDING,
    MATERIALISE_AHEAD,
    MEETING_LOCKED,
    ROUND_TITLE,
    add_attendee,
    create_meeting,
    create_series,
    edit_series_from,
    excuse,
    materialise_all_series,
    materialise_series,
    remove_attendee,
    replan_team,
    skip_meeting,
    unexcuse,
    update_meeting,
)
from .teams import (
    ALREADY_MEMBER,
    INVITATION_SALT,
    INVITATION_USED,
    LAST_ADMIN,
    InviteOutcome,
    accept_invitation,
    cancel_away,
    change_role,
    create_team,
    excuse_away,
    find_invitation,
    invitation_link,
    invite,
    mark_away,
    remove_member,
    resend_invitation,
    revoke_invitation,
)
