from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django_htmx.http import HttpResponseClientRedirect


def login_required(view):
    """Like Django's, but an htmx request gets an HX-Redirect to the login page
    (a plain 302 would be followed by htmx and swapped into the page)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.htmx:
            # Come back to the page the fragment lives on, not the fragment itself.
            current = request.htmx.current_url
            target = urlsplit(current).path if current else request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(target).url)
        return redirect_to_login(request.get_full_path())

    return wrapper


def org_admin_required(view):
    """Organisation admins only, others get a 403. Goes under login_required and the
    method check, so every view answers in the same order: log in, 405, 403/404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("Only organisation admins can see this.")
        return view(request, *args, **kwargs)

    return wrapper
