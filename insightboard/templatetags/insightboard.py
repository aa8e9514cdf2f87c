from __future__ import annotations

from django import template

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
