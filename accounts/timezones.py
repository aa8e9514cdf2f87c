"""IANA time zones: what a person may pick, and how a name is checked."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError

INVALID_TIME_ZONE = "“%(value)s” is not a known time zone; pick one such as Europe/Brussels."


@cache
def time_zone_names() -> list[str]:
    # tzdata's "backward" aliases (US/Eastern, GB...) are valid but clutter a picker.
    return sorted(
        name
        for name in zoneinfo.available_timezones()
        if ("/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))) or name == "UTC"
    )


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in time_zone_names()]


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            INVALID_TIME_ZONE, code="invalid_time_zone", params={"value": value}
        ) from None
