from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.models import User
from insightboard.fields import DateField, SingleLineField
from meetings.forms import TeamPeopleField
from meetings.models import Meeting

from . import freshness
from .customers import find_or_create_customer
from .due import due_choices
from .models import Insight, Tag

MAX_TAGS = 8
TOO_MANY_TAGS = f"{MAX_TAGS} tags at most."
TAG_TOO_LONG = "Keep each tag under 40 characters."
CUSTOMER_TOO_LONG = "Keep the customer's name under 120 characters."
# An empty field says what is wanted, in the words of the question it asks.
WHICH_CUSTOMER = "Which customer did you talk to?"
WHEN_TALKED = "When did you talk to them?"
NOT_A_DATE = "That isn't a date: pick the day you talked."
HOW_TALKED = "How did you talk: a call, a visit, a ticket…?"
WHAT_SAID = "What did they say or do?"
WHAT_IT_MEANS = "What does it mean for us?"
WHAT_NEEDS_DOING = "What needs doing?"
WHO_DOES_IT = "Who will do it?"


class InsightForm(forms.Form):
    """One column, phone first. The team and the author never come from the form:
    customers and tags are looked up (or created) inside the meeting's team."""

    customer = SingleLineField(
        label="Customer",
        max_length=120,
        widget=forms.TextInput(
            attrs={"list": "customers", "autocomplete": "off", "autocapitalize": "words"}
        ),
        error_messages={"required": WHICH_CUSTOMER, "max_length": CUSTOMER_TOO_LONG},
    )
    contact = SingleLineField(
        label="Who you talked to (optional)",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Name or role"}),
    )
    conversation_date = DateField(
        label="When you talked", error_messages={"required": WHEN_TALKED, "invalid": NOT_A_DATE}
    )
    channel = forms.ChoiceField(
        label="How",
        choices=Insight.Channel.choices,
        initial=Insight.Channel.CALL,
        error_messages={"required": HOW_TALKED},
    )
    said = forms.CharField(
        label="What the customer said or did",
        max_length=2000,
        error_messages={"required": WHAT_SAID},
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "Their words, if you can: “…”"}),
    )
    so_what = forms.CharField(
        label="What it means for us",
        max_length=2000,
        error_messages={"required": WHAT_IT_MEANS},
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "So what? What should we do or learn?"}
        ),
    )
    tags = forms.CharField(
        label="Tags (optional)",
        required=False,
        max_length=400,
        widget=forms.TextInput(attrs={"placeholder": "pricing, onboarding", "autocomplete": "off"}),
    )
    segment = forms.CharField(
        label="Customer segment (optional)",
        max_length=60,
        required=False,
        help_text="For a customer new to the organisation, or one without a segment yet.",
        widget=forms.TextInput(attrs={"list": "segments", "autocomplete": "off"}),
    )

    def __init__(
        self,
        *args,
        meeting: Meeting,
        author,
        today: dt.date,
        instance: Insight | None = None,
        **kwargs,
    ):
        self.meeting, self.author, self.today, self.instance = meeting, author, today, instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "customer": instance.customer.name,
                "contact": instance.contact,
                "conversation_date": instance.conversation_date,
                "channel": instance.channel,
                "said": instance.said,
                "so_what": instance.so_what,
                "tags": ", ".join(t.name for t in instance.tags.all()),
                "segment": instance.customer.segment,
            }
        super().__init__(*args, **kwargs)
        self.fields["conversation_date"].initial = today
        self.fields["conversation_date"].widget.attrs["max"] = today.isoformat()
        self.fields["conversation_date"].widget.attrs["min"] = self.earliest.isoformat()
        self.fields["conversation_date"].help_text = self.freshness_hint

    @property
    def earliest(self) -> dt.date:
        return freshness.earliest_fresh_date(self.meeting)

    @property
    def freshness_hint(self) -> str:
        return f"Fresh means on or after {self.earliest:%a %-d %b}, and not in the future."

    def clean_conversation_date(self) -> dt.date:
        date = self.cleaned_data["conversation_date"]
        error = freshness.freshness_error(self.meeting, date, self.today)
        if error:
            raise ValidationError(error, code="not_fresh")
        return date

    def clean_said(self) -> str:
        said = self.cleaned_data["said"]
        # This meeting's insight is the one being saved, even when a double tap's
        # other post saved it after this form was loaded: not an earlier one.
        earlier = Insight.objects.filter(author=self.author).exclude(meeting=self.meeting)
        when = freshness.near_copy_of(said, list(earlier.values_list("said", "submitted_at")))
        if when is not None:
            raise ValidationError(
                freshness.NEAR_COPY, code="near_copy", params={"when": f"{when:%-d %b %Y}"}
            )
        return said

    def clean_tags(self) -> list[str]:
        names = list(dict.fromkeys(
            " ".join(t.split()).lower() for t in re.split(r"[,#;]", self.cleaned_data["tags"]) if t.strip()
        ))  # fmt: skip
        if len(names) > MAX_TAGS:
            raise ValidationError(TOO_MANY_TAGS, code="too_many_tags")
        if any(len(n) > 40 for n in names):
            raise ValidationError(TAG_TOO_LONG, code="tag_too_long")
        return names

    def resolved(self) -> dict:
        """The cleaned data as model values: the customer from the organisation's one
        list (by any name it has had), tags found or created in the meeting's team."""
        data = dict(self.cleaned_data)
        name, segment = data.pop("customer"), data.pop("segment").strip()
        customer = find_or_create_customer(name, segment=segment)
        tags = [_find_or_create_tag(self.meeting.team, tag_name) for tag_name in data.pop("tags")]
        return {**data, "customer": customer, "tags": tags}


