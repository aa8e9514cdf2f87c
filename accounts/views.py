from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from meetings import services

from .decorators import login_required
from .forms import LoginForm, OwnAwayForm, ProfileForm
from .models import Away, calendar_token

LOGIN_RATE = "10/m"  # per address and per IP: slows password guessing to a crawl
TOO_MANY_LOGINS = "Too many attempts. Wait a minute, then try again."

_login = auth_views.LoginView.as_view(
    authentication_form=LoginForm, redirect_authenticated_user=True
)


def login(request: HttpRequest) -> HttpResponse:
    """Django's login view, behind rate limits per IP and per e-mail address."""
    if request.method == "POST":
        limited = is_ratelimited(
            request, group="login-ip", key="ip", rate=LOGIN_RATE, method="POST", increment=True
        ) | is_ratelimited(
            request, group="login-email", key=lambda g, r: (r.POST.get("username") or "").lower(),
            rate=LOGIN_RATE, method="POST", increment=True,
        )  # fmt: skip
        if limited:
            form = LoginForm(request, data=request.POST)
            form.errors.clear()
            form.add_error(None, TOO_MANY_LOGINS)
            return render(request, "registration/login.html", {"form": form}, status=429)
    return _login(request)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("accounts:profile")
    return _profile_page(request, form=form, away_form=OwnAwayForm())


def _profile_page(
    request: HttpRequest, *, form: ProfileForm, away_form: OwnAwayForm
) -> HttpResponse:
    periods = (
        Away.objects.filter(user=request.user)
        .current_or_future(timezone.localdate())
        .select_related("team")
    )
    feed = settings.SITE_URL + reverse("meetings:calendar-feed", args=[request.user.calendar_token])
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "away_form": away_form, "periods": periods, "feed_url": feed},
    )


@login_required
@require_POST
def away_create(request: HttpRequest) -> HttpResponse:
    away_form = OwnAwayForm(request.POST)
    if not away_form.is_valid():
        request.user.refresh_from_db()
        return _profile_page(request, form=ProfileForm(instance=request.user), away_form=away_form)
    services.mark_away(user=request.user, by=request.user, **away_form.cleaned_data)
    messages.success(request, "Away period saved: you're excused from meetings in it.")
    return redirect("accounts:profile")


@login_required
@require_POST
def away_delete(request: HttpRequest, away_id: int) -> HttpResponse:
    # Scoped to the owner: someone else's away period is a 404.
    away = get_object_or_404(Away, user=request.user, pk=away_id)
    services.cancel_away(away=away)
    messages.success(request, "Away period removed: those meetings expect you again.")
    return redirect("accounts:profile")


@login_required
@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    """A new secret feed address; the old one stops working at once."""
    request.user.calendar_token = calendar_token()
    request.user.save(update_fields=["calendar_token"])
    messages.success(
        request, "New calendar address made. Subscribe again with it; the old one no longer works."
    )
    return redirect("accounts:profile")
