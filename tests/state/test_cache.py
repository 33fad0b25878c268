"""The response cache: lifetimes by content, LRU bound, single-flight, refresh, and the age shown to the assistant."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from mcp import Client

from shipstation_mcp.answers.base import compact_json
from shipstation_mcp.answers.tracking import summarize_tracking
from shipstation_mcp.api.client import SHIPMENT_TTL, TERMINAL_TTL, ShipStationClient
from shipstation_mcp.api.models import TrackingInfo
from shipstation_mcp.config import Settings
from shipstation_mcp.state.cache import ResponseCache, reading
from shipstation_mcp.tools.server import create_server
from tests.fixtures import load_json
from tests.support.fake_shipstation import NOW, FakeShipStation, event, hours_ago, tracking

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def account() -> FakeShipStation:
    fake = FakeShipStation(api="shipengine", host="https://api.shipengine.com")
    fake.number_tracking[("ups", "1ZDELIVERED")] = tracking("1ZDELIVERED", "DE")
    fake.number_tracking[("ups", "1ZCOLLECT")] = tracking("1ZCOLLECT", "SP")
    fake.number_tracking[("ups", "1ZMOVING")] = tracking("1ZMOVING", "IT")
    fake.shipments["se-1"] = {"shipment_id": "se-1", "shipment_status": "label_purchased"}
    fake.add_label("se-live", "1ZMOVING", created=hours_ago(5))
    fake.add_label("se-void", "1ZVOID", created=hours_ago(5), voided=True)
    return fake


def client_for(fake: FakeShipStation, clock: Clock, **settings: Any) -> ShipStationClient:
    return ShipStationClient(
        fake.settings(**settings), transport=fake.transport(), cache=ResponseCache(clock=clock), limiter=None
    )


async def test_lifetimes_follow_the_answer() -> None:
    fake, clock = account(), Clock()
    async with client_for(fake, clock) as client:

        async def requests_after(seconds: float) -> int:
            clock.now += seconds
            before = len(fake.requests)
            await client.track("ups", "1ZDELIVERED")
            await client.track("ups", "1ZCOLLECT")
            await client.track("ups", "1ZMOVING")
            await client.get_shipment("se-1")
            await client.get_label("se-live")
            await client.get_label("se-void")
            return len(fake.requests) - before

        assert await requests_after(0) == 6
        assert await requests_after(SHIPMENT_TTL - 1) == 0  # everything still fresh
        assert await requests_after(2) == 2  # shipment and live label expire after 60 s
        assert await requests_after(300 - SHIPMENT_TTL) == 3  # moving package: 300 s (and the 60 s ones again)
        assert await requests_after(TERMINAL_TTL - 300) == 6  # delivered, at a service point, voided: 24 h


async def test_cache_ttl_setting_changes_in_transit_lifetime_and_zero_turns_it_off() -> None:
    fake, clock = account(), Clock()
    async with client_for(fake, clock, cache_ttl=30) as client:
        await client.track("ups", "1ZMOVING")
        clock.now += 29
        await client.track("ups", "1ZMOVING")
        assert len(fake.requests) == 1
        clock.now += 2
        await client.track("ups", "1ZMOVING")
        assert len(fake.requests) == 2
    fake = account()
    async with client_for(fake, clock, cache_ttl=0) as client:
        await client.track("ups", "1ZDELIVERED")
        await client.track("ups", "1ZDELIVERED")
        assert len(fake.requests) == 2


async def test_entries_are_bounded_least_recently_used_first() -> None:
    cache = ResponseCache(max_entries=3)
    loads: list[str] = []

    async def load(key: str) -> str:
        async def fetch() -> str:
            loads.append(key)
            return key.upper()

        return await cache.get(key, fetch, lambda _: 60)

    for key in ["a", "b", "c", "a", "d"]:  # "b" is the least recently used when "d" arrives
        await load(key)
    assert len(cache) == 3
    await load("a")
    await load("c")
    await load("b")
    assert loads == ["a", "b", "c", "d", "b"]


async def test_identical_requests_in_flight_share_one_call_errors_too() -> None:
    gate = asyncio.Event()
    sent: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        await gate.wait()
        if "404" in str(request.url):
            return httpx.Response(404, json={"errors": [{"message": "no such label"}]})
        if "500" in str(request.url):
            return httpx.Response(500, json={"errors": [{"message": "broken"}]})
        return httpx.Response(200, json={"label_id": "se-1"})

    settings = Settings(api_key="k-flight", max_retries=0)
    async with ShipStationClient(settings, transport=httpx.MockTransport(handler), limiter=None) as client:
        labels = ["se-1"] * 5 + ["se-404"] * 3 + ["se-500"] * 2
        tasks = [asyncio.create_task(client.get_label(i)) for i in labels]
        for _ in range(5):
            await asyncio.sleep(0)
        gate.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert len(sent) == 3
        assert all(r.label_id == "se-1" for r in results[:5])
        assert all(type(r).__name__ == "NotFoundError" for r in results[5:8])
        assert all(type(r).__name__ == "ServerError" for r in results[8:])
        again = await asyncio.gather(client.get_label("se-404"), client.get_label("se-500"), return_exceptions=True)
        assert [type(r).__name__ for r in again] == ["NotFoundError", "ServerError"]
        assert len(sent) == 4  # "not found" is kept for a minute; a server error is never stored


async def test_a_cancelled_fetch_lets_the_waiters_fetch_again() -> None:
    cache = ResponseCache()
    started = asyncio.Event()
    calls = 0

    async def slow() -> str:
        nonlocal calls
        calls += 1
        started.set()
        await asyncio.sleep(10 if calls == 1 else 0)
        return "value"

    leader = asyncio.create_task(cache.get("k", slow, lambda _: 60))
    await started.wait()
    follower = asyncio.create_task(cache.get("k", slow, lambda _: 60))
    await asyncio.sleep(0)
    leader.cancel()
    assert await follower == "value"
    assert calls == 2


async def test_refresh_bypasses_but_updates_and_age_is_reported() -> None:
    fake, clock = account(), Clock()
    async with client_for(fake, clock) as client:
        with reading(clock=clock) as first:
            await client.track("ups", "1ZMOVING")
        clock.now += 42
        with reading(clock=clock) as second:
            await client.track("ups", "1ZMOVING")
        with reading(refresh=True, clock=clock) as forced:
            await client.track("ups", "1ZMOVING")
        with reading(clock=clock) as after:
            await client.track("ups", "1ZMOVING")
    assert (first.age_seconds, second.age_seconds, forced.age_seconds, after.age_seconds) == (None, 42, None, 0)
    assert len(fake.requests) == 2


async def test_every_read_tool_takes_refresh_and_reports_data_age() -> None:
    fake = account()
    fake.api, fake.host = "v2", "https://api.shipstation.com"
    fake.add_label("se-2", "1ZTWO", created=hours_ago(5), info=tracking("1ZTWO", "IT"), shipment_id="se-1")
    fake.shipments["se-1"]["external_shipment_id"] = "ORDER-1"
    calls = {
        "get_shipment": {"shipment_id": "se-1"},
        "find_by_external_id": {"external_shipment_id": "ORDER-1"},
        "list_shipments": {},
        "find_by_tracking_number": {"tracking_number": "1ZTWO"},
        "track_label": {"label_id": "se-2"},
        "track_package": {"tracking_number": "1ZTWO"},
        "list_carriers": {},
        "track_packages": {"packages": ["1ZTWO"]},
        "shipments_needing_attention": {},
    }
    server = create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)
    async with Client(server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        for name, args in calls.items():
            assert tools[name].input_schema["properties"]["refresh"]["type"] == "boolean", name
            cold = await client.call_tool(name, {**args, "refresh": True})
            before = len(fake.requests)
            warm = await client.call_tool(name, args)
            assert not cold.is_error and not warm.is_error, (name, cold.content, warm.content)
            assert "data_age_seconds" not in cold.structured_content, name
            assert warm.structured_content["data_age_seconds"] == 0, name
            assert len(fake.requests) == before, f"{name} sent requests with a warm cache"
            assert "data_age_seconds" in tools[name].output_schema["properties"], name


def test_seed_003_summary_stays_under_a_third_of_the_raw_answer() -> None:
    raw = load_json("seeds/track_usps_delivered.json")
    summary = summarize_tracking(TrackingInfo.model_validate(raw), now=NOW)
    fresh = json.dumps(compact_json(summary))
    assert "data_age_seconds" not in fresh  # the age is only there when the cache answered
    assert len(fresh) < len(json.dumps(raw)) / 3
    summary.data_age_seconds = 86_399
    assert len(json.dumps(compact_json(summary))) - len(fresh) <= len(', "data_age_seconds": 86399')


async def test_tracking_summary_keeps_events_when_cached() -> None:
    fake, clock = account(), Clock()
    fake.number_tracking[("ups", "1ZMOVING")]["events"] = [event(hours_ago(1), "Departed")]
    async with client_for(fake, clock) as client:
        first = await client.track("ups", "1ZMOVING")
        first.events.clear()  # a caller mutating its model must not change what the cache holds
        second = await client.track("ups", "1ZMOVING")
    assert len(second.events) == 1


async def test_the_cache_is_bounded_in_bytes_and_serves_copies() -> None:
    cache = ResponseCache(max_entries=1000, max_bytes=10_000)
    page = {"labels": [{"label_id": f"se-{i}", "tracking_number": "1Z" + "9" * 16} for i in range(20)]}
    size = len(json.dumps(page, separators=(",", ":")))
    assert 900 < size < 1_500  # about a kilobyte a page

    async def fetch() -> dict[str, object]:
        return page

    for key in range(30):
        await cache.get(key, fetch, lambda _: 60)
    assert cache.bytes <= 10_000 and len(cache) == 10_000 // size  # the oldest went first
    served = await cache.get(29, fetch, lambda _: 60)
    assert served == page and served is not page  # each hit decodes its own copy: callers cannot share state
    huge = {"labels": ["x" * 3_000]}  # over a quarter of the bound: answered, never kept

    async def fetch_huge() -> dict[str, object]:
        return huge

    assert await cache.get("huge", fetch_huge, lambda _: 60) == huge and not cache.holds("huge")