def _find_or_create_tag(team, name: str) -> Tag:
    """Case-insensitively unique per team; two people typing the same new tag at
    once both end up with the one row."""
    found = Tag.objects.filter(team=team, name__iexact=name).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Tag.objects.create(team=team, name=name)
    except IntegrityError:
        return Tag.objects.get(team=team, name__iexact=name)


class ActionForm(forms.Form):
    """A follow-up captured in the meeting. The due date is one of a few quick
    choices (insights.due, the first preselected) or a date typed in, which wins."""

    title = SingleLineField(
        label="Follow-up action", max_length=200, error_messages={"required": WHAT_NEEDS_DOING}
    )
    owner = TeamPeopleField(queryset=User.objects.none(), error_messages={"required": WHO_DOES_IT})
    due = DateField(label="Due", required=False, widget=forms.RadioSelect)
    due_on = DateField(label="Or on", required=False)
    insight = forms.ModelChoiceField(
        queryset=Insight.objects.none(), required=False, label="Caused by the insight of"
    )

    def __init__(self, *args, meeting, in_order: list[Insight] | None = None, **kwargs):
        """in_order: the meeting's insights as the presenter view shows them, listed
        in that order (the choices then need no query of their own)."""
        super().__init__(*args, **kwargs)
        people = (
            User.objects.filter(Q(memberships__team=meeting.team) | Q(attendances__meeting=meeting))
            .distinct()
            .order_by("name")
        )
        self.fields["owner"].queryset = people
        choices = due_choices(meeting)
        self.fields["due"].widget.choices = [(c.date.isoformat(), c.text) for c in choices] + [
            ("", "No due date")
        ]
        self.fields["due"].initial = next(c.date for c in choices if c.is_default)
        # Only this meeting's insights: a foreign id in the form is simply invalid.
        field = self.fields["insight"]
        field.queryset = meeting.insights.select_related("author", "customer")
        field.label_from_instance = lambda i: f"{i.author.name} ({i.customer})"
        if in_order is not None:
            field.choices = [("", field.empty_label)] + [
                (i.pk, field.label_from_instance(i)) for i in in_order
            ]

    def clean(self):
        data = super().clean()
        due = data.pop("due", None)
        if data.get("due_on") is None:
            data["due_on"] = due
        return data
