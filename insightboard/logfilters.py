"""Logging filters named in settings.LOGGING."""

from __future__ import annotations

import logging


class ClientErrorWithoutTraceback(logging.Filter):
    """Django logs a refused request (PermissionDenied as a 403, a bad request as a 400)
    on `django.request` with the exception attached, so every 403 printed a full
    traceback. A 4xx is the client's doing, not a bug: one warning line is enough.
    5xx records keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if 400 <= getattr(record, "status_code", 0) < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class TokenChecksForAxes(logging.Filter):
    """django-axes logs an error for every failed authenticate() without a request:
    that is how django-sesame checks a one-tap link, and a bad or expired link is a
    client's mistake, not an error. Only that record is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "does not function without a request" not in record.getMessage()
