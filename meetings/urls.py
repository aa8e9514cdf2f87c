from __future__ import annotations

from django.urls import path

from .views import invitations, teams

app_name = "meetings"

urlpatterns = [
    path("teams/", teams.team_list, name="team-list"),
    path("teams/<slug:slug>/", teams.team_detail, name="team-detail"),
    path("teams/<slug:slug>/settings/", teams.team_settings, name="team-settings"),
    path(
        "teams/<slug:slug>/members/<int:membership_id>/role/",
        teams.member_role,
        name="member-role",
    ),
    path(
        "teams/<slug:slug>/members/<int:membership_id>/remove/",
        teams.member_remove,
        name="member-remove",
    ),
    path(
        "teams/<slug:slug>/members/<int:membership_id>/away/",
        teams.member_away,
        name="member-away",
    ),
    path("teams/<slug:slug>/invitations/", teams.invitation_create, name="invitation-create"),
    path(
        "teams/<slug:slug>/invitations/<int:invitation_id>/resend/",
        teams.invitation_resend,
        name="invitation-resend",
    ),
    path(
        "teams/<slug:slug>/invitations/<int:invitation_id>/revoke/",
        teams.invitation_revoke,
        name="invitation-revoke",
    ),
    path("invitations/<str:token>/", invitations.invitation_accept, name="invitation-accept"),
]
