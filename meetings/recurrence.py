"""Series rules: RFC 5545 RRULE text, read and changed through icalendar's vRecur
(a public, dict-like parser and writer), expanded by dateutil on the team's wall
clock (Series.occurrences). Our rules only ever hold FREQ, INTERVAL, BYDAY (with an
ordinal for "2nd Tuesday"), COUNT and UNTIL."""

from __future__ import annotations

import datetime as dt
import re

from dateutil import rrule
from icalendar import vRecur

WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_BYDAY = re.compile(r"^([+-]?\d*)([A-Z]{2})$")


def _write(parts: vRecur) -> str:
    return parts.to_ical().decode()


def ending(rule: str, last_local: dt.datetime) -> str:
    """The rule stopped after a wall-clock moment (naive, team's zone). COUNT and
    UNTIL can't be combined: what is left of a counted series ends by date."""
    parts = vRecur.from_ical(rule)
    parts.pop("COUNT", None)
    parts["UNTIL"] = [last_local.replace(tzinfo=None, microsecond=0)]
    return _write(parts)


def continued(
    rule: str, *, dtstart: dt.datetime, split_local: dt.datetime, new_day: dt.date
) -> str:
    """The rule carried on from a split (for "this and following"): a COUNT keeps
    only the meetings still owed, and the split occurrence's weekday moves to the new
    day's (Monday → Tuesday), keeping any ordinal ("2MO" → "2TU")."""
    parts = vRecur.from_ical(rule)
    changed = False
    if "COUNT" in parts:
        before = split_local.replace(tzinfo=None) - dt.timedelta(seconds=1)
        done = len(rrule.rrulestr(rule, dtstart=dtstart).between(dtstart, before, inc=True))
        parts["COUNT"] = [max(int(parts["COUNT"][0]) - done, 1)]
        changed = True
    old_code = WEEKDAY_CODES[split_local.weekday()]
    new_code = WEEKDAY_CODES[new_day.weekday()]
    if "BYDAY" in parts and old_code != new_code:
        days = []
        for day in parts["BYDAY"]:
            ordinal, code = _BYDAY.match(str(day)).groups()
            days.append(ordinal + (new_code if code == old_code else code))
        parts["BYDAY"] = sorted(set(days), key=lambda d: WEEKDAY_CODES.index(d[-2:]))
        changed = True
    return _write(parts) if changed else rule


DAY_NAMES = dict(zip(WEEKDAY_CODES, ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                     "Saturday", "Sunday"], strict=True))  # fmt: skip
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
PERIODS = {"DAILY": ("day", "Daily"), "WEEKLY": ("week", "Weekly"),
           "MONTHLY": ("month", "Monthly"), "YEARLY": ("year", "Yearly")}  # fmt: skip


def _and(words: list[str]) -> str:
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def describe(rule: str) -> str:
    """The rule in words, for people: "Every Monday and Thursday", "Every other week
    on Tuesday", "Monthly on the last Friday, 6 meetings", "…, until 29 Jun 2026"."""
    parts = vRecur.from_ical(rule)
    unit, each = PERIODS.get(parts["FREQ"][0], ("time", "Repeating"))
    interval = int(parts.get("INTERVAL", [1])[0])
    days = [_BYDAY.match(str(day)).groups() for day in parts.get("BYDAY", [])]
    if unit == "week":
        on = _and([DAY_NAMES[code] for _, code in days])
    else:
        on = _and([f"the {ORDINALS.get(int(n or 1), n)} {DAY_NAMES[code]}" for n, code in days])
    if unit == "week" and on and interval == 1:
        words = f"Every {on}"
    else:
        words = {1: each, 2: f"Every other {unit}"}.get(interval, f"Every {interval} {unit}s")
        words += f" on {on}" if on else ""
    if "COUNT" in parts:
        count = int(parts["COUNT"][0])
        words += f", {count} meeting{'s' if count != 1 else ''}"
    if "UNTIL" in parts:
        words += f", until {parts['UNTIL'][0]:%-d %b %Y}"
    return words
