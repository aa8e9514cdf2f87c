"""Render and send one e-mail from templates/emails/<name>_{subject,body}.{txt,html}."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def render_email(
    name: str, context: Mapping, *, to: list[str], headers: dict | None = None
) -> EmailMultiAlternatives:
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{name}_body.txt", context),
        to=to,
        headers=headers or {},
    )
    message.attach_alternative(render_to_string(f"emails/{name}_body.html", context), "text/html")
    return message


def send_email(name: str, context: Mapping, *, to: list[str], headers: dict | None = None) -> None:
    render_email(name, context, to=to, headers=headers).send()
