"""The support queue (`shipments_needing_attention`) at 100, 1,000 and 10,000 labels, and the server's memory after
100 queue calls.

    python bench/bench_queue.py [--latency 0.3] [--sizes 100,1000,10000] [--rss-calls 100]

Each size starts a fresh `python -m shipstation_mcp` over stdio (default settings) against the local mock with that
many labels (`--latency` per answer, 200 requests per rolling minute). The queue is asked once (cold), then the same
question again within the minute (warm). Round trips on the critical path come from the mock's request log (the
longest chain of requests each sent after the one before it was answered); the floor of the cold call is 3 round
trips: the first label page, the other pages together, then every tracked label together.

With the index (`--index`): a server with SHIPSTATION_INDEX_SHARE=100 and its own data folder, whose event store
holds a fresh push (received now) for every undelivered package of the mock, as the webhook receiver would have
stored them. The first call fills the index (a page of 100 labels per request, the first then the rest together)
and judges every undelivered label; the second finds the index current (one page to check) and judges again.

Memory: one more server, against a mock without latency or rate limit (and SHIPSTATION_RATE_LIMIT high enough not to
wait), is asked the queue `--rss-calls` times, each for a period starting an hour earlier than the last (so no
call's label pages are in the cache: the worst case for the cache's bound), then `--rss-calls` times the same
question; the server's resident memory (VmRSS) is read after each block.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import SERVER_ARGS, cpu_seconds, machine, mock_server, reset, server_env, stats, stdio_server, table

RATE_LIMIT = 200


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def queue_rows(size: int, latency: float) -> list[list[Any]]:
    rows: list[list[Any]] = []
    with mock_server(latency=latency, rate_limit=RATE_LIMIT, packages=size) as url:
        env = server_env(SHIPSTATION_BASE_URL=url, SHIPSTATION_API="v2")
        async with stdio_server(SERVER_ARGS, env) as (client, pid):
            for run in ("cold", "asked again"):
                reset(url)
                began, cpu = time.perf_counter(), cpu_seconds(pid)
                result = await client.call_tool("shipments_needing_attention", {})
                wall = time.perf_counter() - began
                cpu = cpu_seconds(pid) - cpu
                assert not result.is_error, result.content
                report = result.structured_content
                after = stats(url)
                trips = after.get("critical_path", 0)
                rows.append(
                    [
                        f"{size:,}",
                        run,
                        f"{wall:.2f} (server CPU {cpu:.2f})",
                        after.get("requests", 0),
                        after.get("throttled", 0),
                        trips,
                        "3" if run == "cold" else "0",
                        f"{wall / (3 * latency):.2f}" if run == "cold" else "–",
                        f"{report['tracked']} of {report['tracked'] + report['not_tracked']}",
                        "yes" if report.get("complete", True) else "no",
                        report["headline"][:160],
                    ]
                )
    return rows


def prefill_pushes(data_dir: Path, size: int) -> int:
    """A fresh push for every undelivered package of the mock's account, stored as the receiver stores them."""
    from mock_shipstation import number, status_of, tracking_info

    from shipstation_mcp.state.store import IncomingEvent, SQLiteEventStore

    store = SQLiteEventStore.open_sync(data_dir / "events.sqlite3")
    store._conn.execute("PRAGMA synchronous = OFF")  # a bench prefill, not a receiver
    now = datetime.now(UTC)
    stored = 0
    for i in range(size):
        if status_of(i) == "DE":
            continue
        info = tracking_info(i)
        event = IncomingEvent(
            tracking_number=number(i),
            dedupe_key=f"bench-{i}",
            payload=json.dumps({"resource_type": "API_TRACK", "data": info}),
            received_at=now,
            carrier_code="ups",
            resource_type="API_TRACK",
            status_code=info["status_code"],
            occurred_at=now - timedelta(hours=1),
        )
        stored += store._add_event(event) is not None
    store._conn.close()
    return stored


