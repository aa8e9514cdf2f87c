from __future__ import annotations

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from meetings import services

from .decorators import login_required
from .forms import LoginForm, OwnAwayForm, PasswordResetForm, ProfileForm
from .models import Away, calendar_token, normalize_address

# Password guessing is limited by django-axes, in authenticate() (see settings).
login = auth_views.LoginView.as_view(
    authentication_form=LoginForm, redirect_authenticated_user=True
)

# Resets mail a person: a few per address (silently: the page never says whether an
# address has an account) and per client (said plainly).
RESETS_PER_ADDRESS, RESETS_PER_CLIENT = "3/h", "20/h"
TOO_MANY_RESETS = "Too many reset requests from your network. Try again in an hour."


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The owner proved they read their mail: their account's lockout ends.
        axes_reset(username=normalize_address(form.user.email))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    success_url = reverse_lazy("accounts:password-reset-done")

    def post(self, request, *args, **kwargs):
        if is_ratelimited(request, group="reset-client", key="ip", rate=RESETS_PER_CLIENT,
                          method="POST", increment=True):  # fmt: skip
            form = self.get_form()
            form.is_valid()
            form.add_error(None, TOO_MANY_RESETS)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        address = normalize_address(form.cleaned_data["email"])
        if is_ratelimited(self.request, group="reset-address", key=lambda g, r: address,
                          rate=RESETS_PER_ADDRESS, method="POST", increment=True):  # fmt: skip
            return redirect(self.get_success_url())  # the same page, no mail
        return super().form_valid(form)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user, request=request)
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
