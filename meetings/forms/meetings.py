"""Forms for one meeting: when and where, who attends."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User, normalize_address
from insightboard.fields import DateField, SingleLineField
from insightboard.widgets import TimeInput

from ..models import Team


def team_datetime(team: Team, day: dt.date, time: dt.time) -> dt.datetime:
    """A date and wall-clock time typed for the team, as an aware UTC datetime."""
    return dt.datetime.combine(day, time, tzinfo=team.zone).astimezone(dt.UTC)


class TeamPeopleField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


def _team_people(team: Team):
    return User.objects.filter(memberships__team=team).order_by("name")


class MeetingForm(forms.Form):
    """A one-off meeting, or one occurrence of a series moved or edited."""

    title = SingleLineField(max_length=120, initial="Customer round")
    date = DateField()
    time = forms.TimeField(widget=TimeInput())
    duration_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=5, max_value=480, initial=30
    )
    location = SingleLineField(label="Location or video link", max_length=200, required=False)
    facilitator = TeamPeopleField(queryset=User.objects.none(), required=False)

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["facilitator"].queryset = _team_people(team)
        self.fields["time"].label = f"Time ({team.time_zone})"

    @property
    def starts_at(self) -> dt.datetime:
        return team_datetime(self.team, self.cleaned_data["date"], self.cleaned_data["time"])


class AttendeeForm(forms.Form):
    email = forms.EmailField(label="Add someone by e-mail")
    whole_series = forms.BooleanField(label="To every meeting of the series", required=False)

    def clean_email(self):
        email = normalize_address(self.cleaned_data["email"])
        user = User.objects.filter(email=email, is_active=True).first()
        if user is None:
            raise ValidationError(NOT_IN_INSIGHTBOARD, code="unknown_person")
        return user


NOT_IN_INSIGHTBOARD = "Nobody uses InsightBoard with this address yet: invite them to a team first."


class ExcuseForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False, initial="Excused")
