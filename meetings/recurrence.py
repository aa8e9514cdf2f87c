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
