"""Form fields shared by every app."""

from __future__ import annotations

import datetime as dt

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
