"""Team pages: members and roles, invitations, settings, away."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import login_required
from accounts.forms import AwayForm
from accounts.models import Away, User
from insights.models import Insight

from .. import services
from ..access import (
    INVITES,
    Role,
    TeamAccess,
    access_away,
    access_invitation,
    access_membership,
    access_team,
    inviters,
)
from ..forms import InviteForm, RoleForm, TeamCreateForm, TeamSettingsForm, WebhookForm
from ..models import Meeting, Membership, Team, TeamWebhook


@login_required
@require_http_methods(["GET", "POST"])
def team_list(request: HttpRequest) -> HttpResponse:
    """My teams; organisation admins see every team and open new ones here."""
    form = None
    if request.user.is_staff:
        form = TeamCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            team = services.create_team(**form.cleaned_data, created_by=request.user)
            messages.success(request, f"{team.name} is ready. Invite its people next.")
            return redirect(team)
    elif request.method == "POST":
        raise PermissionDenied("Only organisation admins open teams.")
    my_role = Membership.objects.filter(team=OuterRef("pk"), user=request.user).values("role")[:1]
    teams = Team.objects.annotate(member_count=Count("memberships"), my_role=Subquery(my_role))
    if not request.user.is_staff:
        teams = teams.filter(my_role__isnull=False)
    teams = list(teams)
    for team in teams:
        team.my_role_label = Membership.Role(team.my_role).label if team.my_role else ""
    return render(request, "meetings/team_list.html", {"teams": teams, "form": form})


def _members(access: TeamAccess):
    today = timezone.localdate()
    away_now = Away.objects.filter(
        user=OuterRef("user"), starts_on__lte=today, ends_on__gte=today
    ).for_team(access.team.pk)
    return (
        access.team.memberships.select_related("user")
        .annotate(is_away=Exists(away_now))
        .order_by("user__name")
    )


def _running_series(access: TeamAccess) -> list:
    """The team's series still running, each with its next meeting; ended ones (and
    those a "this and following" edit replaced) are history, on the meetings list."""
    now = timezone.now()
    series = access.team.series.with_next_meeting(now).order_by("title", "pk")
    running = [s for s in series if s.next_meeting_id or not s.has_ended(now)]
    # One query for all: whether each next meeting is already on ("Now", not "Next").
    nexts = Meeting.objects.in_bulk([s.next_meeting_id for s in running if s.next_meeting_id])
    for s in running:
        following = nexts.get(s.next_meeting_id)
        s.next_has_started = following is not None and following.has_started(now)
    return running


def _team_page(request: HttpRequest, access: TeamAccess, **extra) -> HttpResponse:
    team = access.team
    former = (
        User.objects.filter(insights__team=team)
        .exclude(memberships__team=team)
        .annotate(insight_count=Count("insights", filter=Q(insights__team=team)))
        .order_by("name")
    )
    context = {
        "access": access,
        "team": team,
        "members": _members(access),
        "former_members": former,
        "invitations": team.invitations.pending().select_related("invited_by")
        if access.can_invite
        else [],
        "invite_form": InviteForm() if access.can_invite else None,
        "inviters": [] if access.can_invite else inviters(team),
        "series": _running_series(access),
        "roles": Role.choices,
        "insight_count": Insight.objects.filter(team=team).count(),
        **extra,
    }
    return render(request, "meetings/team_detail.html", context)


@login_required
@require_http_methods(["GET"])
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _team_page(request, access_team(request.user, slug))


@login_required
@require_http_methods(["GET", "POST"])
def team_settings(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.ADMIN)
    old_zone = access.team.time_zone
    form = TeamSettingsForm(request.POST or None, instance=access.team)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            team = form.save()
            if "time_zone" in form.changed_data:
                services.rezone_team(team=team, old_zone=old_zone)
            if {"reminder_offsets", "time_zone"} & set(form.changed_data):
                services.replan_team(team)
        messages.success(request, "Team settings saved.")
        if "minutes_per_person" in form.changed_data:
            # A longer round can push a series' standing agenda past its meetings' end.
            for series in _running_series(access):
                if warning := series.agenda_time().warning:
                    messages.warning(request, f"{series.title}: {warning}")
        return redirect("meetings:team-settings", slug=access.team.slug)
    return _settings_page(request, access, form)


def _settings_page(
    request, access: TeamAccess, form, webhook_forms: dict | None = None
) -> HttpResponse:
    webhooks = {w.kind: w for w in access.team.webhooks.all()}
    channels = []
    for kind, label in TeamWebhook.Kind.choices:
        existing = webhooks.get(kind)
        initial = {"kind": kind, "mention_names": existing.mention_names if existing else False}
        channels.append({
            "kind": kind, "label": label, "webhook": existing,
            "form": (webhook_forms or {}).get(kind) or WebhookForm(initial=initial, auto_id=_ids(kind)),
        })  # fmt: skip
    return render(
        request, "meetings/team_settings.html",
        {"access": access, "team": access.team, "form": form, "channels": channels},
    )  # fmt: skip


def _ids(kind: str) -> str:
    """Element ids of one channel's form: Slack's and Teams' sit on the same page."""
    return f"id_{kind}_%s"


