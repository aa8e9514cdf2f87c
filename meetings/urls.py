from __future__ import annotations

from django.urls import path

from .views import agenda, attendees, calendar, invitations, meetings, run, series, teams

app_name = "meetings"

TEAM = "teams/<slug:slug>/"
MEETING = TEAM + "meetings/<int:meeting_id>/"

urlpatterns = [
    # Teams, members, invitations
    path("teams/", teams.team_list, name="team-list"),
    path(TEAM, teams.team_detail, name="team-detail"),
    path(TEAM + "settings/", teams.team_settings, name="team-settings"),
    path(TEAM + "webhooks/", teams.webhook_save, name="webhook-save"),
    path(TEAM + "webhooks/<int:webhook_id>/delete/", teams.webhook_delete, name="webhook-delete"),
    path(TEAM + "members/<int:membership_id>/role/", teams.member_role, name="member-role"),
    path(TEAM + "members/<int:membership_id>/remove/", teams.member_remove, name="member-remove"),
    path(TEAM + "members/<int:membership_id>/away/", teams.member_away, name="member-away"),
    path(
        TEAM + "members/<int:membership_id>/away/<int:away_id>/delete/",
        teams.member_away_delete,
        name="member-away-delete",
    ),
    path(TEAM + "invitations/", teams.invitation_create, name="invitation-create"),
    path(
        TEAM + "invitations/<int:invitation_id>/resend/",
        teams.invitation_resend,
        name="invitation-resend",
    ),
    path(
        TEAM + "invitations/<int:invitation_id>/revoke/",
        teams.invitation_revoke,
        name="invitation-revoke",
    ),
    path("invitations/<str:token>/", invitations.invitation_accept, name="invitation-accept"),
    # Meetings and series
    path("meetings/", meetings.meeting_list, name="meeting-list"),
    path(TEAM + "meetings/new/", meetings.meeting_create, name="meeting-create"),
    path(TEAM + "series/new/", series.series_create, name="series-create"),
    path(TEAM + "series/<int:series_id>/", series.series_detail, name="series-detail"),
    path(TEAM + "series/<int:series_id>/end/", series.series_end, name="series-end"),
    path(MEETING, meetings.meeting_detail, name="meeting-detail"),
    path(MEETING + "round/", meetings.meeting_round, name="meeting-round"),
    path(MEETING + "edit/", meetings.meeting_edit, name="meeting-edit"),
    path(MEETING + "skip/", meetings.meeting_skip, name="meeting-skip"),
    path(MEETING + "attendees/", attendees.attendee_add, name="attendee-add"),
    path(
        MEETING + "attendees/<int:attendance_id>/",
        attendees.attendee_update,
        name="attendee-update",
    ),
    # Agenda
    path(MEETING + "agenda/", agenda.agenda_add, name="agenda-add"),
    path(MEETING + "agenda/<int:item_id>/", agenda.agenda_edit, name="agenda-edit"),
    path(MEETING + "agenda/<int:item_id>/move/", agenda.agenda_move, name="agenda-move"),
    path(MEETING + "agenda/<int:item_id>/delete/", agenda.agenda_delete, name="agenda-delete"),
    path(MEETING + "agenda/<int:item_id>/notes/", agenda.agenda_notes, name="agenda-notes"),
    # Running the meeting
    path(MEETING + "start/", run.meeting_start, name="meeting-start"),
    path(MEETING + "present/", run.meeting_present, name="meeting-present"),
    path(
        MEETING + "attendees/<int:attendance_id>/presented/",
        run.attendee_presented,
        name="attendee-presented",
    ),
    path(MEETING + "insights/<int:insight_id>/star/", run.insight_star, name="insight-star"),
    path(MEETING + "actions/", run.action_add, name="action-add"),
    path(TEAM + "actions/<int:action_id>/toggle/", run.action_toggle, name="action-toggle"),
    path(MEETING + "end/", run.meeting_end, name="meeting-end"),
    path(MEETING + "summary/", run.meeting_summary, name="meeting-summary"),
    # Calendar
    path(MEETING + "calendar.ics", calendar.meeting_ics, name="meeting-ics"),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar-feed"),
]
