from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from dateutil import rrule
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.text import slugify

from accounts.models import User
from accounts.timezones import time_zone_choices
from insightboard.fields import DateField
from insightboard.widgets import TimeInput

from .models import Membership, Team, TeamWebhook

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
        for token in filter(None, (t.strip().lower() for t in re.split(r"[,;]", text))):
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


class TeamSettingsForm(forms.ModelForm):
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
        ]
        labels = {
            "freshness_mode": "An insight is fresh when the conversation was",
            "freshness_days": "Number of days",
            "quiet_hours_start": "Quiet hours start",
            "quiet_hours_end": "Quiet hours end",
            "minutes_per_person": "Minutes per person in the insight round",
        }
        help_texts = {
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
        emails = list(dict.fromkeys(t.lower() for t in tokens))
        if len(emails) > MAX_INVITES:
            raise ValidationError(TOO_MANY_EMAILS, code="too_many_emails")
        return emails


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


# --- Meetings and series ---------------------------------------------------------

WEEKDAYS = [("MO", "Mon"), ("TU", "Tue"), ("WE", "Wed"), ("TH", "Thu"), ("FR", "Fri"),
            ("SA", "Sat"), ("SU", "Sun")]  # fmt: skip
MONTH_WEEKS = [("1", "first"), ("2", "second"), ("3", "third"), ("4", "fourth"), ("-1", "last")]
PICK_A_WEEKDAY = "Pick at least one weekday."
UNTIL_NEEDED = "Give the last date."
COUNT_NEEDED = "Give the number of meetings."
UNTIL_BEFORE_START = "The series must end after its first meeting."
NOT_A_MEMBER = "Pick someone from the team."


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

    title = forms.CharField(max_length=120, initial="Customer round")
    date = DateField()
    time = forms.TimeField(widget=TimeInput())
    duration_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=5, max_value=480, initial=30
    )
    location = forms.CharField(label="Location or video link", max_length=200, required=False)
    facilitator = TeamPeopleField(queryset=User.objects.none(), required=False)

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["facilitator"].queryset = _team_people(team)
        self.fields["time"].label = f"Time ({team.time_zone})"

    @property
    def starts_at(self) -> dt.datetime:
        return team_datetime(self.team, self.cleaned_data["date"], self.cleaned_data["time"])


class AgendaTemplateField(forms.CharField):
    """'Pipeline review, 10' per line ⇄ [{"title": "Pipeline review", "minutes": 10}]."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Standing agenda items")
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 5000)
        kwargs.setdefault(
            "help_text",
            "One per line: title, minutes. They follow the insight round in every meeting.",
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
            if not line.strip():
                continue
            title, _, minutes = line.rpartition(",")
            if not title.strip() or not re.fullmatch(r"[0-9]{1,4}", minutes.strip()):
                title, minutes = line, "5"
            items.append({"title": title.strip()[:160], "minutes": max(1, min(int(minutes), 240))})
        return items


class SeriesSettingsForm(forms.Form):
    agenda_template = AgendaTemplateField()
    apply_to_scheduled = forms.BooleanField(
        label="Also update the meetings already scheduled", required=False,
        help_text="Their standing items without notes are replaced; items added by hand stay.",
    )  # fmt: skip
    rotate_facilitator = forms.BooleanField(
        label="Rotate the facilitator", required=False,
        help_text="Each new meeting, the next person (by name) facilitates.",
    )  # fmt: skip


class SeriesForm(forms.Form):
    title = forms.CharField(max_length=120, initial="Weekly customer round")
    first_date = DateField(label="First meeting")
    start_time = forms.TimeField(widget=TimeInput())
    duration_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=5, max_value=480, initial=30
    )
    location = forms.CharField(label="Location or video link", max_length=200, required=False)
    facilitator = TeamPeopleField(queryset=User.objects.none(), required=False)
    rotate_facilitator = forms.BooleanField(
        label="Rotate the facilitator", required=False,
        help_text="Each meeting, the next person (by name) facilitates.",
    )  # fmt: skip
    frequency = forms.ChoiceField(
        choices=[("weekly", "Weekly"), ("monthly", "Monthly")],
        initial="weekly",
        widget=forms.RadioSelect,
    )
    interval = forms.IntegerField(
        label="Every … weeks / months", min_value=1, max_value=12, initial=1
    )
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
        self.fields["start_time"].label = f"Time ({team.time_zone})"

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


class AgendaItemForm(forms.Form):
    title = forms.CharField(max_length=160)
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


class AttendeeForm(forms.Form):
    email = forms.EmailField(label="Add someone by e-mail")
    whole_series = forms.BooleanField(label="To every meeting of the series", required=False)

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        user = User.objects.filter(email=email, is_active=True).first()
        if user is None:
            raise ValidationError(NOT_IN_INSIGHTBOARD, code="unknown_person")
        return user


NOT_IN_INSIGHTBOARD = "Nobody uses InsightBoard with this address yet: invite them to a team first."


class ExcuseForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False, initial="Excused")


class ActionForm(forms.Form):
    title = forms.CharField(label="Follow-up action", max_length=200)
    owner = TeamPeopleField(queryset=User.objects.none())
    due_on = DateField(label="Due", required=False)
    insight = forms.ModelChoiceField(
        queryset=None, required=False, label="Caused by the insight of"
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        people = (
            User.objects.filter(Q(memberships__team=meeting.team) | Q(attendances__meeting=meeting))
            .distinct()
            .order_by("name")
        )
        self.fields["owner"].queryset = people
        # Only this meeting's insights: a foreign id in the form is simply invalid.
        self.fields["insight"].queryset = meeting.insights.select_related("author")
        self.fields["insight"].label_from_instance = lambda i: f"{i.author.name} ({i.customer})"


HTTPS_ONLY = "Use the https:// address your Slack or Teams admin gave you."
NOT_A_WEBHOOK = "This doesn't look like an incoming-webhook address."
NOT_SLACK_OR_TEAMS = "Use an incoming-webhook address from Slack or Microsoft Teams."
# Where Slack and Teams incoming webhooks live. Anything else (an internal host, say)
# is refused, so a team admin can't make the worker call into the network.
WEBHOOK_HOSTS = {
    TeamWebhook.Kind.SLACK: ("hooks.slack.com",),
    TeamWebhook.Kind.TEAMS: (".webhook.office.com", ".logic.azure.com", ".api.powerplatform.com"),
}


class WebhookForm(forms.Form):
    kind = forms.ChoiceField(choices=TeamWebhook.Kind.choices, widget=forms.HiddenInput)
    url = forms.URLField(label="Incoming webhook address", max_length=500, assume_scheme="https")
    mention_names = forms.BooleanField(
        label="Name who is missing", required=False,
        help_text="Off: the post only says how many are still to come.",
    )  # fmt: skip

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        parts = urlsplit(url)
        if parts.scheme != "https":
            raise ValidationError(HTTPS_ONLY, code="https_only")
        if not parts.netloc or parts.path in ("", "/"):
            raise ValidationError(NOT_A_WEBHOOK, code="not_a_webhook")
        return url

    def clean(self):
        data = super().clean()
        url, kind = data.get("url"), data.get("kind")
        if url and kind:
            host = (urlsplit(url).hostname or "").lower()
            allowed = WEBHOOK_HOSTS[kind]
            if urlsplit(url).port not in (None, 443) or not any(
                host == a or (a.startswith(".") and host.endswith(a)) for a in allowed
            ):
                self.add_error("url", NOT_SLACK_OR_TEAMS)
        return data
