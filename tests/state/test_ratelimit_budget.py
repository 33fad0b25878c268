"""The limiter spends the API's real budget: whole-minute bursts, the server's headers, in-flight slots, settings."""

from __future__ import annotations

import asyncio
from collections import deque

import httpx
import pytest

from shipstation_mcp.api.client import ShipStationClient
from shipstation_mcp.config import ConfigError, load_settings
from shipstation_mcp.state.limiter import RateLimiter, shared_limiter
from tests.support.fake_shipstation import Timeline, VirtualTime

pytestmark = pytest.mark.anyio


def run_bulk(timeline: Timeline, limiter: RateLimiter, *, calls: int, per_call: int, latency: float, workers: int):
    """`calls` bulk calls back to back, `workers` requests in flight each, against a server that admits at most 200
    requests in any rolling 60 s (counted on arrival, half-way through the round trip). Returns (429s, finish)."""
    arrivals: deque[float] = deque()
    refused = 0

    async def request() -> None:
        nonlocal refused
        permit = await limiter.acquire(timeline.sleep)
        await timeline.sleep(latency / 2)
        now = timeline.now
        while arrivals and arrivals[0] <= now - 60:
            arrivals.popleft()
        if len(arrivals) >= 200:
            refused += 1
        else:
            arrivals.append(now)
        await timeline.sleep(latency / 2)
        limiter.release(permit)

    async def bulk_call() -> None:
        gate = asyncio.Semaphore(workers)

        async def one() -> None:
            async with gate:
                await request()

        await asyncio.gather(*(one() for _ in range(per_call)))

    async def back_to_back() -> None:
        for _ in range(calls):
            await bulk_call()

    asyncio.run(timeline.run([back_to_back()]))
    return refused, timeline.now


def test_a_hundred_packages_go_at_the_speed_of_the_round_trips() -> None:
    timeline = Timeline()
    limiter = RateLimiter(200, headroom=10, clock=timeline.clock)
    refused, finish = run_bulk(timeline, limiter, calls=1, per_call=100, latency=0.1, workers=10)
    assert refused == 0
    assert finish == pytest.approx(1.0)  # 100 × 100 ms / 10 in flight: the physical floor, no waiting
    assert limiter.delayed == 0


def test_three_hundred_packages_in_three_calls_keep_to_the_rolling_minute() -> None:
    timeline = Timeline()
    limiter = RateLimiter(200, headroom=10, clock=timeline.clock)
    refused, finish = run_bulk(timeline, limiter, calls=3, per_call=100, latency=0.1, workers=10)
    assert refused == 0
    # The 201st request cannot go before the first has left the server's window: 60 s is the API's own minimum.
    assert 60.0 < finish <= 1.2 * 60.0


async def test_remaining_and_reset_headers_cap_what_is_sent_until_the_reset() -> None:
    clock = VirtualTime()
    limiter = RateLimiter(200, clock=clock.clock)
    first = await limiter.acquire(clock.sleep)
    limiter.observe({"x-rate-limit-remaining": "2", "x-rate-limit-reset": "12"}, first)
    limiter.release(first)
    waits = [(await limiter.acquire(clock.sleep)).waited for _ in range(3)]
    assert waits == pytest.approx([0.0, 0.0, 12.0])  # two left in the server's window, then wait for its reset


async def test_remaining_counts_requests_sent_after_the_answer_left_the_server() -> None:
    clock = VirtualTime()
    limiter = RateLimiter(200, clock=clock.clock)
    first = await limiter.acquire(clock.sleep)
    for _ in range(3):
        await limiter.acquire(clock.sleep)  # in flight when the first answer arrives: not in its count
    limiter.observe(httpx.Headers({"X-Rate-Limit-Remaining": "3", "X-Rate-Limit-Reset": "5"}), first)
    assert (await limiter.acquire(clock.sleep)).waited == pytest.approx(5.0)


