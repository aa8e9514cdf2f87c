from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import template
from django.urls import reverse

from insights import freshness

register = template.Library()


@register.filter
def get_item(mapping, key):
    """A dict lookup by a variable key, which Django's template language lacks."""
    return mapping.get(key) if mapping else None


@register.filter
def pct(share) -> str:
    """A share in [0, 1] as a whole percentage; a dash when there was nothing to count."""
    if share is None or share == "":
        return "–"
    return f"{round(share * 100)} %"


@register.filter
def days_ago(day: dt.date | None, today: dt.date) -> str:
    """A date as "today", "yesterday" or "N days ago" from `today` (freshness.days_ago)."""
    return freshness.days_ago((today - day).days) if day else ""


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    is_current: bool


# (label, URL name, the views on which it is the current page, for organisation admins only)
MAIN_NAV = [
    ("Home", "home", {"home", "insights:dashboard"}, False),
    ("Meetings", "meetings:meeting-list", {"meetings:meeting-list"}, False),
    ("Library", "insights:library", {"insights:library"}, False),
    ("Customers", "insights:customers", {"insights:customers", "insights:customer"}, False),
    ("Teams", "meetings:team-list", {"meetings:team-list"}, False),
    ("My record", "insights:my-record", {"insights:my-record"}, False),
    ("Profile", "accounts:profile", {"accounts:profile"}, False),
    ("Reminders", "reminders:failures", {"reminders:failures"}, True),
    ("Outbox", "outbox", {"outbox"}, True),
    # Organisation admins (is_staff) manage every model in the Django admin (insightboard/admin.py).
    ("Admin", "admin:index", set(), True),
]


@register.simple_tag(takes_context=True)
def main_nav(context) -> list[NavLink]:
    """The main navigation's links, each knowing whether it is the page shown: the
    links and the phone menu's "you are here" read the same answer."""
    request = context["request"]
    user = request.user
    match = request.resolver_match
    here = match.view_name if match else None
    return [
        NavLink(
            label="Dashboard" if name == "home" and user.is_staff else label,
            url=reverse(name),
            is_current=here in current_on,
        )
        for label, name, current_on, staff_only in MAIN_NAV
        if user.is_staff or not staff_only
    ]


@register.filter
def fields_to_fix(form) -> list:
    """The form's fields in error, in the form's order (the error summary's links)."""
    if not form.is_bound or not form.errors:
        return []
    return [form[name] for name in form.fields if name in form.errors]


def first_to_fix(form) -> str | None:
    """After a failed submit, the field to type in next: the first in error; when
    only the whole form is in error, the field the form names as the one to retype
    (`retype_after_error`: the password of a failed login)."""
    if not form.is_bound or not form.errors:
        return None
    to_fix = fields_to_fix(form)
    return to_fix[0].name if to_fix else getattr(form, "retype_after_error", None)


@register.filter
def input_with_focus(field):
    """The field's input; after a failed submit, autofocused if it is the one to fix
    first (and no other field keeps an autofocus of its own), so focus lands there
    without JavaScript."""
    target = first_to_fix(field.form)
    if target is None:
        return field
    return field.as_widget(attrs={"autofocus": field.name == target})
