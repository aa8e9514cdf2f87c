"""Form fields shared by every app."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError

from .widgets import DateInput

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
OUT_OF_RANGE = "Pick a date between 2000 and 2100."


class DateField(forms.DateField):
    """A native date picker whose dates stay in a range where date arithmetic (a day
    before, a day after, in any time zone) can't overflow."""

    widget = DateInput

    def validate(self, value) -> None:
        super().validate(value)
        if value and not EARLIEST <= value <= LATEST:
            raise ValidationError(OUT_OF_RANGE, code="date_out_of_range")


# C0 and C1 control characters and the Unicode line and paragraph separators: in a
# title or a name each is a stray line break (pasted, or posted by a script), never
# something someone meant to type.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def single_line(text: str) -> str:
    """Text that stays one line wherever it goes (a calendar, a subject, a chat post,
    a list): each control character becomes a space, and each run of spaces one."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", text).split())


class SingleLineField(forms.CharField):
    """A title or a name: see single_line."""

    def to_python(self, value):
        value = super().to_python(value)
        return value if value in self.empty_values else single_line(value)
