"""The process-wide rate limiter: budget, the exact 60-second window, 429 feedback, one per key, settings."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shipstation_mcp.api.client import ShipStationClient
from shipstation_mcp.config import ConfigError, Settings, load_settings
from shipstation_mcp.state.limiter import MAX_PAUSE, RateLimiter, headroom_for, shared_limiter
from tests.support.fake_shipstation import Timeline, VirtualTime


@pytest.mark.anyio
async def test_a_bulk_call_may_send_the_whole_budget_at_once_and_the_next_waits_for_the_window() -> None:
    clock = VirtualTime()
    limiter = RateLimiter(200, headroom=10, clock=clock.clock)
    permits = [await limiter.acquire(clock.sleep) for _ in range(190)]
    assert clock.now == 0.0 and limiter.delayed == 0  # the API admits all of them at once: nobody waits
    clock.now = 0.25  # the first answer arrives
    limiter.release(permits[0])
    extra = await limiter.acquire(clock.sleep)
    # The server counted the first request at some moment up to 0.25 s: a full window after that, not before.
    assert extra.waited == pytest.approx(60.0)
    assert clock.now == pytest.approx(60.25)


def test_sandbox_keys_get_twenty_a_minute_less_the_headroom() -> None:
    assert Settings(api_key="TEST_abc").requests_per_minute == 20
    assert Settings(api_key="live").requests_per_minute == 200
    assert Settings(api_key="TEST_abc", rate_limit=50).requests_per_minute == 50
    sandbox = shared_limiter(Settings(api_key="TEST_abc"))
    live = shared_limiter(Settings(api_key="live"))
    assert sandbox is not None and sandbox.budget == 19  # 5 % headroom, rounded up: 1 of 20
    assert live is not None and live.budget == 190
    assert headroom_for(200, 0) == 0 and headroom_for(1, 50) == 0  # a budget is never below one request


@given(
    rate=st.integers(1, 300),
    headroom=st.integers(0, 50),
    requests=st.lists(
        st.tuples(st.floats(0, 5, allow_nan=False), st.floats(0, 3, allow_nan=False)), min_size=1, max_size=400
    ),
)
def test_no_window_the_server_could_count_ever_holds_more_than_the_budget(
    rate: int, headroom: int, requests: list[tuple[float, float]]
) -> None:
    """Requests arrive (gap, latency); the server counts each at some moment between its send and its answer.
    Whatever those moments are, no 60-second window may hold more than the budget."""
    timeline = Timeline()
    limiter = RateLimiter(rate, headroom=headroom, clock=timeline.clock)
    spans: list[tuple[float, float]] = []

    async def one(start: float, latency: float) -> None:
        await timeline.sleep_until(start)
        permit = await limiter.acquire(timeline.sleep)
        sent = timeline.now
        await timeline.sleep(latency)
        limiter.release(permit)
        spans.append((sent, timeline.now))

    async def scenario() -> None:
        starts, moment = [], 0.0
        for gap, _ in requests:
            moment += gap
            starts.append(moment)
        await timeline.run([one(start, latency) for start, (_, latency) in zip(starts, requests, strict=True)])

    asyncio.run(scenario())
    assert len(spans) == len(requests)
    # A set of requests fits in one window iff its latest send is < 60 s after its earliest answer.
    for _, done in spans:
        together = sum(1 for sent, finished in spans if finished >= done and sent < done + 60 - 1e-9)
        assert together <= limiter.budget


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
async def test_a_429_pauses_every_caller_until_retry_after_then_paces() -> None:
    clock = VirtualTime()
    limiter = RateLimiter(200, clock=clock.clock)
    await limiter.acquire(clock.sleep)
    limiter.penalize(5.0)
    assert limiter.paused_for == pytest.approx(5.0)
    waited = [(await limiter.acquire(clock.sleep)).waited for _ in range(3)]
    assert waited[0] == pytest.approx(5.0)
    assert waited[1:] == pytest.approx([0.3, 0.3])  # a shared key after a 429: one per interval for a minute
    # The request that got the 429 and slept out Retry-After itself does not wait the pause twice.
    limiter.penalize(5.0)
    assert (await limiter.acquire(clock.sleep, skip_pause=True)).waited < 1.0


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
        async with asyncio.timeout(5):
            # Until the first request has had its 429: a condition, not a count of event-loop turns.
            while limiter.penalties == 0:  # noqa: ASYNC110 (the limiter's own state; it has no event to wait on)
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

    from shipstation_mcp.times import utc_text

    east = timezone(timedelta(hours=14))
    west = timezone(timedelta(hours=-12))
    assert utc_text(datetime(1, 1, 1, tzinfo=east)) == "0001-01-01T00:00:00Z"
    assert utc_text(datetime(9999, 12, 31, 23, 59, 59, tzinfo=west)) == "9999-12-31T23:59:59.999999Z"
    assert utc_text(datetime(2026, 5, 20, 14, 0, tzinfo=timezone(timedelta(hours=2)))) == "2026-05-20T12:00:00Z"


@pytest.mark.anyio
async def test_what_the_budget_admits_now() -> None:
    clock = [0.0]

    async def no_sleep(seconds: float) -> None:
        clock[0] += seconds

    limiter = RateLimiter(20, headroom=2, clock=lambda: clock[0])
    assert limiter.admits_now() == 18
    permits = [await limiter.acquire(no_sleep) for _ in range(5)]
    assert limiter.admits_now() == 13
    limiter.release(permits[0])
    assert limiter.admits_now() == 13  # answered, but its slot is held for a window after the answer
    clock[0] += 61
    assert limiter.admits_now() == 14
    limiter.penalize(10)
    assert limiter.admits_now() == 0
