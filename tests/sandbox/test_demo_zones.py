"""The demo's places keep IANA zones, so its local times are right in every season (once fixed summer offsets:
Seattle at UTC-07:00 in December)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from mcp import Client

from shipstation_mcp.config import load_settings
from shipstation_mcp.sandbox import account
from shipstation_mcp.sandbox.payloads import Clockface
from shipstation_mcp.tools.server import create_server
from shipstation_mcp.zones import place_zone, zone

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("now", "seattle"),
    [
        (datetime(2026, 12, 1, 21, 0, tzinfo=UTC), "-08:00"),  # Pacific standard time
        (datetime(2026, 7, 1, 20, 0, tzinfo=UTC), "-07:00"),  # Pacific daylight time
    ],
)
async def test_the_demo_package_in_seattle_reads_seattle_time_in_every_season(now: datetime, seattle: str) -> None:
    settings = load_settings({"SHIPSTATION_API": "v2"}, demo=True, dotenv_path=Path("/nonexistent/.env"))
    async with Client(create_server(settings, clock=lambda: now)) as client:
        result = await client.call_tool("find_order", {"query": "10443"})
    [package] = result.structured_content["packages"]
    assert "SEATTLE" in package["latest_event"]["place"]
    assert package["utc_offset"] == seattle
    seattle_lines = [line for line in package["events"] if "SEATTLE" in line]
    assert seattle_lines and all(f"{seattle}:" in line for line in seattle_lines)


def test_the_demo_clock_reads_each_zone_in_its_own_season() -> None:
    winter, summer = (
        Clockface(datetime(2026, 12, 1, 20, 0, tzinfo=UTC)),
        Clockface(datetime(2026, 7, 1, 20, tzinfo=UTC)),
    )
    assert winter.local(0, "America/Los_Angeles") == "2026-12-01T12:00:00"
    assert summer.local(0, "America/Los_Angeles") == "2026-07-01T13:00:00"
    assert winter.local(0, "Europe/Berlin") == "2026-12-01T21:00:00"
    assert winter.local(0, "Asia/Tokyo") == "2026-12-02T05:00:00"


def test_every_demo_place_names_a_real_zone_that_agrees_with_its_address() -> None:
    places = [value for value in vars(account).values() if isinstance(value, account.Place) and value.zone]
    assert len(places) > 30
    for place in places:
        assert zone(place.zone) is not None, place
        by_address = place_zone(postal_code=place.postal_code, state=place.state, country=place.country)
        assert (
            by_address is None
            or by_address.key == place.zone
            or by_address.utcoffset(datetime(2026, 1, 15)) == zone(place.zone).utcoffset(datetime(2026, 1, 15))
        ), place
