"""What a batch of sends shares: one SMTP connection, and the round counts of all
its meetings, counted at once. A batch is a few dozen messages sent within a
fraction of a second, so a "4 of 7" counted at its start is as true as one counted
a millisecond later."""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass, field

_current: contextvars.ContextVar[Batch | None] = contextvars.ContextVar("batch", default=None)


@dataclass
class Batch:
    rows: list = field(default_factory=list)  # the Messages about to be sent
    connection: object | None = None  # an open e-mail connection, opened on first use
    counts: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # meeting -> counts

    def drop_connection(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.close()
            self.connection = None


def current() -> Batch | None:
    return _current.get()


@contextlib.contextmanager
def batch():
    shared = Batch()
    token = _current.set(shared)
    try:
        yield shared
    finally:
        _current.reset(token)
        shared.drop_connection()
