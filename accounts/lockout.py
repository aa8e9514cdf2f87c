"""Password guessing, wherever a password is typed: django-axes locks an account
after AXES_FAILURE_LIMIT wrong passwords for it, and a client address is stopped
after PASSWORDS_PER_CLIENT wrong passwords from it, whatever the accounts. The
address limit is far wider than the account's: one person's typos behind an
office's shared address must not lock their colleagues out."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.contrib import messages
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_ratelimit.core import get_usage

from .forms import LoginForm
from .models import normalize_address

# Wrong passwords from one client address, across all accounts.
PASSWORDS_PER_CLIENT = "30/15m"

TOO_MANY_LOGINS = (
    "Too many wrong passwords for this account. Wait 15 minutes and try again, or "
    "reset your password; an administrator can also unlock the account."
)
TOO_MANY_FROM_CLIENT = "Too many wrong passwords from your network. Wait 15 minutes and try again."
TOO_MANY_PASSWORD_CHECKS = (
    "Too many wrong passwords. Your e-mail address can be changed again in 15 minutes; "
    "or reset your password."
)


def username(request: HttpRequest, credentials: dict | None) -> str:
    """The account a password was tried for, however it was spelled (' Sofia@…' is
    sofia@…): one counter per person, not per spelling."""
    given = (credentials or {}).get("username") or request.POST.get("username") or ""
    return normalize_address(given)


def _client_limited(request: HttpRequest, *, count: bool) -> bool:
    """Whether the client has used up its wrong passwords (counting one more)."""
    usage = get_usage(request, group="passwords-per-client", key="ip",
                      rate=PASSWORDS_PER_CLIENT, increment=count)  # fmt: skip
    return usage is not None and usage["count"] >= usage["limit"]


class PasswordLockoutBackend(AxesStandaloneBackend):
    """django-axes' check, where a password is typed, and the client's limit. A
    one-tap link (django-sesame) is a signed token checked without a request, not a
    guess: it passes through."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if password is None:
            return None
        if request is not None and _client_limited(request, count=False):
            request.axes_locked_out = True  # AxesMiddleware answers with locked_out()
            request.locked_out_client = True
            raise PermissionDenied(TOO_MANY_FROM_CLIENT)
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed)
def count_wrong_password(sender, credentials, request=None, **kwargs) -> None:
    if request is not None and "password" in credentials:
        _client_limited(request, count=True)


def locked_out(request: HttpRequest, credentials: dict | None = None, *args, **kwargs):
    """What a locked-out person sees: at login (the app's or the admin's, whose form
    posts the same fields), the login page again with what to do, as 429; on their
    profile, the profile with a message."""
    if request.user.is_authenticated:
        messages.error(request, TOO_MANY_PASSWORD_CHECKS)
        return redirect(request.path)
    message = (
        TOO_MANY_FROM_CLIENT if getattr(request, "locked_out_client", False) else TOO_MANY_LOGINS
    )
    # Not bound to the POST: validating it would try the password once more.
    form = LoginForm(request, initial={"username": username(request, credentials)})
    form.cleaned_data = {}
    form.add_error(None, message)
    response: HttpResponse = render(request, "registration/login.html", {"form": form})
    response.status_code = 429
    return response
