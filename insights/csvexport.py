"""CSV downloads: every cell shown exactly as typed, never run as a formula."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.http import StreamingHttpResponse
from django.utils import timezone

if TYPE_CHECKING:
    from .participation import Period

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A leading formula character is quoted away."""
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

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([csv_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    if period is None:
        stamp = timezone.localdate().isoformat()
    else:
        stamp = f"{period.start.isoformat()}-to-{period.end.isoformat()}"
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response
