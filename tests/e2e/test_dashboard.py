"""The organisation admin's Friday: is the ritual alive, where is it dying?"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from meetings.models import Membership
from tests.factories import PASSWORD, UserFactory, held

from .conftest import has_horizontal_scroll, log_in

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
NOW = dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def organisation(team, other_team, facilitator, member, org_admin, time_machine):
    """Sales keeps the ritual; Engineering's is dying."""
    held(
        team, [facilitator, member], weeks=3, bring=2, now=NOW, time_machine=time_machine, tick=True
    )
    engineers = UserFactory.create_batch(3)
    for person in engineers:
        Membership.objects.create(team=other_team, user=person)
    held(other_team, engineers, weeks=3, bring=1, now=NOW, time_machine=time_machine, tick=True)


def test_an_org_admin_drills_from_the_dashboard_into_a_team_and_exports_its_grid(
    desktop, organisation, tmp_path
):
    page = desktop
    log_in(page, "olivia@example.com", PASSWORD)

    expect(page.get_by_role("heading", name="Is the ritual alive?")).to_be_visible()
    expect(page.get_by_role("row", name="Sales")).to_contain_text("100 %")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "dashboard-desktop.png", full_page=True)

    page.get_by_role("link", name="Sales", exact=True).click()
    expect(page.get_by_role("heading", name="Sales: is the ritual alive?")).to_be_visible()
    grid = page.locator("table.grid")
    expect(grid.get_by_role("row", name="Bob Member")).to_contain_text("on time")
    page.screenshot(path=SCREENSHOTS / "team-dashboard-desktop.png", full_page=True)

    with page.expect_download() as download:
        page.locator("#grid-h ~ p a", has_text="Download CSV").click()
    saved = tmp_path / "grid.csv"
    download.value.save_as(saved)
    rows = list(csv.reader(saved.open(encoding="utf-8-sig")))
    assert rows[0][0] == "person" and len(rows[0]) == 4
    assert ["Bob Member", "On time", "On time", "On time"] in rows


def test_the_dashboards_fit_a_phone(phone, organisation, facilitator):
    page = phone
    log_in(page, "olivia@example.com", PASSWORD)
    expect(page.get_by_role("heading", name="Is the ritual alive?")).to_be_visible()

    assert not has_horizontal_scroll(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "dashboard-phone.png", full_page=True)
    page.goto("/teams/sales/dashboard/")
    assert not has_horizontal_scroll(page)
    page.screenshot(path=SCREENSHOTS / "team-dashboard-phone.png", full_page=True)
    page.goto("/me/record/")
    assert not has_horizontal_scroll(page)
    page.screenshot(path=SCREENSHOTS / "my-record-phone.png", full_page=True)
