"""Several instances, one key: 3 server processes each run track_packages of 100 at the same time.

    python bench/bench_scale.py [--latency 0.05] [--processes 3] [--write]

Against the mock enforcing 200 requests per rolling minute (429 with Retry-After over it), on ShipEngine (`/v1`, one
GET per package), `refresh: true` so that every package is asked for (300 requests). Run twice: with
SHIPSTATION_REDIS_URL (one shared budget, a real redis-server started on 127.0.0.1) and without it (each process
believes it owns the whole budget). Needs redis-server (apt-get install -y redis-server); takes about 3 minutes.
`--write` replaces this benchmark's section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import ROOT, machine, table

sys.path.insert(0, str(ROOT))

from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from shipstation_mcp.state.limiter import WINDOW, headroom_for
from tests.e2e.instances import TOKEN, instances, mock_shipstation, mock_stats
from tests.state.servers import redis_server

NUMBERS = [f"1Z999AA1{i:010d}" for i in range(100)]
LIMIT = 200
HEADER = "### Several instances, one key: 3 processes × track_packages of 100 (issue 11)"
NOTES = (
    "With Redis the three processes draw from one budget: 190 (the limit less the 5 % headroom) go at once, the "
    "other 110 as their slots free, one window after each first answer came in; no 429, and 1.06 × the limit's own "
    "minimum (60 s for 300): the rest is round trips, the MCP calls and three servers on 2 cores. The slots live in "
    "one Redis sorted set scored by Redis's own clock, so no margin for skewed process clocks is needed. Without "
    "Redis each process believes it owns the whole budget: they send as fast as their concurrency allows, the "
    "mock's 200 are used up in a second or two, and the next requests of every process get a 429 (30 here); "
    "each process then pauses and paces itself, which costs more time (1.23 ×) and, on a real "
    "account, hits every other integration on the key with those 429s."
)


def client(url: str) -> Client:
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=None)
    return Client(streamable_http_client(url, http_client=http))


async def run(urls: list[str]) -> tuple[float, list[dict[str, Any]]]:
    results: list[dict[str, Any]] = []
    started = time.monotonic()

    async def one(url: str) -> None:
        async with client(url) as c:
            answer = await c.call_tool("track_packages", {"packages": NUMBERS, "refresh": True})
            results.extend(answer.structured_content["results"])

    await asyncio.gather(*(one(url) for url in urls))
    return time.monotonic() - started, results


def scenario(name: str, processes: int, latency: float, redis_url: str | None) -> list[Any]:
    with tempfile.TemporaryDirectory() as folder, mock_shipstation(latency=latency, rate_limit=LIMIT) as mock:
        env = {"SHIPSTATION_API": "shipengine", "SHIPSTATION_BASE_URL": mock}
        if redis_url:
            env["SHIPSTATION_REDIS_URL"] = redis_url
        with instances(processes, Path(folder), env) as group:
            elapsed, results = asyncio.run(run([i.mcp_url for i in group]))
        stats = mock_stats(mock)
    failed = sum(1 for r in results if r.get("error"))
    requests = processes * len(NUMBERS)
    physical = 60.0 * ((requests - 1) // LIMIT) + latency  # the limit itself: 200 at once, the next a minute later
    # Our limiter's own schedule: the budget (the limit less 5 % headroom) at once, each further wave one window
    # after the previous wave's answers came in.
    waves = (requests - 1) // (LIMIT - headroom_for(LIMIT))
    policy = (WINDOW + latency) * waves + latency
    return [
        name,
        processes,
        f"{elapsed:.1f}",
        stats.get("requests", 0),
        stats.get("throttled", 0),
        failed,
        f"{physical:.1f}",
        f"{elapsed / physical:.2f}",
        f"{policy:.1f}",
        f"{elapsed / policy:.2f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    rows = []
    with redis_server() as redis:
        rows.append(scenario("shared budget in Redis", args.processes, args.latency, redis.url))
    rows.append(scenario("no Redis (a budget each)", args.processes, args.latency, None))
    text = "\n".join(
        [
            HEADER,
            "",
            f"Mock: {LIMIT} requests per rolling minute (429 + Retry-After over it), "
            f"latency {args.latency * 1000:.0f} ms; `refresh: true`. {machine()}; "
            + time.strftime("%Y-%m-%d %H:%M UTC.", time.gmtime()),
            "",
            table(
                [
                    "run",
                    "processes",
                    "wall s",
                    "requests sent",
                    "429s",
                    "items failed",
                    "limit's minimum s",
                    "wall / minimum",
                    "limiter schedule s",
                    "wall / schedule",
                ],
                rows,
            ),
            "",
            '"limit\'s minimum": what 200 per rolling minute itself allows (the first 200 at once, the rest a minute '
            'later). "limiter schedule": what our policy allows — the budget (200 less 5 % headroom: 190) at once, '
            "each slot freed one window after its answer came in; the headroom is left for whatever else uses the "
            "key.",
            "",
            NOTES,
            "",
        ]
    )
    print(text)
    if args.write:
        results = ROOT / "bench" / "RESULTS.md"
        current = results.read_text()
        if HEADER in current:
            start = current.index(HEADER)
            end = current.find("\n### ", start + len(HEADER))
            current = current[:start] + current[end + 1 :] if end != -1 else current[:start]
        results.write_text(current.rstrip("\n") + "\n\n" + text)


if __name__ == "__main__":
    main()
