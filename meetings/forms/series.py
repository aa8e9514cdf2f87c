"""Series forms: the recurrence, the standing agenda and rotation."""

from __future__ import annotations

import datetime as dt
import re

from dateutil import rrule
from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User
from insightboard.fields import DateField, SingleLineField, single_line
from insightboard.forms import FocusFirstError
from insightboard.widgets import TimeInput

from ..models import AGENDA_TITLE_MAX_LENGTH, MAX_STANDING_ITEMS, Team
from .meetings import TeamPeopleField, _team_people

WEEKDAYS = [("MO", "Mon"), ("TU", "Tue"), ("WE", "Wed"), ("TH", "Thu"), ("FR", "Fri"),
            ("SA", "Sat"), ("SU", "Sun")]  # fmt: skip
MONTH_WEEKS = [("1", "first"), ("2", "second"), ("3", "third"), ("4", "fourth"), ("-1", "last")]
# An empty field says what is wanted, as the insight form does.
SERIES_TITLE_NEEDED = "Give the series a title."
FIRST_DATE_NEEDED = "When is the first meeting?"
START_TIME_NEEDED = "At what time does it start?"
LENGTH_NEEDED = "How many minutes does it last?"
FREQUENCY_NEEDED = "Weekly or monthly?"
INTERVAL_NEEDED = "Every how many weeks or months?"
ENDS_NEEDED = "When does the series end?"
PICK_A_WEEKDAY = "Pick at least one weekday."
UNTIL_NEEDED = "Give the last date."
COUNT_NEEDED = "Give the number of meetings."
UNTIL_BEFORE_START = "The series must end after its first meeting."
NOT_A_MEMBER = "Pick someone from the team."
TOO_MANY_STANDING_ITEMS = (
    f"{MAX_STANDING_ITEMS} standing items at most: add the rest to a meeting's own agenda."
)
STANDING_ITEM_TOO_LONG = f"Keep each item to {AGENDA_TITLE_MAX_LENGTH} characters at most."