async def index_rows(size: int, latency: float) -> list[list[Any]]:
    rows: list[list[Any]] = []
    with (
        tempfile.TemporaryDirectory() as folder,
        mock_server(latency=latency, rate_limit=RATE_LIMIT, packages=size) as url,
    ):
        pushes = prefill_pushes(Path(folder), size)
        env = server_env(
            SHIPSTATION_BASE_URL=url, SHIPSTATION_API="v2", SHIPSTATION_INDEX_SHARE="100", SHIPSTATION_DATA_DIR=folder
        )
        async with stdio_server(SERVER_ARGS, env) as (client, pid):
            for run in ("fills the index", "index current"):
                reset(url)
                began, cpu = time.perf_counter(), cpu_seconds(pid)
                result = await client.call_tool("shipments_needing_attention", {})
                wall = time.perf_counter() - began
                cpu = cpu_seconds(pid) - cpu
                assert not result.is_error, result.content
                report = result.structured_content
                after = stats(url)
                rows.append(
                    [
                        f"{size:,} (index, {pushes:,} fresh pushes)",
                        run,
                        f"{wall:.2f} (server CPU {cpu:.2f})",
                        after.get("requests", 0),
                        after.get("throttled", 0),
                        after.get("critical_path", 0),
                        "2" if run == "fills the index" else "1",
                        "–",
                        f"{report['tracked']} tracked",
                        "yes" if report.get("complete", True) else "no",
                        report["headline"][:200],
                    ]
                )
    return rows


async def rss_rows(size: int, calls: int, cache_mb: str | None = None) -> list[list[Any]]:
    rows: list[list[Any]] = []
    with mock_server(latency=0.0, rate_limit=0, packages=size) as url:
        env = server_env(SHIPSTATION_BASE_URL=url, SHIPSTATION_API="v2", SHIPSTATION_RATE_LIMIT="100000")
        if cache_mb:
            env["SHIPSTATION_CACHE_MAX_MB"] = cache_mb
        async with stdio_server(SERVER_ARGS, env) as (client, pid):
            rows.append(["after start", f"{rss_mb(pid):.1f}"])
            start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=14)
            for i in range(calls):
                since = (start - timedelta(hours=i)).isoformat()
                result = await client.call_tool("shipments_needing_attention", {"since": since})
                assert not result.is_error, result.content
            rows.append([f"after {calls} calls, each a new period (nothing reused)", f"{rss_mb(pid):.1f}"])
            for _ in range(calls):
                await client.call_tool("shipments_needing_attention", {})
            rows.append([f"after {calls} more calls, the same question", f"{rss_mb(pid):.1f}"])
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--rss-calls", type=int, default=100)
    parser.add_argument("--rss-size", type=int, default=10_000)
    parser.add_argument("--rss-cache-mb", help="SHIPSTATION_CACHE_MAX_MB for the memory run [the default]")
    parser.add_argument("--index", default="10000", help="sizes to run with the account index ('' for none)")
    args = parser.parse_args()
    rows: list[list[Any]] = []
    for size in (int(s) for s in args.sizes.split(",") if s):
        rows += await queue_rows(size, args.latency)
    for size in (int(s) for s in args.index.split(",") if s):
        rows += await index_rows(size, args.latency)
    memory = await rss_rows(args.rss_size, args.rss_calls, args.rss_cache_mb) if args.rss_calls else []
    print(f"### Support queue over stdio (mock latency {args.latency * 1000:.0f} ms, {RATE_LIMIT} a rolling minute)\n")
    print(f"Machine: {machine()}\n")
    headers = ["labels", "call", "wall s", "requests", "429s", "round trips", "floor", "wall / floor"]
    headers += ["tracked", "complete", "headline"]
    print(table(headers, rows))
    if memory:
        print(f"\nServer memory (VmRSS, MB) over {args.rss_calls} queue calls at {args.rss_size:,} labels:\n")
        print(table(["when", "RSS MB"], memory))


if __name__ == "__main__":
    asyncio.run(main())
