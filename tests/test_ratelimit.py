"""The process-wide rate limiter: burst, pace, the 60-second guard, 429 feedback, one per key, settings."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shipstation_mcp.client import ShipStationClient
from shipstation_mcp.config import ConfigError, Settings, load_settings
from shipstation_mcp.ratelimit import MAX_PAUSE, RateLimiter, shared_limiter
from tests.fake_shipstation import VirtualTime


def test_a_full_bucket_goes_at_once_then_one_every_interval() -> None:
    clock = VirtualTime()
    limiter = RateLimiter(200, clock=clock.clock)
    sends = [limiter._reserve(skip_pause=False) for _ in range(53)]
    assert limiter.burst == 50
    assert sends[:50] == pytest.approx([0.0] * 50)
    assert sends[50:] == pytest.approx([0.3, 0.6, 0.9])


def test_sandbox_keys_get_twenty_a_minute() -> None:
    assert Settings(api_key="TEST_abc").requests_per_minute == 20
    assert Settings(api_key="live").requests_per_minute == 200
    assert Settings(api_key="TEST_abc", rate_limit=50).requests_per_minute == 50
    limiter = shared_limiter(Settings(api_key="TEST_abc"))
    assert limiter is not None and limiter.burst == 5
    assert limiter.time_for(100) == pytest.approx(285.0)  # 95 more at one per 3 s


@given(
    rate=st.integers(1, 300),
    burst=st.integers(1, 300),
    gaps=st.lists(st.floats(0, 5, allow_nan=False), min_size=1, max_size=600),
)
def test_no_sixty_second_window_ever_holds_more_than_the_limit(rate: int, burst: int, gaps: list[float]) -> None:
    now = [0.0]
    limiter = RateLimiter(rate, burst=burst, clock=lambda: now[0])
    sends = []
    for gap in gaps:
        now[0] += gap
        send = limiter._reserve(skip_pause=False)
        assert send >= now[0] - 1e-9  # never in the past
        sends.append(send)
    assert sends == sorted(sends)  # first come, first served
    for i, start in enumerate(sends):
        in_window = sum(1 for s in sends[i:] if s < start + 60 - 1e-9)
        assert in_window <= rate


def test_same_key_and_host_share_one_limiter_across_clients() -> None:
    a = ShipStationClient(Settings(api_key="key-one"))
    b = ShipStationClient(Settings(api_key="key-one"))
    other_key = ShipStationClient(Settings(api_key="key-two"))
    other_host = ShipStationClient(Settings(api_key="key-one", api="shipengine"))
    demo = ShipStationClient(Settings(api_key="demo", demo=True))
    assert a.limiter is b.limiter
    assert a.limiter is not other_key.limiter
    assert a.limiter is not other_host.limiter
    assert demo.limiter is None
    assert "key-one" not in repr(a.limiter)


@pytest.mark.anyio
async def test_a_429_pauses_every_caller_until_retry_after_and_drains_the_bucket() -> None:
    clock = VirtualTime()
    limiter = RateLimiter(200, clock=clock.clock)
    await limiter.acquire(clock.sleep)
    limiter.penalize(5.0)
    assert limiter.paused_for == pytest.approx(5.0)
    waited = [await limiter.acquire(clock.sleep) for _ in range(3)]
    assert waited[0] == pytest.approx(5.0)
    assert waited[1:] == pytest.approx([0.3, 0.3])  # bucket empty after the pause: one per interval
    # The request that got the 429 and slept out Retry-After itself does not wait the pause twice.
    limiter.penalize(5.0)
    assert await limiter.acquire(clock.sleep, skip_pause=True) < 1.0


@pytest.mark.anyio
async def test_a_pause_longer_than_we_wait_is_capped_so_it_never_locks_the_process_out() -> None:
    clock = VirtualTime()
    limiter = RateLimiter(200, clock=clock.clock)
    limiter.penalize(99_999)
    assert limiter.paused_for == pytest.approx(MAX_PAUSE)
    await limiter.acquire(clock.sleep)
    assert clock.now <= MAX_PAUSE + 1


@pytest.mark.anyio
async def test_client_feeds_429s_back_so_concurrent_requests_wait() -> None:
    clock = VirtualTime()
    limiter = RateLimiter(200, clock=clock.clock)
    calls: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(clock.now)
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "7"}, json={"errors": [{"message": "slow down"}]})
        return httpx.Response(200, json={"carriers": []})

    settings = Settings(api_key="k-429", max_retries=2)
    async with ShipStationClient(
        settings, transport=httpx.MockTransport(handler), sleep=clock.sleep, limiter=limiter, cache=None
    ) as client:
        first = asyncio.create_task(client.list_carriers())
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        second = asyncio.create_task(client.list_carriers())
        await asyncio.gather(first, second)
    assert limiter.penalties == 1
    assert calls[0] == 0.0
    assert min(calls[1:]) >= 7.0  # nobody went before Retry-After was over


def test_rate_limit_and_cache_ttl_settings() -> None:
    assert load_settings({"SHIPSTATION_API_KEY": "k"}).rate_limit is None
    assert load_settings({"SHIPSTATION_API_KEY": "k", "SHIPSTATION_RATE_LIMIT": "60"}).requests_per_minute == 60
    assert load_settings({"SHIPSTATION_API_KEY": "k", "SHIPSTATION_CACHE_TTL": "0"}).cache_ttl == 0
    assert load_settings({"SHIPSTATION_API_KEY": "k"}).cache_ttl == 300
    for name, value in [
        ("SHIPSTATION_RATE_LIMIT", "0"),
        ("SHIPSTATION_RATE_LIMIT", "fast"),
        ("SHIPSTATION_RATE_LIMIT", "1e9"),
        ("SHIPSTATION_CACHE_TTL", "-1"),
        ("SHIPSTATION_CACHE_TTL", "forever"),
        ("SHIPSTATION_CACHE_TTL", "1e9"),
    ]:
        with pytest.raises(ConfigError, match=name):
            load_settings({"SHIPSTATION_API_KEY": "k", name: value})


def test_times_at_the_edge_of_the_calendar_are_clamped_not_crashed() -> None:
    from datetime import datetime, timedelta, timezone

    from shipstation_mcp.client import utc_text

    east = timezone(timedelta(hours=14))
    west = timezone(timedelta(hours=-12))
    assert utc_text(datetime(1, 1, 1, tzinfo=east)) == "0001-01-01T00:00:00Z"
    assert utc_text(datetime(9999, 12, 31, 23, 59, 59, tzinfo=west)) == "9999-12-31T23:59:59.999999Z"
    assert utc_text(datetime(2026, 5, 20, 14, 0, tzinfo=timezone(timedelta(hours=2)))) == "2026-05-20T12:00:00Z"
