"""CSV downloads: every cell shown exactly as typed, never run as a formula; opened
in a spreadsheet with its accents and curly quotes intact, every timestamp written
one way."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.http import StreamingHttpResponse
from django.utils import timezone

if TYPE_CHECKING:
    from .participation import Period

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a CSV without it in the machine's legacy code page ("Société" becomes
# "SociÃ©tÃ©", curly quotes become "â€œ"); with it, as UTF-8, like other spreadsheets.
BOM = "\ufeff"


def csv_timestamp(moment: dt.datetime, zone: dt.tzinfo | None = None) -> str:
    """ISO 8601 to the second with its offset, in the zone of the person exporting
    (the active zone unless given): `2026-03-27T09:07:00+01:00`. isoformat() alone
    adds microseconds only when there are some, so rows differed."""
    return timezone.localtime(moment, zone).isoformat(timespec="seconds")


def timestamp_column(name: str) -> str:
    """A timestamp column's header names the zone its cells are in."""
    return f"{name} ({timezone.get_current_timezone_name()})"


def csv_cell(value, zone: dt.tzinfo | None = None) -> str:
    """A timestamp as csv_timestamp; a leading formula character is quoted away."""
    if isinstance(value, dt.datetime):
        return csv_timestamp(value, zone)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    name: str, header: list[str], rows: Iterable[Iterable], *, period: Period | None = None
) -> StreamingHttpResponse:
    """A streamed download named `<name>-<start>-to-<end>.csv` when it holds a period's
    figures (so two downloads of different periods don't look alike), `<name>-<today>.csv`
    otherwise."""
    writer = csv.writer(_Echo())
    # The rows are written after the view has returned: in the zone of its request.
    zone = timezone.get_current_timezone()

    def lines():
        yield BOM + writer.writerow(header)
        for row in rows:
            yield writer.writerow([csv_cell(v, zone) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    if period is None:
        stamp = timezone.localdate().isoformat()
    else:
        stamp = f"{period.start.isoformat()}-to-{period.end.isoformat()}"
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response
