"""The shared rate budget in a real Redis: several limiters (each with its own connection, as separate processes
have) draw from one allowance with the in-process limiter's policy, a 429 seen by one pauses all, nobody starves,
the API key never reaches Redis, and an outage fails fast and heals by itself."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import anyio
import pytest
import redis.asyncio as aioredis

from shipstation_mcp.config import Settings
from shipstation_mcp.errors import RateLimitedError, SharedStateUnavailable
from shipstation_mcp.state.backends import shared_state
from shipstation_mcp.state.limiter import RateLimiter, limiter_key
from shipstation_mcp.state.redis_limiter import RedisRateLimiter
from tests.state.servers import RedisServer

pytestmark = pytest.mark.anyio

WINDOW = 2.0  # a short window keeps the tests fast; the policy scales with it
LIMIT = 20  # per window: one request per 0.1 s, burst 5


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_server.url)
    await client.flushdb()
    yield client
    await client.aclose()


async def limiters(redis_server: RedisServer, count: int, account: str = "acct") -> list[RedisRateLimiter]:
    return [
        RedisRateLimiter(
            aioredis.Redis.from_url(redis_server.url),
            account,
            LIMIT,
            window=WINDOW,
            guard_margin=0.05,
            where=redis_server.url,
        )
        for _ in range(count)
    ]


async def test_three_processes_share_one_budget_first_come_first_served(
    redis: aioredis.Redis, redis_server: RedisServer
) -> None:
    group = await limiters(redis_server, 3)
    sends: list[tuple[int, float]] = []
    start = time.monotonic()

    async def one(index: int) -> None:
        await group[index % 3].acquire(anyio.sleep)
        sends.append((index, time.monotonic() - start))

    async with anyio.create_task_group() as tasks:
        for i in range(30):
            tasks.start_soon(one, i)
    times = sorted(t for _, t in sends)
    # Never more than LIMIT in any rolling window, across all three.
    assert all(times[i + LIMIT] - times[i] >= WINDOW for i in range(len(times) - LIMIT))
    # One bucket, not three: the burst is 5 in all, not 5 each.
    assert sum(1 for t in times if t < 0.05) <= 6
    # The whole takes what one limiter alone needs (no process's share is wasted), within 20%.
    alone = RateLimiter(LIMIT, window=WINDOW).time_for(30)
    assert alone * 0.9 <= times[-1] <= alone * 1.2 + 0.2
    # Each of the three got its turn throughout (none starved): each finished a third of the first half.
    first_half = [i % 3 for i, t in sends if t <= times[14]]
    assert all(first_half.count(p) >= 3 for p in range(3))


async def test_a_429_seen_by_one_process_pauses_the_others(redis: aioredis.Redis, redis_server: RedisServer) -> None:
    first, second = await limiters(redis_server, 2)
    await first.penalize(1.0)
    started = time.monotonic()
    waited = await second.acquire(anyio.sleep)
    assert waited >= 0.95 and time.monotonic() - started >= 0.95


async def test_a_pause_ordered_while_waiting_is_honoured(redis: aioredis.Redis, redis_server: RedisServer) -> None:
    first, second = await limiters(redis_server, 2)
    for _ in range(5):  # empty the bucket: the next request waits a little
        await first.acquire(anyio.sleep)

    async def penalize_soon() -> None:
        await anyio.sleep(0.02)
        await first.penalize(0.8)

    started = time.monotonic()
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(penalize_soon)
        await second.acquire(anyio.sleep)
    assert time.monotonic() - started >= 0.75


async def test_a_pause_longer_than_we_wait_fails_at_once(redis: aioredis.Redis, redis_server: RedisServer) -> None:
    first, second = await limiters(redis_server, 2)
    await first.penalize(600)
    with pytest.raises(RateLimitedError) as caught:
        await second.acquire(anyio.sleep)
    assert caught.value.retry_after is not None and caught.value.retry_after > 500


async def test_the_api_key_never_reaches_redis(redis: aioredis.Redis, redis_server: RedisServer) -> None:
    settings = Settings(api_key="SECRET-KEY-1234567890", redis_url=redis_server.url)
    async with shared_state(settings) as shared:
        assert isinstance(shared.limiter, RedisRateLimiter)
        await shared.limiter.acquire(anyio.sleep)
        await shared.limiter.penalize(0.01)
    keys = [k.decode() for k in await redis.keys("*")]
    assert keys and all(limiter_key(settings) in k for k in keys)
    for key in keys:
        assert "SECRET-KEY" not in key
        assert b"SECRET-KEY" not in (await redis.dump(key) or b"")


async def test_other_accounts_have_their_own_budget(redis: aioredis.Redis, redis_server: RedisServer) -> None:
    (mine,) = await limiters(redis_server, 1, account="a")
    (theirs,) = await limiters(redis_server, 1, account="b")
    await mine.penalize(5)
    assert await theirs.acquire(anyio.sleep) == 0


async def test_redis_outage_fails_fast_then_heals_without_a_restart(redis_server: RedisServer) -> None:
    (limiter,) = await limiters(redis_server, 1, account="outage")
    await limiter.acquire(anyio.sleep)
    redis_server.stop()
    try:
        started = time.monotonic()
        with pytest.raises(SharedStateUnavailable) as caught:
            await limiter.acquire(anyio.sleep)
        assert time.monotonic() - started < 3
        message = str(caught.value)
        assert f"127.0.0.1:{redis_server.port}" in message and "nothing was sent to ShipStation" in message
    finally:
        redis_server.start_again()
    assert await limiter.acquire(anyio.sleep) >= 0  # the same object works again
