"""Team forms: creating a team, its settings and webhooks, inviting, roles."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.text import slugify

from accounts.models import normalize_address
from accounts.timezones import time_zone_choices
from insightboard.fields import SingleLineField
from insightboard.forms import FocusFirstError
from insightboard.widgets import TimeInput

from .. import webhook_targets
from ..models import Membership, Team, TeamWebhook

MAX_INVITES = 50
OFFSET_RE = re.compile(r"^(\d+)\s*(d|h|m|min)?$")
BAD_OFFSET = "Write each reminder as a time before the start, like 24h, 2h or 15m."
OFFSET_RANGE = "Each reminder must be between 5 minutes and 7 days before the start."
TOO_MANY_OFFSETS = "Five reminders at most: more teaches people to ignore them."
DUPLICATE_OFFSET = "Each reminder time only once, please."
NO_EMAILS = "Enter at least one e-mail address."
BAD_EMAILS = "These don't look like e-mail addresses: %(emails)s"
TOO_MANY_EMAILS = f"Invite at most {MAX_INVITES} people at once."
SLUG_TAKEN = "Another team already uses this address."


def format_offset(minutes: int) -> str:
    if minutes % (24 * 60) == 0 and minutes >= 48 * 60:
        return f"{minutes // (24 * 60)}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


class OffsetsField(forms.CharField):
    """'24h, 2h, 15m' ⇄ [1440, 120, 15], latest first."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(format_offset(m) for m in value)
        return value

    def to_python(self, value) -> list[int]:
        text = super().to_python(value)
        minutes = []
        for token in filter(None, (normalize_address(t) for t in re.split(r"[,;]", text))):
            match = OFFSET_RE.match(token)
            if not match:
                raise ValidationError(BAD_OFFSET, code="bad_offset")
            number, unit = int(match[1]), match[2] or "m"
            minutes.append(number * {"d": 1440, "h": 60, "m": 1, "min": 1}[unit])
        if not minutes:
            raise ValidationError(BAD_OFFSET, code="bad_offset")
        if len(minutes) > 5:
            raise ValidationError(TOO_MANY_OFFSETS, code="too_many_offsets")
        if len(set(minutes)) != len(minutes):
            raise ValidationError(DUPLICATE_OFFSET, code="duplicate_offset")
        if any(not 5 <= m <= 7 * 24 * 60 for m in minutes):
            raise ValidationError(OFFSET_RANGE, code="offset_range")
        return sorted(minutes, reverse=True)


class TeamSettingsForm(FocusFirstError, forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=time_zone_choices, help_text="Meetings repeat on this clock."
    )
    reminder_offsets = OffsetsField(
        label="Reminders before each meeting",
        help_text="Comma-separated, e.g. 24h, 2h, 15m. The last one is the final reminder.",
    )

    class Meta:
        model = Team
        fields = [
            "name",
            "time_zone",
            "freshness_mode",
            "freshness_days",
            "reminder_offsets",
            "quiet_hours_start",
            "quiet_hours_end",
            "minutes_per_person",
            "close_after_minutes",
        ]
        field_classes = {"name": SingleLineField}
        labels = {
            "freshness_mode": "An insight is fresh when the conversation was",
            "freshness_days": "Number of days",
            "quiet_hours_start": "Quiet hours start",
            "quiet_hours_end": "Quiet hours end",
            "minutes_per_person": "Minutes per person in the insight round",
            "close_after_minutes": "A meeting nobody ends closes itself after",
        }
        help_texts = {
            "close_after_minutes": "Minutes past its scheduled end. Then attendance is recorded, "
            "the summary goes out and insight links stop working.",
            "quiet_hours_start": "In each person's own time zone. Only the final reminder is sent in quiet hours.",
        }
        widgets = {
            "freshness_mode": forms.RadioSelect,
            "quiet_hours_start": TimeInput(),
            "quiet_hours_end": TimeInput(),
        }


class TeamCreateForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=time_zone_choices)
    slug = forms.SlugField(
        label="Address",
        required=False,
        help_text="Used in links. Leave empty to derive it from the name.",
    )

    class Meta:
        model = Team
        fields = ["name", "slug", "time_zone"]
        field_classes = {"name": SingleLineField}

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("name", ""))
        if not slug:
            raise ValidationError("Give the team a name with letters or digits.")
        if Team.objects.filter(slug=slug).exists():
            raise ValidationError(SLUG_TAKEN, code="slug_taken")
        return slug


class InviteForm(forms.Form):
    emails = forms.CharField(
        label="E-mail addresses",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "ana@example.com, li@example.com"}),
        help_text="One or many, separated by commas, spaces or new lines.",
        max_length=10_000,
    )
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.MEMBER)

    def clean_emails(self) -> list[str]:
        tokens = [t for t in re.split(r"[\s,;]+", self.cleaned_data["emails"]) if t]
        if not tokens:
            raise ValidationError(NO_EMAILS, code="no_emails")
        bad = []
        for token in tokens:
            try:
                validate_email(token)
            except ValidationError:
                bad.append(token)
        if bad:
            raise ValidationError(BAD_EMAILS, code="bad_emails", params={"emails": ", ".join(bad)})
        emails = list(dict.fromkeys(normalize_address(t) for t in tokens))
        if len(emails) > MAX_INVITES:
            raise ValidationError(TOO_MANY_EMAILS, code="too_many_emails")
        return emails


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


# --- Team channels ----------------------------------------------------------------


class WebhookForm(FocusFirstError, forms.Form):
    kind = forms.ChoiceField(choices=TeamWebhook.Kind.choices, widget=forms.HiddenInput)
    url = forms.URLField(label="Incoming webhook address", max_length=500, assume_scheme="https")
    mention_names = forms.BooleanField(
        label="Name who is missing", required=False,
        help_text="Off: the post only says how many are still to come.",
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        url, kind = data.get("url"), data.get("kind")
        if url and kind:
            try:
                webhook_targets.check(kind, url)
            except ValidationError as error:
                self.add_error("url", error)
        return data
