"""Several real server processes on one key sharing their rate budget in a real Redis, at a scale that fits a
test (bench/bench_scale.py runs 3 × 100 at 200 a minute through whole windows):

- three processes each run `track_packages` at once against a mock that enforces the limit per rolling minute:
  the shared budget (the limit less its headroom) goes at once and nothing more, where three separate budgets would
  have sent everything, and no 429; when the rest go (a window after the first answers) is the limiter's schedule,
  proved on a short window in tests/state/test_redis_limiter.py;
- Redis stopped in the middle of a bulk call: the waiting items say Redis cannot be reached, nothing more is
  sent (no 429 storm), the process stays up, and once Redis is back the next call works without a restart.
"""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
import redis
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from shipstation_mcp.state.limiter import headroom_for
from shipstation_mcp.state.redis_limiter import RECHECK
from tests.e2e.instances import TOKEN, Instance, instances, mock_shipstation, mock_stats
from tests.state.servers import RedisServer

pytestmark = pytest.mark.anyio

NUMBERS = [f"1Z999AA1{i:010d}" for i in range(100)]  # the mock's packages; UPS by their format: one GET each


def client(instance: Instance) -> Client:
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=None)
    return Client(streamable_http_client(instance.mcp_url, http_client=http))


def environment(mock: str, redis_url: str, rate_limit: int) -> dict[str, str]:
    return {
        "SHIPSTATION_API": "shipengine",
        "SHIPSTATION_BASE_URL": mock,
        "SHIPSTATION_REDIS_URL": redis_url,
        "SHIPSTATION_RATE_LIMIT": str(rate_limit),
    }


async def test_three_processes_on_one_key_share_one_budget_without_a_429(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    limit, each = 40, 20  # budget 38: three separate budgets would send all 60 at once, one budget 38 and then wait
    budget = limit - headroom_for(limit)
    assert each < budget < 3 * each
    redis.Redis.from_url(redis_server.url).flushdb()
    with (
        mock_shipstation(latency=0.02, rate_limit=limit) as mock,
        instances(3, tmp_path, environment(mock, redis_server.url, limit)) as group,
    ):
        async with client(group[0]) as c0, client(group[1]) as c1, client(group[2]) as c2:

            async def bulk(c: Client, part: int) -> None:
                await c.call_tool("track_packages", {"packages": NUMBERS[part * each : (part + 1) * each]})

            async with anyio.create_task_group() as tasks:
                for part, c in enumerate((c0, c1, c2)):
                    tasks.start_soon(bulk, c, part)
                with anyio.fail_after(20):
                    while mock_stats(mock).get("requests", 0) < budget:  # noqa: ASYNC110 (another process's count)
                        await anyio.sleep(0.05)
                await anyio.sleep(RECHECK + 0.5)  # every waiter has asked Redis again at least once by now
                stats = mock_stats(mock)
                # The rest wait for the budget's first slot to free, one window after its answer (the
                # limiter's tests in tests/state/ prove that schedule on a short window).
                tasks.cancel_scope.cancel()
    assert stats.get("throttled", 0) == 0
    assert stats["requests"] == budget  # one budget for the three: not 60


async def test_redis_stopped_during_a_bulk_call_then_back_needs_no_restart(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    limit = 20  # budget 19 at once; the rest wait for a slot, ask Redis again within RECHECK, and find it gone
    redis.Redis.from_url(redis_server.url).flushdb()
    try:
        await outage_during_bulk(tmp_path, redis_server, limit)
    finally:
        if redis_server.process.poll() is not None:  # the session's server stays up for the tests after this one
            redis_server.start_again()


async def outage_during_bulk(tmp_path: Path, redis_server: RedisServer, limit: int) -> None:
    with (
        mock_shipstation(latency=0.02, rate_limit=limit) as mock,
        instances(1, tmp_path, environment(mock, redis_server.url, limit)) as (server,),
    ):
        async with client(server) as c:

            async def stop_redis_soon() -> None:
                await anyio.sleep(2.5)
                redis_server.stop()

            async with anyio.create_task_group() as tasks:
                tasks.start_soon(stop_redis_soon)
                result = await c.call_tool("track_packages", {"packages": NUMBERS[:40]})
            sent_during_outage = mock_stats(mock)["requests"]
            assert not result.is_error, result.content
            results = result.structured_content["results"]
            failed = [r for r in results if r.get("error")]
            assert len(results) - len(failed) == limit - headroom_for(limit)  # the budget, then Redis went
            assert failed and all("Redis" in r["error"] and "try again" in r["error"] for r in failed)
            assert server.process.poll() is None  # still up

            redis_server.start_again()
            assert redis_server.process.poll() is None
            again = await c.call_tool("track_package", {"tracking_number": NUMBERS[50]})
            assert not again.is_error, again.content
        stats = mock_stats(mock)
    assert stats.get("throttled", 0) == 0  # no 429 storm: nothing was sent without the shared budget
    assert sent_during_outage == len(results) - len(failed)
    assert stats["requests"] == sent_during_outage + 1
