from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction

from insightboard.fields import DateField, SingleLineField

from .models import AWAY_ENDS_BEFORE_START, User, normalize_address
from .signals import password_reset_requested
from .timezones import time_zone_choices

WRONG_LOGIN = "That e-mail address and password don't match. Check both and try again."


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": WRONG_LOGIN,
    }
    # A wrong password keeps the e-mail typed and puts the cursor where the retyping is.
    retype_after_error = "password"

    def clean_username(self) -> str:
        return normalize_address(self.cleaned_data["username"])


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=time_zone_choices, help_text="Every time is shown to you in this zone."
    )

    class Meta:
        model = User
        fields = ["name", "email", "time_zone", "mute_early_reminders", "meeting_summaries"]
        field_classes = {"name": SingleLineField}

    current_password = forms.CharField(
        label="Current password (to change your e-mail)",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_email(self) -> str:
        email = normalize_address(self.cleaned_data["email"])
        if User.objects.filter(email=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(EMAIL_TAKEN, code="email_taken")
        return email

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        data = super().clean()
        # Reminders, summaries and invitations follow the address: only its owner moves
        # it. Checked by authenticate(), so a guess here counts like one at login.
        if "email" in self.changed_data:
            person = authenticate(
                self.request,
                username=self.instance.email,
                password=data.get("current_password") or "",
            )
            if person is None or person.pk != self.instance.pk:
                given = data.get("current_password")
                self.add_error(
                    "current_password", WRONG_PASSWORD if given else PASSWORD_TO_CHANGE_EMAIL
                )
        return data


EMAIL_TAKEN = "Another account already uses this address."
PASSWORD_TO_CHANGE_EMAIL = "Enter your current password to change your e-mail address."
WRONG_PASSWORD = "That isn't your current password."


class AwayForm(forms.Form):
    starts_on = DateField(label="First day away")
    ends_on = DateField(label="Last day away")
    note = forms.CharField(
        label="Note (optional)",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Holiday"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", AWAY_ENDS_BEFORE_START)
        return data


class OwnAwayForm(AwayForm):
    """A person marks themselves away: the note is theirs unless they share it."""

    share_note = forms.BooleanField(
        label="Show the note to my teams' facilitators",
        required=False,
        help_text="Otherwise only you see it; they see that you're away.",
    )


class SignupForm(forms.Form):
    """Creates the account of someone who followed an invitation."""

    name = SingleLineField(label="Your name", max_length=120)
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters; not only digits, not a common password.",
    )
    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        help_text="We guessed it from your browser; change it if it's wrong.",
        widget=forms.Select(attrs={"data-guess-time-zone": "true"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["time_zone"].initial = settings.TIME_ZONE

    def clean_password1(self) -> str:
        password = self.cleaned_data["password1"]
        candidate = User(email=self.email, name=self.data.get("name", ""))
        password_validation.validate_password(password, candidate)
        return password

    def save(self) -> User:
        return User.objects.create_user(
            self.email,
            self.cleaned_data["password1"],
            name=self.cleaned_data["name"],
            time_zone=self.cleaned_data["time_zone"],
        )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, with its e-mail sent through the outbox: the request only
    records it (accounts.signals), so a mail outage never turns it into an error, and
    the link is built from SITE_URL when the message goes out, never from the request."""

    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    @transaction.atomic
    def save(self, *args, **kwargs) -> None:
        for user in self.get_users(self.cleaned_data["email"]):
            password_reset_requested.send(sender=type(user), user=user)
