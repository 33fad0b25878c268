"""track_packages: many packages in one call, concurrent under the rate limiter, per-item answers, progress."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from mcp import Client

from shipstation_mcp.api.client import ShipStationClient
from shipstation_mcp.lookups import bulk
from shipstation_mcp.state.cache import ResponseCache
from shipstation_mcp.state.limiter import RateLimiter
from shipstation_mcp.tools.server import create_server
from tests.support.fake_shipstation import NOW, FakeShipStation, VirtualTime, event, hours_ago, tracking

pytestmark = pytest.mark.anyio


def ups(i: int) -> str:
    return f"1Z999AA1{i:010d}"


def shipengine_account(statuses: list[str]) -> FakeShipStation:
    """ShipEngine account where UPS number i has status statuses[i] ("404" = carrier knows nothing)."""
    fake = FakeShipStation(api="shipengine", host="https://api.shipengine.com")
    for i, status in enumerate(statuses):
        if status == "404":
            continue
        extra: dict[str, Any] = {}
        if status == "EX":
            extra = {"detail": "ADDRESS_QUERY", "exception": "Address incomplete"}
        fake.number_tracking[("ups", ups(i))] = tracking(
            ups(i), status, events=[event(hours_ago(3), "Scanned", status)], **extra
        )
    return fake


async def test_rollup_per_item_results_and_errors_through_mcp() -> None:
    statuses = ["DE"] * 6 + ["IT"] * 3 + ["EX"] * 2 + ["AT"] + ["404"] * 2
    fake = shipengine_account(statuses)
    packages: list[Any] = [ups(i) for i in range(len(statuses))]
    packages += [{"label_id": "se-1", "tracking_number": ups(0)}, {"tracking_number": "not a number!"}]
    server = create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)
    async with Client(server) as client:
        result = await client.call_tool("track_packages", {"packages": packages})

    assert not result.is_error
    data = result.structured_content
    assert data["headline"] == (
        "16 packages: 6 delivered, 3 in transit, 1 delivery attempt, 2 exceptions, 2 not found, 2 invalid "
        "— 3 need attention"
    )
    assert data["counts"] == {
        "delivered": 6,
        "in_transit": 3,
        "delivery_attempt": 1,
        "exception": 2,
        "not_found": 2,
        "invalid": 2,
    }
    rows = data["results"]
    assert [r["index"] for r in rows] == list(range(16))  # request order, whatever finished first
    assert rows[9]["outcome"] == "exception" and "Address incomplete" in rows[9]["headline"]
    assert data["needs_attention"] == [9, 10, 11]
    assert rows[12]["outcome"] == "not_found" and "carrier_code" in rows[12]["error"]
    assert "one of them" in rows[14]["error"]
    assert "letters and digits" in rows[15]["error"]
    assert "headline" not in rows[15]
    text = result.content[0].text
    assert text.splitlines()[0] == data["headline"]
    assert f"[11] {ups(11)}: Delivery attempted" in text
    assert fake.off_prefix == []


async def test_progress_is_reported_as_items_finish() -> None:
    fake = shipengine_account(["DE", "IT", "404", "DE"])
    server = create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    async with Client(server) as client:
        await client.call_tool(
            "track_packages", {"packages": [ups(i) for i in range(4)]}, progress_callback=on_progress
        )

    assert [p for p, _, _ in seen] == [1, 2, 3, 4]
    assert {t for _, t, _ in seen} == {4}
    assert {m.split(":")[0] for _, _, m in seen if m} == {ups(i) for i in range(4)}


async def test_rejected_key_fails_the_call_once_instead_of_per_item() -> None:
    fake = shipengine_account(["DE"] * 5)
    transport = fake.transport()

    def unauthorized(request: Any) -> Any:
        import httpx

        return httpx.Response(401, json={"errors": [{"message": "Invalid API key"}]})

    transport.handler = unauthorized  # type: ignore[attr-defined]
    server = create_server(fake.settings(), transport=transport, clock=lambda: NOW)
    async with Client(server) as client:
        result = await client.call_tool("track_packages", {"packages": [ups(i) for i in range(5)]})
    assert result.is_error
    assert "rejected the API key" in result.content[0].text


async def test_warm_cache_sends_no_request_and_says_how_old_refresh_asks_again() -> None:
    fake = shipengine_account(["DE", "IT", "IT"])
    server = create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)
    numbers = [ups(i) for i in range(3)]
    async with Client(server) as client:
        cold = await client.call_tool("track_packages", {"packages": numbers})
        sent = len(fake.requests)
        warm = await client.call_tool("track_packages", {"packages": numbers})
        after_warm = len(fake.requests)
        fresh = await client.call_tool("track_packages", {"packages": numbers, "refresh": True})

    assert sent == 3
    assert after_warm == sent, "a warm cache must send no request"
    assert len(fake.requests) == sent + 3
    assert "data_age_seconds" not in cold.structured_content
    assert all("data_age_seconds" not in r for r in cold.structured_content["results"])
    assert warm.structured_content["data_age_seconds"] >= 0
    assert all(r["data_age_seconds"] >= 0 for r in warm.structured_content["results"])
    assert "From the cache" in warm.content[0].text
    assert "data_age_seconds" not in fresh.structured_content


async def test_identical_items_share_one_request() -> None:
    fake = shipengine_account(["IT"])
    server = create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)
    async with Client(server) as client:
        result = await client.call_tool("track_packages", {"packages": [ups(0)] * 20})
    data = result.structured_content
    assert data["counts"] == {"in_transit": 1, "duplicate": 19}  # one package, asked for 20 times
    assert data["headline"] == "1 package: 1 in transit (19 duplicates answered once)"
    assert {r["duplicate_of"] for r in data["results"][1:]} == {0} and "duplicate_of" not in data["results"][0]
    assert len(fake.requests) == 1


async def test_hundred_packages_run_concurrently_at_the_pace_the_limiter_allows() -> None:
    """100 known-carrier numbers on ShipEngine = 100 requests. At 200/minute the API admits all of them at once, so
    the limiter lets every one go without waiting, all of them in flight at once (the budget admits 190)."""
    fake = shipengine_account(["DE"] * 61 + ["IT"] * 12 + ["EX"] * 4 + ["AT"] * 20 + ["404"] * 3)
    time = VirtualTime()
    limiter = RateLimiter(200, clock=time.clock)
    in_flight = peak = 0
    inner = fake.transport()

    class Counting(type(inner)):  # type: ignore[misc]
        async def handle_async_request(self, request: Any) -> Any:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0)
            try:
                return await inner.handle_async_request(request)
            finally:
                in_flight -= 1

    settings = fake.settings(rate_limit=200)
    async with ShipStationClient(
        settings, transport=Counting(fake.handle), sleep=time.sleep, limiter=limiter, cache=ResponseCache()
    ) as client:
        result = await bulk.track_packages(client, [ups(i) for i in range(100)], now=NOW)

    assert result.headline.startswith(
        "100 packages: 61 delivered, 12 in transit, 20 delivery attempts, 4 exceptions, 3 not found"
    )
    # 3 unknown numbers fall back to the label search and the carrier list: 100 + 3 + 1 (carriers shared)
    assert len(fake.requests) == 104
    assert time.now == 0.0 and limiter.delayed == 0
    assert settings.concurrency is None and peak == 100  # a fixed 10 in flight took ten round trips


async def test_more_than_a_hundred_is_refused_before_any_request() -> None:
    fake = shipengine_account(["DE"])
    server = create_server(fake.settings(), transport=fake.transport())
    async with Client(server) as client:
        result = await client.call_tool("track_packages", {"packages": [ups(0)] * 101})
        empty = await client.call_tool("track_packages", {"packages": []})
    assert result.is_error and "packages" in result.content[0].text
    assert empty.is_error
    assert fake.requests == []


async def test_label_ids_are_tracked_on_v2() -> None:
    fake = FakeShipStation()
    fake.add_label(
        "se-100", ups(1), created=hours_ago(30), info=tracking(ups(1), "DE", events=[event(hours_ago(2), "Done", "DE")])
    )
    fake.add_label("se-101", ups(2), created=hours_ago(30), info=tracking(ups(2), "IT"))
    server = create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)
    async with Client(server) as client:
        result = await client.call_tool(
            "track_packages", {"packages": [{"label_id": "se-100"}, {"label_id": "se-101"}, {"label_id": "se-404"}]}
        )
    rows = result.structured_content["results"]
    assert [r["outcome"] for r in rows] == ["delivered", "in_transit", "not_found"]
    assert rows[0]["label_id"] == "se-100"
    assert "se-404" in rows[2]["error"]
