"""Following an invitation link: create an account, or add the team to one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import SignupForm
from accounts.models import User

from .. import services


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.find_invitation(token)
    if invitation is None:
        return _not_pending(request, token)
    context = {"invitation": invitation, "team": invitation.team}
    existing = User.objects.filter(email__iexact=invitation.email).first()

    if request.user.is_authenticated:
        if request.user.email.lower() != invitation.email.lower():
            return render(request, "meetings/invitation_wrong_account.html", context, status=403)
        if request.method == "POST":
            return _join(request, invitation, request.user)
        return render(request, "meetings/invitation_join.html", context)

    if existing is not None:
        # Their account exists: log in, then come back here to join.
        return render(request, "meetings/invitation_login.html", context)

    form = SignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            try:
                membership = services.accept_invitation(invitation=invitation, user=user)
            except ValidationError:
                # Used a moment ago from elsewhere: no account is left half-made.
                transaction.set_rollback(True)
                return render(request, "meetings/invitation_invalid.html", status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to {membership.team}!")
        return redirect(membership.team)
    return render(request, "meetings/invitation_signup.html", {**context, "form": form})


def _join(request: HttpRequest, invitation, user: User) -> HttpResponse:
    try:
        membership = services.accept_invitation(invitation=invitation, user=user)
    except ValidationError:
        return render(request, "meetings/invitation_invalid.html", status=410)
    if not request.user.is_authenticated:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, f"Welcome to {membership.team}!")
    return redirect(membership.team)


def _not_pending(request: HttpRequest, token: str) -> HttpResponse:
    """A used invitation opened by the person it made a member leads to the team;
    every other failure (bad signature, expired, revoked, used by someone else) gets
    one page, with a way in for whoever joined with it."""
    used = services.invitation_from_link(token)
    if used is not None and used.accepted_at is not None:
        team = used.team
        if request.user.is_authenticated and team.memberships.filter(user=request.user).exists():
            messages.info(request, f"You're already in {team}.")
            return redirect(team)
        return render(request, "meetings/invitation_invalid.html", {"used_for": team}, status=410)
    return render(request, "meetings/invitation_invalid.html", status=410)
