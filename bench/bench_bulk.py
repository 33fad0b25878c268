"""Bulk: 100 packages via one track_packages call vs 100 sequential track_package calls, cold and warm.

    python bench/bench_bulk.py [--latency 0.1]

Against the mock (200 requests per rolling minute, 429 over it), on ShipEngine (`/v1`): the carrier of the 100 UPS
numbers is clear from their format, so each package is one `GET /tracking`. The MCP server runs in this process
behind an in-memory `mcp.Client`; only its HTTP calls cross a socket. Every cold scenario starts from a full bucket
and a fresh mock window. "Limiter allows" is the time the limiter needs to release that many requests from a full
bucket, plus one round trip.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from common import BENCH_KEY, machine, mock_server, reset, stats, table
from mcp import Client

from shipstation_mcp.config import Settings
from shipstation_mcp.lookups import bulk
from shipstation_mcp.state.limiter import RateLimiter, reset_shared_limiters
from shipstation_mcp.tools.server import create_server

NUMBERS = [f"1Z999AA1{i:010d}" for i in range(100)]


def settings(url: str, rate_limit: int | None = None) -> Settings:
    return Settings(api_key=BENCH_KEY, api="shipengine", base_url=url, rate_limit=rate_limit)


async def bulk_call(client: Client) -> tuple[float, str]:
    started = time.perf_counter()
    result = await client.call_tool("track_packages", {"packages": NUMBERS})
    assert not result.is_error, result.content
    return time.perf_counter() - started, result.structured_content["headline"]


async def sequential_calls(client: Client) -> tuple[float, str]:
    started = time.perf_counter()
    for number in NUMBERS:
        result = await client.call_tool("track_package", {"tracking_number": number})
        assert not result.is_error, result.content
    return time.perf_counter() - started, "100 answers"


async def scenario(url: str, how: str, rate_limit: int | None, latency: float) -> list[list[Any]]:
    reset(url)
    reset_shared_limiters()
    rows = []
    call = bulk_call if how == "bulk" else sequential_calls
    limiter = RateLimiter(settings(url, rate_limit).requests_per_minute)
    async with Client(create_server(settings(url, rate_limit))) as client:
        for cache in ("cold", "warm"):
            before = stats(url)
            elapsed, what = await call(client)
            after = stats(url)
            sent = after.get("requests", 0) - before.get("requests", 0)
            throttled = after.get("throttled", 0) - before.get("throttled", 0)
            allowed = limiter.time_for(sent) + latency if sent and rate_limit is None else 0.0
            ratio = f"{elapsed / allowed:.2f}" if allowed else "–"
            label = "track_packages (1 call)" if how == "bulk" else "track_package × 100"
            limit = f"{limiter.requests_per_minute}/min, burst {limiter.burst}"
            shown = f"{allowed:.2f}" if allowed else "–"
            rows.append([label, cache, limit, f"{elapsed:.2f}", sent, throttled, shown, ratio, what])
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    rows: list[list[Any]] = []
    with mock_server(latency=args.latency, rate_limit=200) as url:
        rows += await scenario(url, "bulk", None, args.latency)
        rows += await scenario(url, "sequential", None, args.latency)
    with mock_server(latency=args.latency, rate_limit=0) as url:
        rows += await scenario(url, "bulk", 100_000, args.latency)
        rows += await scenario(url, "sequential", 100_000, args.latency)
    print(f"### Bulk: 100 packages (mock latency {args.latency * 1000:.0f} ms)\n")
    print(f"Machine: {machine()}\n")
    headers = ["how", "cache", "limiter", "wall s", "requests", "429s", "limiter allows s", "wall / allowed", "answer"]
    print(table(headers, rows))
    print(
        "\nThe last four rows ran with SHIPSTATION_RATE_LIMIT=100000 against the mock with its limit off: what "
        f"concurrency alone does when the rate limit is not the bottleneck (at most {bulk.CONCURRENCY} requests "
        "in flight)."
    )


if __name__ == "__main__":
    asyncio.run(main())
