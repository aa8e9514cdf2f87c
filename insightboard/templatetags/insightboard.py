from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """A dict lookup by a variable key, which Django's template language lacks."""
    return mapping.get(key) if mapping else None
