"""How django-axes sees a login: whose account, and what a locked-out person sees."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .forms import LoginForm
from .models import normalize_address

TOO_MANY_LOGINS = (
    "Too many wrong passwords. Wait 15 minutes and try again, or reset your password; "
    "an administrator can also unlock your account."
)


def username(request: HttpRequest, credentials: dict | None) -> str:
    """The account a password was tried for, however it was spelled (' Sofia@…' is
    sofia@…): one counter per person, not per spelling."""
    given = (credentials or {}).get("username") or request.POST.get("username") or ""
    return normalize_address(given)


def locked_out(request: HttpRequest, credentials: dict | None = None, *args, **kwargs):
    """The login page again, with what to do, as 429: on the app's login and on the
    admin's (whose form posts the same fields)."""
    # Not bound to the POST: validating it would try the password once more.
    form = LoginForm(request, initial={"username": username(request, credentials)})
    form.cleaned_data = {}
    form.add_error(None, TOO_MANY_LOGINS)
    response: HttpResponse = render(request, "registration/login.html", {"form": form})
    response.status_code = 429
    return response


class PasswordLockoutBackend(AxesStandaloneBackend):
    """django-axes' check, where a password is typed. A one-tap link (django-sesame)
    is a signed token checked without a request, not a guess: it passes through."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if password is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