@login_required
@require_POST
def webhook_save(request: HttpRequest, slug: str) -> HttpResponse:
    """Add or replace the team's Slack or Teams webhook. The URL is write-only."""
    access = access_team(request.user, slug, role=Role.ADMIN)
    kind = request.POST.get("kind", "")
    form = WebhookForm(request.POST, auto_id=_ids(kind))
    if not form.is_valid():
        return _settings_page(request, access, TeamSettingsForm(instance=access.team), {kind: form})
    TeamWebhook.objects.update_or_create(
        team=access.team, kind=form.cleaned_data["kind"],
        defaults={"url": form.cleaned_data["url"], "mention_names": form.cleaned_data["mention_names"],
                  "is_active": True},
    )  # fmt: skip
    services.replan_team(access.team)
    messages.success(request, f"{TeamWebhook.Kind(form.cleaned_data['kind']).label} channel saved.")
    return redirect("meetings:team-settings", slug=slug)


@login_required
@require_POST
def webhook_delete(request: HttpRequest, slug: str, webhook_id: int) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.ADMIN)
    deleted, _ = TeamWebhook.objects.filter(team=access.team, pk=webhook_id).delete()
    if not deleted:
        raise Http404("No such channel.")
    messages.success(request, "Channel removed.")
    return redirect("meetings:team-settings", slug=slug)


@login_required
@require_POST
def member_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.ADMIN)
    membership = access_membership(access, membership_id)
    form = RoleForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.change_role(membership=membership, role=form.cleaned_data["role"])
        except ValidationError as e:
            error = e.messages[0]
            membership.refresh_from_db()
    else:
        error = "Pick one of the roles."
    if request.htmx:
        member = _members(access).get(pk=membership.pk)
        return render(
            request,
            "meetings/team_detail.html#member-row",
            {"access": access, "team": access.team, "member": member, "roles": Role.choices,
             "row_error": error, "row_saved": error is None},
        )  # fmt: skip
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, f"{membership.user} is now {membership.get_role_display().lower()}."
        )
    return redirect(access.team)


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    access = access_team(request.user, slug, role=Role.ADMIN)
    membership = access_membership(access, membership_id)
    try:
        services.remove_member(membership=membership)
    except ValidationError as e:
        messages.error(request, e.messages[0])
    else:
        messages.success(request, f"{membership.user} left {access.team}. Their insights stay.")
    return redirect(access.team)


@login_required
@require_http_methods(["GET", "POST"])
def member_away(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    """A facilitator marks an attendee away from the team's meetings (they forgot, or
    are off sick); the note is for the person and the team's facilitators and admins."""
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    membership = access_membership(access, membership_id)
    form = AwayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        away = services.mark_away(
            user=membership.user, team=access.team, by=request.user, **form.cleaned_data
        )
        messages.success(
            request,
            f"{membership.user} is away {away.starts_on:%-d %b}–{away.ends_on:%-d %b}, "
            f"and excused from {access.team}'s meetings then.",
        )
        return redirect(access.team)
    # The person's own periods and this team's: another team's are none of its business.
    periods = list(
        Away.objects.filter(user=membership.user)
        .for_team(access.team.pk)
        .current_or_future(timezone.localdate())
    )
    for period in periods:
        period.shown_note = period.note_for(request.user, team_id=access.team.pk)
    return render(
        request,
        "meetings/member_away.html",
        {
            "access": access,
            "team": access.team,
            "member": membership,
            "form": form,
            "periods": periods,
        },
    )


@login_required
@require_POST
def member_away_delete(
    request: HttpRequest, slug: str, membership_id: int, away_id: int
) -> HttpResponse:
    """A facilitator takes back an away period the team set (a mistake, or the person
    is back early): the team's meetings then expect them again."""
    access = access_team(request.user, slug, role=Role.FACILITATOR)
    membership = access_membership(access, membership_id)
    services.cancel_away(away=access_away(access, membership, away_id))
    messages.success(request, f"{membership.user} is no longer away from {access.team}.")
    return redirect("meetings:member-away", slug=access.team.slug, membership_id=membership.pk)


@login_required
@require_POST
def invitation_create(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_team(request.user, slug, role=INVITES)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _team_page(request, access, invite_form=form)
    outcome = services.invite(
        team=access.team,
        emails=form.cleaned_data["emails"],
        role=form.cleaned_data["role"],
        invited_by=request.user,
    )
    if outcome.invited:
        messages.success(request, f"Invitation sent to {', '.join(outcome.invited)}.")
    if outcome.resent:
        messages.success(request, f"Invitation sent again to {', '.join(outcome.resent)}.")
    if outcome.already_members:
        messages.info(request, f"Already in the team: {', '.join(outcome.already_members)}.")
    return redirect(access.team)


@login_required
@require_POST
def invitation_resend(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    access = access_team(request.user, slug, role=INVITES)
    invitation = access_invitation(access, invitation_id)
    if invitation.is_pending:
        services.resend_invitation(invitation=invitation)
        messages.success(request, f"A fresh link is on its way to {invitation.email}.")
    return redirect(access.team)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    access = access_team(request.user, slug, role=INVITES)
    invitation = access_invitation(access, invitation_id)
    if invitation.is_pending:
        services.revoke_invitation(invitation=invitation)
        messages.success(request, f"The invitation to {invitation.email} no longer works.")
    return redirect(access.team)
