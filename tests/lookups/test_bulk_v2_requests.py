"""On V2 (the default), a package costs one request: numbers are matched to labels from the listing, and a track
answer that carries the carrier and tracking page needs no label GET."""

from __future__ import annotations

import pytest
from mcp import Client

from shipstation_mcp.tools.server import create_server
from tests.support.fake_shipstation import NOW, FakeShipStation, event, hours_ago, tracking

pytestmark = pytest.mark.anyio


def ups(i: int) -> str:
    return f"1Z999AA1{i:010d}"


def v2_account(count: int) -> FakeShipStation:
    """`count` labels se-{i} with UPS number i, in transit."""
    fake = FakeShipStation()
    for i in range(count):
        created = hours_ago(30 + i % 50)
        fake.add_label(f"se-{i}", ups(i), created=created, info=tracking(ups(i), "IT", events=[event(NOW, "Scan")]))
    return fake


async def test_a_hundred_numbers_cost_one_listing_and_a_hundred_track_calls() -> None:
    fake = v2_account(100)
    server = create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)
    async with Client(server) as client:
        result = await client.call_tool("track_packages", {"packages": [ups(i) for i in range(100)]})
    assert result.structured_content["counts"] == {"in_transit": 100}
    assert fake.hits == {"labels": 1, "labels/{id}/track": 100}  # no search per number, no label GET
    rows = result.structured_content["results"]
    assert rows[7]["label_id"] == "se-7" and rows[7]["carrier_code"] == "ups"
    assert rows[7]["tracking_url"] == f"https://track.example/{ups(7)}"


async def test_numbers_the_listing_does_not_reach_are_searched_one_by_one() -> None:
    fake = v2_account(6)
    newer = [{**fake.labels[0], "label_id": f"se-x{i}", "tracking_number": f"X{i}"} for i in range(300)]
    for label in newer:
        label["created_at"] = "2026-05-20T11:00:00Z"  # the 300 newest labels carry none of the numbers asked
    fake.labels.extend(newer)
    server = create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)
    async with Client(server) as client:
        result = await client.call_tool("track_packages", {"packages": [ups(i) for i in range(6)]})
    assert result.structured_content["counts"] == {"in_transit": 6}
    # 6 numbers: the listing may cost at most 3 pages (half of 6 searches); then each number is searched alone.
    assert fake.hits["labels"] == 3 + 6
    assert fake.hits["labels/{id}/track"] == 6


async def test_track_label_takes_the_carrier_from_the_track_answer_without_a_label_get() -> None:
    fake = v2_account(1)
    server = create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)
    async with Client(server) as client:
        result = await client.call_tool("track_label", {"label_id": "se-0"})
    assert result.structured_content["carrier_code"] == "ups"
    assert fake.hits == {"labels/{id}/track": 1}


async def test_a_track_answer_without_the_carrier_still_gets_it_from_the_label() -> None:
    fake = v2_account(1)
    info = fake.label_tracking["se-0"]
    del info["carrier_code"], info["tracking_url"]
    server = create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)
    async with Client(server) as client:
        result = await client.call_tool("track_label", {"label_id": "se-0"})
    assert result.structured_content["carrier_code"] == "ups"
    assert result.structured_content["tracking_url"] == f"https://track.example/{ups(0)}"
    assert fake.hits == {"labels/{id}/track": 1, "labels/{id}": 1}


# ----------------------------------------------------------------------------- round trips (issue 23)


def _bulk_round_trips(fake: FakeShipStation, packages: list[str], *, calls: int = 1, per_minute: int | None = None):
    """Track `packages` in `calls` bulk calls back to back on a virtual timeline where a round trip takes 1 s."""
    from shipstation_mcp.api.client import ShipStationClient
    from shipstation_mcp.lookups import bulk
    from shipstation_mcp.state.cache import ResponseCache
    from shipstation_mcp.state.limiter import RateLimiter, headroom_for
    from tests.support.round_trips import Rounds, RoundTrips, run_on

    timeline = Rounds()
    transport = RoundTrips(fake.handle, timeline, per_minute=per_minute)
    limiter = RateLimiter(200, headroom=headroom_for(200), clock=timeline.clock)
    settings = fake.settings(rate_limit=200)

    async def work() -> list[object]:
        async with ShipStationClient(
            settings, transport=transport, sleep=timeline.sleep, limiter=limiter, cache=ResponseCache()
        ) as client:
            size = len(packages) // calls
            return [
                await bulk.track_packages(client, packages[i * size : (i + 1) * size], now=NOW) for i in range(calls)
            ]

    results = run_on(timeline, work())
    return results, timeline.now, transport, limiter


def test_a_hundred_label_ids_take_one_round_trip() -> None:
    fake = v2_account(100)
    results, trips, transport, limiter = _bulk_round_trips(fake, [f"se-{i}" for i in range(100)])
    assert results[0].counts == {"in_transit": 100}
    assert trips == 1.0 and len(transport.sent) == 100 and limiter.delayed == 0  # a fixed 10 in flight took 10


def test_a_hundred_v2_numbers_over_three_label_pages_take_three_round_trips() -> None:
    fake = v2_account(300)  # the numbers asked are spread over the three newest pages of the listing
    wanted = [ups(i) for i in range(0, 300, 3)]
    results, trips, transport, _ = _bulk_round_trips(fake, wanted)
    assert results[0].counts == {"in_transit": 100}
    # The first page, then pages 2 and 3 together, then the hundred track calls together (was 3 + 10).
    assert trips == 3.0
    assert sum(1 for _, what in transport.sent if what == "GET /v2/labels") == 3


def test_three_hundred_label_ids_keep_to_the_rolling_minute_without_a_429() -> None:
    fake = v2_account(300)
    results, seconds, transport, _ = _bulk_round_trips(fake, [f"se-{i}" for i in range(300)], calls=3, per_minute=200)
    assert [r.counts for r in results] == [{"in_transit": 100}] * 3
    assert transport.refused == 0
    # 190 at once (200 less the 5 % headroom), the rest as the first slots leave the minute: the limit's own
    # minimum is 60 s for 300 requests at 200 a minute.
    assert 60.0 < seconds <= 1.1 * 60.0
