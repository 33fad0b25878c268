"""The response cache in a real Redis: answers shared across processes with the client's lifetimes, one upstream
call for identical requests in flight in different processes, 404s kept as answers, refresh and age honoured,
and an outage that only makes the cache step aside."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import anyio
import pytest
import redis.asyncio as aioredis

from shipstation_mcp.errors import NotFoundError, ServerError
from shipstation_mcp.state.cache import reading
from shipstation_mcp.state.redis_cache import RedisResponseCache
from tests.state.servers import RedisServer

pytestmark = pytest.mark.anyio


@pytest.fixture
async def caches(redis_server: RedisServer) -> AsyncIterator[list[RedisResponseCache]]:
    clients = [aioredis.Redis.from_url(redis_server.url) for _ in range(2)]
    await clients[0].flushdb()
    yield [RedisResponseCache(client, "acct") for client in clients]
    for client in clients:
        await client.aclose()


class Upstream:
    def __init__(self, delay: float = 0.0) -> None:
        self.calls = 0
        self.delay = delay

    async def fetch(self) -> dict[str, object]:
        self.calls += 1
        await anyio.sleep(self.delay)
        return {"status_code": "IT", "n": self.calls}


async def test_an_answer_fetched_by_one_process_is_served_to_another(caches: list[RedisResponseCache]) -> None:
    upstream = Upstream()
    first = await caches[0].get("k", upstream.fetch, lambda _: 30)
    second = await caches[1].get("k", upstream.fetch, lambda _: 30)
    assert first == second == {"status_code": "IT", "n": 1} and upstream.calls == 1


async def test_identical_requests_in_flight_in_two_processes_share_one_upstream_call(
    caches: list[RedisResponseCache],
) -> None:
    upstream = Upstream(delay=0.3)
    results = []

    async def ask(cache: RedisResponseCache) -> None:
        results.append(await cache.get("k", upstream.fetch, lambda _: 30))

    async with anyio.create_task_group() as tasks:
        for cache in (*caches, *caches):
            tasks.start_soon(ask, cache)
    assert upstream.calls == 1 and len(results) == 4 and all(r == results[0] for r in results)


async def test_lifetimes_are_the_callers(caches: list[RedisResponseCache]) -> None:
    upstream = Upstream()
    await caches[0].get("short", upstream.fetch, lambda _: 0.2)
    await caches[0].get("never", upstream.fetch, lambda _: 0)
    await anyio.sleep(0.3)
    await caches[1].get("short", upstream.fetch, lambda _: 0.2)
    await caches[1].get("never", upstream.fetch, lambda _: 0)
    assert upstream.calls == 4


async def test_a_404_is_kept_as_an_answer_other_errors_never(caches: list[RedisResponseCache]) -> None:
    calls = 0

    async def missing() -> None:
        nonlocal calls
        calls += 1
        raise NotFoundError("no such label", status=404)

    async def failing() -> None:
        nonlocal calls
        calls += 1
        raise ServerError("boom", status=500)

    for cache in caches:
        with pytest.raises(NotFoundError, match="no such label"):
            await cache.get("404", missing, lambda _: 30, lambda _: 60)
    assert calls == 1
    for cache in caches:
        with pytest.raises(ServerError):
            await cache.get("500", failing, lambda _: 30, lambda _: 60)
    assert calls == 3


async def test_refresh_bypasses_and_age_is_reported(caches: list[RedisResponseCache]) -> None:
    upstream = Upstream()
    await caches[0].get("k", upstream.fetch, lambda _: 30)
    await anyio.sleep(1.1)
    with reading() as freshness:
        await caches[1].get("k", upstream.fetch, lambda _: 30)
    assert freshness.age_seconds == 1
    with reading(refresh=True) as freshness:
        fresh = await caches[1].get("k", upstream.fetch, lambda _: 30)
    assert fresh["n"] == 2 and freshness.age_seconds is None
    assert (await caches[0].get("k", upstream.fetch, lambda _: 30))["n"] == 2  # the fresh answer replaced it


async def test_an_outage_makes_the_cache_step_aside(redis_server: RedisServer) -> None:
    client = aioredis.Redis.from_url(redis_server.url, socket_connect_timeout=1, socket_timeout=1)
    cache = RedisResponseCache(client, "outage")
    upstream = Upstream()
    redis_server.stop()
    try:
        started = time.monotonic()
        assert (await cache.get("k", upstream.fetch, lambda _: 30))["n"] == 1
        assert time.monotonic() - started < 3
    finally:
        redis_server.start_again()
    await cache.get("k", upstream.fetch, lambda _: 30)
    assert (await cache.get("k", upstream.fetch, lambda _: 30))["n"] == 2  # cached again once Redis is back
    await client.aclose()
