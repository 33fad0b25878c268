"""The shared rate budget in a real Redis: several limiters (each with its own connection, as separate processes
have) draw from one allowance with the in-process limiter's policy (the whole budget at once, a slot held from
send until one window after its answer, a 429 pausing all and then pacing one per interval), nobody starves, the
API key never reaches Redis, and an outage fails fast and heals by itself."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import anyio
import pytest
import redis.asyncio as aioredis

from shipstation_mcp.config import Settings
from shipstation_mcp.errors import RateLimitedError, SharedStateUnavailable
from shipstation_mcp.state.backends import shared_state
from shipstation_mcp.state.limiter import limiter_key
from shipstation_mcp.state.redis_limiter import RedisRateLimiter
from tests.state.servers import RedisServer

pytestmark = pytest.mark.anyio

WINDOW = 2.0  # a short window keeps the tests fast; the policy scales with it
LIMIT = 20  # per window: the whole budget at once, then one interval (0.1 s) apart after a 429
LATENCY = 0.02


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_server.url)
    await client.flushdb()
    yield client
    await client.aclose()


async def limiters(
    redis_server: RedisServer, count: int, account: str = "acct", headroom: int = 0
) -> list[RedisRateLimiter]:
    return [
        RedisRateLimiter(
            aioredis.Redis.from_url(redis_server.url),
            account,
            LIMIT,
            headroom=headroom,
            window=WINDOW,
            request_deadline=5.0,
            where=redis_server.url,
        )
        for _ in range(count)
    ]


async def test_three_processes_share_one_budget_spent_at_once(redis: aioredis.Redis, redis_server: RedisServer) -> None:
    group = await limiters(redis_server, 3)
    sends: list[tuple[int, float, float]] = []  # (process, sent, answered)
    start = time.monotonic()

    async def one(index: int) -> None:
        limiter = group[index % 3]
        permit = await limiter.acquire(anyio.sleep)
        sent = time.monotonic() - start
        await anyio.sleep(LATENCY)  # the request
        answered = time.monotonic() - start
        await limiter.release(permit)
        sends.append((index % 3, sent, answered))

    async with anyio.create_task_group() as tasks:
        for i in range(30):
            tasks.start_soon(one, i)
    sends.sort(key=lambda s: s[1])
    times = [s for _, s, _ in sends]
    # The whole budget at once, across all three: 20, not 20 each, and not paced (one per interval would take 1.9 s).
    assert times[LIMIT - 1] < WINDOW / 2
    # A slot frees one window after its answer: never more than LIMIT sent in any window, as the server sees it.
    answered = sorted(a for _, _, a in sends)
    assert all(times[i + LIMIT] >= answered[i] + WINDOW - 0.01 for i in range(len(times) - LIMIT))
    assert sum(1 for t in times if t >= WINDOW) == 30 - LIMIT
    # ... and no later: the rest go as the first slots free, within the second window (a limiter that sat out
    # another window, or starved a process's waiters, would end after 2 windows).
    assert times[-1] < WINDOW + LATENCY + 1.0


async def test_headroom_is_left_for_other_users_of_the_key(redis: aioredis.Redis, redis_server: RedisServer) -> None:
    (limiter,) = await limiters(redis_server, 1, headroom=5)
    assert limiter.budget == 15
    for _ in range(15):
        assert (await limiter.acquire(anyio.sleep)).waited == 0
    with anyio.move_on_after(0.5) as scope:
        await limiter.acquire(anyio.sleep)
    assert scope.cancelled_caught  # the 16th waits: every slot is still in flight


async def test_a_slot_is_held_until_one_window_after_its_answer(
    redis: aioredis.Redis, redis_server: RedisServer
) -> None:
    first, second = await limiters(redis_server, 2)
    permits = [await first.acquire(anyio.sleep) for _ in range(LIMIT)]
    started = time.monotonic()

    async def answer_later() -> None:
        await anyio.sleep(0.3)  # a slow answer: its slot is held all that time, then a window more
        await first.release(permits[0])

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(answer_later)
        permit = await second.acquire(anyio.sleep)
    elapsed = time.monotonic() - started
    assert 0.3 + WINDOW - 0.02 <= elapsed <= 0.3 + WINDOW + 0.3
    assert permit.waited > 0
    await second.release(permit)
    await second.release(permit)  # twice is once


async def test_a_slot_never_released_frees_at_its_upper_bound(redis: aioredis.Redis, redis_server: RedisServer) -> None:
    """A process killed mid-request never releases: its slots free by themselves after deadline + one window."""
    doomed, survivor = (
        RedisRateLimiter(
            aioredis.Redis.from_url(redis_server.url),
            "acct",
            LIMIT,
            window=WINDOW,
            request_deadline=0.3,
            deadline_margin=0.0,
            poll=0.02,
        )
        for _ in range(2)
    )
    for _ in range(LIMIT):
        await doomed.acquire(anyio.sleep)  # and never released
    started = time.monotonic()
    permit = await survivor.acquire(anyio.sleep)
    elapsed = time.monotonic() - started
    assert 0.3 + WINDOW - 0.05 <= elapsed <= 0.3 + WINDOW + 0.3
    assert permit.waited > 0


async def test_a_429_seen_by_one_process_pauses_the_others(redis: aioredis.Redis, redis_server: RedisServer) -> None:
    first, second = await limiters(redis_server, 2)
    await first.penalize(1.0)
    started = time.monotonic()
    permit = await second.acquire(anyio.sleep)
    assert permit.waited >= 0.95 and time.monotonic() - started >= 0.95


async def test_after_a_429_every_process_paces_one_per_interval(
    redis: aioredis.Redis, redis_server: RedisServer
) -> None:
    first, second = await limiters(redis_server, 2)
    await first.penalize(0.2)
    started = time.monotonic()
    sent = []
    for i in range(6):
        limiter = (first, second)[i % 2]
        await limiter.release(await limiter.acquire(anyio.sleep))
        sent.append(time.monotonic() - started)
    # The k-th request is granted no sooner than the pause's end plus k intervals (on Redis's clock). Measured here
    # it comes back later still, by how long its answer took: compared to the start, not to the previous request
    # (whose answer may have come back late), so a loaded machine cannot make this fail.
    earliest = [0.19 + k * WINDOW / LIMIT for k in range(len(sent))]
    assert all(at >= low for at, low in zip(sent, earliest, strict=True)), sent


async def test_the_request_whose_429_set_the_pause_skips_it(redis: aioredis.Redis, redis_server: RedisServer) -> None:
    (limiter,) = await limiters(redis_server, 1)
    await limiter.penalize(1.0)
    assert (await limiter.acquire(anyio.sleep, skip_pause=True)).waited == 0


async def test_a_pause_ordered_while_waiting_is_honoured(redis: aioredis.Redis, redis_server: RedisServer) -> None:
    first, second = await limiters(redis_server, 2)
    await first.penalize(0.3)

    async def penalize_again() -> None:
        await anyio.sleep(0.1)
        await first.penalize(0.8)  # another process's 429 while `second` sleeps out the first pause

    started = time.monotonic()
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(penalize_again)
        await second.acquire(anyio.sleep)
    assert time.monotonic() - started >= 0.85


async def test_a_pause_longer_than_we_wait_fails_at_once(redis: aioredis.Redis, redis_server: RedisServer) -> None:
    first, second = await limiters(redis_server, 2)
    await first.penalize(600)  # capped at MAX_PAUSE: the pause waits it out
    await redis.hset("shipstation-mcp:rl:acct:state", "paused_until", str(time.time() + 600))
    with pytest.raises(RateLimitedError) as caught:
        await second.acquire(anyio.sleep)
    assert caught.value.retry_after is not None and caught.value.retry_after > 500


async def test_the_api_key_never_reaches_redis(redis: aioredis.Redis, redis_server: RedisServer) -> None:
    settings = Settings(api_key="SECRET-KEY-1234567890", redis_url=redis_server.url)
    async with shared_state(settings) as shared:
        assert isinstance(shared.limiter, RedisRateLimiter)
        assert shared.limiter.budget == settings.requests_per_minute - 10  # the default 5 % headroom
        await shared.limiter.release(await shared.limiter.acquire(anyio.sleep))
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
    assert (await theirs.acquire(anyio.sleep)).waited == 0


async def test_a_lower_server_limit_lowers_the_budget(redis: aioredis.Redis, redis_server: RedisServer) -> None:
    (limiter,) = await limiters(redis_server, 1)
    permit = await limiter.acquire(anyio.sleep)
    limiter.observe({"x-rate-limit-limit": "5"}, permit)
    assert limiter.budget == 5
    limiter.observe({"x-rate-limit-limit": "500"}, permit)
    assert limiter.budget == LIMIT


async def test_redis_outage_fails_fast_then_heals_without_a_restart(redis_server: RedisServer) -> None:
    (limiter,) = await limiters(redis_server, 1, account="outage")
    held = await limiter.acquire(anyio.sleep)
    redis_server.stop()
    try:
        started = time.monotonic()
        with pytest.raises(SharedStateUnavailable) as caught:
            await limiter.acquire(anyio.sleep)
        assert time.monotonic() - started < 3
        message = str(caught.value)
        assert f"127.0.0.1:{redis_server.port}" in message and "nothing was sent to ShipStation" in message
        await limiter.release(held)  # logged, not raised: the slot frees at its upper bound
    finally:
        redis_server.start_again()
    assert (await limiter.acquire(anyio.sleep)).waited >= 0  # the same object works again


async def test_what_the_shared_budget_admits_now_counts_every_process(
    redis: aioredis.Redis, redis_server: RedisServer
) -> None:
    first, second = await limiters(redis_server, 2, headroom=5)
    assert await first.admits_now() == 15
    permits = [await first.acquire(anyio.sleep) for _ in range(4)] + [await second.acquire(anyio.sleep)]
    assert await first.admits_now() == await second.admits_now() == 10
    for permit in permits[:2]:
        await first.release(permit)  # answered: the slot is still held for a window
    assert await second.admits_now() == 10
    await second.penalize(1.0)
    assert await first.admits_now() == 0  # paused after a 429 seen anywhere