async def test_a_lower_limit_header_lowers_the_budget_and_nonsense_headers_are_ignored() -> None:
    clock = VirtualTime()
    limiter = RateLimiter(200, headroom=10, clock=clock.clock)
    permit = await limiter.acquire(clock.sleep)
    limiter.observe({"x-rate-limit-limit": "40"}, permit)
    assert limiter.budget == 30
    limiter.observe({"x-rate-limit-limit": "500", "x-rate-limit-remaining": "lots", "x-rate-limit-reset": "-3"}, permit)
    assert limiter.budget == 190  # never above our own setting


async def test_when_every_slot_is_in_flight_the_next_request_waits_for_an_answer_then_the_window() -> None:
    timeline = Timeline()
    limiter = RateLimiter(3, clock=timeline.clock)
    sends: list[float] = []

    async def request(latency: float) -> None:
        permit = await limiter.acquire(timeline.sleep)
        sends.append(timeline.now)
        await timeline.sleep(latency)
        limiter.release(permit)

    await timeline.run([request(2.0), request(3.0), request(4.0), request(0.0)])
    assert sends == pytest.approx([0.0, 0.0, 0.0, 62.0])  # the first answer came at 2 s


async def test_a_cancelled_request_gives_its_slot_back_counted_from_the_cancellation() -> None:
    clock = VirtualTime()
    limiter = RateLimiter(1, clock=clock.clock)
    holder = await limiter.acquire(clock.sleep)
    waiter = asyncio.ensure_future(limiter.acquire(clock.sleep))
    await asyncio.sleep(0)
    waiter.cancel()  # gave up while waiting for the only slot
    with pytest.raises(asyncio.CancelledError):
        await waiter
    clock.now = 1.0
    limiter.release(holder)
    assert limiter.in_flight == 0
    assert (await limiter.acquire(clock.sleep)).waited == pytest.approx(60.0)


async def test_the_client_holds_the_slot_until_the_answer_and_reads_the_headers() -> None:
    clock = VirtualTime()
    limiter = RateLimiter(200, clock=clock.clock)
    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(limiter.in_flight)
        headers = {"X-Rate-Limit-Limit": "200", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "9"}
        return httpx.Response(200, json={"carriers": []}, headers=headers)

    settings = load_settings({"SHIPSTATION_API_KEY": "k-headers"})
    async with ShipStationClient(
        settings, transport=httpx.MockTransport(handler), sleep=clock.sleep, limiter=limiter, cache=None
    ) as client:
        await client.list_carriers()
        await client.list_carriers()
    assert seen == [1, 1]  # counted while in flight
    assert limiter.in_flight == 0
    assert clock.now == pytest.approx(9.0)  # "0 remaining, reset in 9 s": the second call waited for the reset


def test_headroom_and_concurrency_settings() -> None:
    base = {"SHIPSTATION_API_KEY": "k"}
    default = load_settings(base)
    assert (default.rate_headroom, default.concurrency) == (5.0, None)  # None: as many as the budget admits
    tuned = load_settings({**base, "SHIPSTATION_RATE_HEADROOM": "20%", "SHIPSTATION_CONCURRENCY": "25"})
    assert (tuned.rate_headroom, tuned.concurrency) == (20.0, 25)
    limiter = shared_limiter(tuned)
    assert limiter is not None and limiter.budget == 160
    assert shared_limiter(load_settings({**base, "SHIPSTATION_RATE_HEADROOM": "0"})).budget == 200  # type: ignore[union-attr]
    for name, value in [
        ("SHIPSTATION_RATE_HEADROOM", "-1"),
        ("SHIPSTATION_RATE_HEADROOM", "95"),
        ("SHIPSTATION_RATE_HEADROOM", "some"),
        ("SHIPSTATION_CONCURRENCY", "0"),
        ("SHIPSTATION_CONCURRENCY", "101"),
        ("SHIPSTATION_CONCURRENCY", "many"),
    ]:
        with pytest.raises(ConfigError, match=name) as caught:
            load_settings({**base, name: value})
        assert "\n" not in str(caught.value)