class AgendaTemplateField(forms.CharField):
    """'Pipeline review, 10' per line ⇄ [{"title": "Pipeline review", "minutes": 10}].
    Its value is a list, so it is bounded in items and in each title's length (a
    max_length here counted the items, and let thousands through)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Standing agenda items")
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            f"One per line, up to {MAX_STANDING_ITEMS}: title, minutes. "
            "They follow the insight round in every meeting.",
        )
        kwargs.setdefault(
            "widget",
            forms.Textarea(attrs={"rows": 3, "placeholder": "Pipeline review, 10\nFollow-ups, 5"}),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(f"{item['title']}, {item['minutes']}" for item in value)
        return value

    def to_python(self, value) -> list[dict]:
        items = []
        for line in (super().to_python(value) or "").splitlines():
            if not single_line(line):
                continue
            title, _, minutes = line.rpartition(",")
            if not title.strip() or not re.fullmatch(r"[0-9]{1,4}", minutes.strip()):
                title, minutes = line, "5"
            items.append({"title": single_line(title), "minutes": max(1, min(int(minutes), 240))})
        return items

    def validate(self, value: list[dict]) -> None:
        super().validate(value)
        if len(value) > MAX_STANDING_ITEMS:
            raise ValidationError(TOO_MANY_STANDING_ITEMS, code="too_many_standing_items")
        if any(len(item["title"]) > AGENDA_TITLE_MAX_LENGTH for item in value):
            raise ValidationError(STANDING_ITEM_TOO_LONG, code="standing_item_too_long")


class SeriesSettingsForm(FocusFirstError, forms.Form):
    agenda_template = AgendaTemplateField()
    apply_to_scheduled = forms.BooleanField(
        label="Also update the meetings already scheduled", required=False,
        help_text="Their standing items without notes are replaced; items added by hand stay.",
    )  # fmt: skip
    rotate_facilitator = forms.BooleanField(
        label="Rotate the facilitator", required=False,
        help_text="Each new meeting, the next person (by name) facilitates.",
    )  # fmt: skip


class SeriesForm(FocusFirstError, forms.Form):
    title = SingleLineField(
        max_length=120, initial="Weekly customer round",
        error_messages={"required": SERIES_TITLE_NEEDED},
    )  # fmt: skip
    first_date = DateField(label="First meeting", error_messages={"required": FIRST_DATE_NEEDED})
    start_time = forms.TimeField(widget=TimeInput(), error_messages={"required": START_TIME_NEEDED})
    duration_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=5, max_value=480, initial=30,
        error_messages={"required": LENGTH_NEEDED},
    )  # fmt: skip
    location = SingleLineField(label="Location or video link", max_length=200, required=False)
    facilitator = TeamPeopleField(queryset=User.objects.none(), required=False)
    rotate_facilitator = forms.BooleanField(
        label="Rotate the facilitator", required=False,
        help_text="Each meeting, the next person (by name) facilitates.",
    )  # fmt: skip
    frequency = forms.ChoiceField(
        choices=[("weekly", "Weekly"), ("monthly", "Monthly")],
        initial="weekly",
        widget=forms.RadioSelect,
        error_messages={"required": FREQUENCY_NEEDED},
    )
    interval = forms.IntegerField(
        label="Every … weeks / months", min_value=1, max_value=12, initial=1,
        error_messages={"required": INTERVAL_NEEDED},
    )  # fmt: skip
    weekdays = forms.MultipleChoiceField(
        label="On", choices=WEEKDAYS, required=False, widget=forms.CheckboxSelectMultiple
    )
    month_week = forms.ChoiceField(label="Monthly on the", choices=MONTH_WEEKS, required=False)
    month_weekday = forms.ChoiceField(label="Weekday", choices=WEEKDAYS, required=False)
    ends = forms.ChoiceField(
        choices=[
            ("never", "Never"),
            ("until", "On a date"),
            ("count", "After a number of meetings"),
        ],
        initial="never",
        widget=forms.RadioSelect,
        error_messages={"required": ENDS_NEEDED},
    )
    until = DateField(label="Last date", required=False)
    count = forms.IntegerField(
        label="Number of meetings", min_value=1, max_value=500, required=False
    )
    agenda_template = AgendaTemplateField()

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["facilitator"].queryset = _team_people(team)
        # The zone as help, not in the label: "Time (America/Argentina/Buenos_Aires)"
        # broke mid-word in its half of a phone's width.
        self.fields["start_time"].help_text = f"{team.time_zone} time"

    def clean(self):
        data = super().clean()
        if data.get("frequency") == "weekly" and not data.get("weekdays"):
            self.add_error("weekdays", PICK_A_WEEKDAY)
        if data.get("ends") == "until":
            if not data.get("until"):
                self.add_error("until", UNTIL_NEEDED)
            elif data.get("first_date") and data["until"] < data["first_date"]:
                self.add_error("until", UNTIL_BEFORE_START)
        if data.get("ends") == "count" and not data.get("count"):
            self.add_error("count", COUNT_NEEDED)
        return data

    def rule(self) -> str:
        data = self.cleaned_data
        if data["frequency"] == "weekly":
            byweekday = [getattr(rrule, code) for code in data["weekdays"]]
            freq = rrule.WEEKLY
        else:
            weekday = getattr(rrule, data["month_weekday"] or "MO")
            byweekday = [weekday(int(data["month_week"] or 1))]
            freq = rrule.MONTHLY
        until = count = None
        if data["ends"] == "until":
            until = dt.datetime.combine(data["until"], dt.time.max.replace(microsecond=0))
        elif data["ends"] == "count":
            count = data["count"]
        built = rrule.rrule(
            freq, interval=data["interval"], byweekday=byweekday, until=until, count=count,
            dtstart=dt.datetime.combine(data["first_date"], data["start_time"]),
        )  # fmt: skip
        return next(line for line in str(built).splitlines() if line.startswith("RRULE:"))[6:]

    def series_data(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "rule": self.rule(),
            "first_date": data["first_date"],
            "start_time": data["start_time"],
            "duration_minutes": data["duration_minutes"],
            "location": data["location"],
            "facilitator": data["facilitator"],
            "rotate_facilitator": data["rotate_facilitator"],
            "agenda_template": data["agenda_template"],
        }
