"""Fixtures the meetings tests share."""

from __future__ import annotations

import datetime as dt

import pytest

from meetings import services

UTC = dt.UTC


@pytest.fixture
def series(team, facilitator, member, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False)
    return services.create_series(team=team, data={
        "title": "Weekly round", "rule": "FREQ=WEEKLY;BYDAY=MO", "first_date": dt.date(2026, 3, 2),
        "start_time": dt.time(9), "duration_minutes": 30,
        "agenda_template": [{"title": "Pipeline", "minutes": 10}],
    })  # fmt: skip
