"""Agenda item forms."""

from __future__ import annotations

from django import forms

from accounts.models import User
from insightboard.fields import SingleLineField
from insightboard.forms import FocusFirstError

from ..models import AGENDA_TITLE_MAX_LENGTH, Team
from .meetings import TeamPeopleField, _team_people


class AgendaItemForm(FocusFirstError, forms.Form):
    title = SingleLineField(max_length=AGENDA_TITLE_MAX_LENGTH)
    minutes = forms.IntegerField(min_value=1, max_value=240, initial=5)
    owner = TeamPeopleField(queryset=User.objects.none(), required=False)
    notes = forms.CharField(
        required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _team_people(team)


class NotesForm(forms.Form):
    notes = forms.CharField(
        required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
