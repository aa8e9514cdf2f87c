from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

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
