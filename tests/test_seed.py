"""seed_demo: realistic history in bulk, consistent with what the app itself writes."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from insights.models import Insight, RoundResult, SeatResult
from meetings.models import Attendance, Meeting, Team

pytestmark = pytest.mark.django_db


def test_seed_demo_writes_teams_meetings_insights_and_their_results():
    out = StringIO()

    call_command("seed_demo", teams=3, people_per_team=4, weeks=5, stdout=out)

    assert "Seeded 3 teams, 12 people" in out.getvalue()
    assert Team.objects.count() == 3
    assert Meeting.objects.filter(status=Meeting.Status.ENDED).count() == 15
    assert Attendance.objects.count() == SeatResult.objects.count() == 60
    assert RoundResult.objects.count() == 15
    assert SeatResult.objects.filter(insight__isnull=False).count() == Insight.objects.count()
    for result in RoundResult.objects.prefetch_related("seats"):
        seats = list(result.seats.all())
        assert result.expected == sum(s.outcome != "excused" for s in seats)
        assert result.on_time == sum(s.outcome == "on_time" for s in seats)
        assert result.kept == (result.expected > 0 and result.on_time == result.expected)


def test_the_same_seed_gives_the_same_data():
    call_command("seed_demo", teams=1, people_per_team=3, weeks=4, seed=7, stdout=StringIO())
    first = sorted(SeatResult.objects.values_list("outcome", flat=True))
    Insight.objects.all().delete()
    Team.objects.all().delete()

    call_command("seed_demo", teams=1, people_per_team=3, weeks=4, seed=7, prefix="again",
                 stdout=StringIO())  # fmt: skip

    assert sorted(SeatResult.objects.values_list("outcome", flat=True)) == first
