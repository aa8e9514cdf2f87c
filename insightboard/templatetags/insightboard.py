from __future__ import annotations

import datetime as dt

from django import template

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
