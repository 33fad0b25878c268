"""The classic API's (V1) 40 a minute in a real Redis: every instance on one key pair draws from one budget of 40
less the headroom, keyed by key *and* secret, and neither reaches Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import pytest
import redis.asyncio as aioredis

from shipstation_mcp.config import Settings
from shipstation_mcp.state.backends import shared_state
from shipstation_mcp.state.limiter import limiter_key
from shipstation_mcp.state.redis_limiter import RedisRateLimiter
from tests.state.servers import RedisServer

pytestmark = pytest.mark.anyio


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_server.url)
    await client.flushdb()
    yield client
    await client.aclose()


async def test_a_v1_pair_shares_forty_a_minute_in_redis(redis: aioredis.Redis, redis_server: RedisServer) -> None:
    settings = Settings(api_key="V1-KEY-1234", api_secret="V1-SECRET-5678", api="v1", redis_url=redis_server.url)
    other_secret = Settings(api_key="V1-KEY-1234", api_secret="V1-SECRET-9999", api="v1", redis_url=redis_server.url)
    assert limiter_key(settings) != limiter_key(other_secret)  # another pair with the same key is another budget
    async with shared_state(settings) as shared:
        assert isinstance(shared.limiter, RedisRateLimiter)
        assert shared.limiter.requests_per_minute == 40 and shared.limiter.budget == 38  # 5 % headroom: 2
        await shared.limiter.release(await shared.limiter.acquire(anyio.sleep))
    keys = [k.decode() for k in await redis.keys("*")]
    assert keys and all(limiter_key(settings) in k for k in keys)
    for key in keys:
        dumped = await redis.dump(key) or b""
        assert "V1-KEY" not in key and "V1-SECRET" not in key
        assert b"V1-KEY" not in dumped and b"V1-SECRET" not in dumped
