"""Bulk tracking over stdio against the API's own floor: 10, 50, 100 packages in one call, and 300 in three.

    python bench/bench_bulk.py [--latency 0.1] [--skip-300]

Each scenario starts a fresh `python -m shipstation_mcp` over stdio (as an MCP client runs it, default settings)
against the local mock (`--latency` per answer; at most 200 requests in any rolling 60 s, 429 beyond), with the
mock's window reset first. V2 (the default flavour) first, then ShipEngine. The numbers are UPS numbers of the mock
account's labels; on V2 a number is tracked through its label, on ShipEngine by its carrier.

The floor is what the API itself allows for the job, whatever a client does: the requests the job needs (one track
call per package, and on V2 one page of the label listing per 100 numbers first, to find their labels), each one
round trip with at most the budget (190 of the 200 a minute) in flight at once: the first listing page, the other
pages together, then the tracks (`min(pages, 2) × latency + ceil(tracks / 190) × latency`), and
no rolling 60 s holding more than 200 requests (the last of R requests cannot be sent before
`floor((R - 1) / 200) × 60 s`, then one round trip). "wall / floor" compares with the larger of the two.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from typing import Any

from common import SERVER_ARGS, cpu_seconds, machine, mock_server, reset, server_env, stats, stdio_server, table

RATE_LIMIT = 200
BUDGET = 190
"""What the API admits at once to this process: the limit less the default 5 % headroom."""
WINDOW = 60.0


def number(i: int) -> str:
    return f"1Z999AA1{i:010d}"


def floor_seconds(requests: int, pages: int, latency: float, in_flight: int, calls: int = 1) -> tuple[float, float]:
    """(round-trip floor, rate-limit floor) for `requests` requests in `calls` calls, of which `pages` are listing
    pages that must come before the tracking (one round trip each)."""
    trips = min(pages, 2) * latency + math.ceil((requests - pages) / in_flight) * latency
    rate = math.floor((requests - 1) / RATE_LIMIT) * WINDOW + latency
    return trips, rate


async def scenario(
    url: str,
    api: str,
    sizes: list[int],
    latency: float,
    *,
    warm: bool = False,
    baseline: tuple[str, str, str | None] | None = None,
    **settings: str,
) -> list[list[Any]]:
    """`baseline`: (label, checkout, interpreter) to run another version of the server instead."""
    reset(url)
    rows = []
    env = server_env(SHIPSTATION_BASE_URL=url, SHIPSTATION_API=api, **settings)
    python = None
    if baseline is not None:
        env["PYTHONPATH"], python = baseline[1], baseline[2]
    async with stdio_server(SERVER_ARGS, env, python=python) as (client, pid):
        start = 0
        before = stats(url)
        cpu = cpu_seconds(pid)
        began = time.perf_counter()
        headline = ""
        for size in sizes:
            packages = [number(i) for i in range(start, start + size)]
            start += size
            result = await client.call_tool("track_packages", {"packages": packages})
            assert not result.is_error, result.content
            headline = result.structured_content["headline"]
        wall = time.perf_counter() - began
        after = stats(url)
        rows.append(_row(api, sizes, "cold", wall, cpu_seconds(pid) - cpu, before, after, latency, headline))
        if baseline is not None:
            rows[-1][0] = f"before (`{baseline[0]}`): {rows[-1][0]}"
        if warm:
            before = stats(url)
            cpu = cpu_seconds(pid)
            began = time.perf_counter()
            result = await client.call_tool("track_packages", {"packages": [number(i) for i in range(sizes[0])]})
            wall = time.perf_counter() - began
            answer = result.structured_content["headline"]
            rows.append(_row(api, sizes[:1], "warm", wall, cpu_seconds(pid) - cpu, before, stats(url), latency, answer))
    return rows


def _row(
    api: str,
    sizes: list[int],
    cache: str,
    wall: float,
    cpu: float,
    before: dict,
    after: dict,
    latency: float,
    headline: str,
) -> list[Any]:
    sent = after.get("requests", 0) - before.get("requests", 0)
    throttled = after.get("throttled", 0) - before.get("throttled", 0)
    pages = after.get("by_path", {}).get("labels", 0) - before.get("by_path", {}).get("labels", 0)
    track_label = after.get("by_path", {}).get("labels/{id}/track", 0) - before.get("by_path", {}).get(
        "labels/{id}/track", 0
    )
    packages = sum(sizes)
    what = f"{packages} in {len(sizes)} calls" if len(sizes) > 1 else f"{packages} in 1 call"
    flavour = "V2" if api == "v2" else "ShipEngine"
    if sent:
        # The job's own floor, whatever a client does: on V2 one listing page per 100 labels (each call reads its
        # own), then one track call per package; on ShipEngine one track call per package.
        listing = sum(math.ceil(size / 100) for size in sizes) if api == "v2" else 0
        needed = packages + listing
        trips, rate = floor_seconds(needed, listing, latency, BUDGET, calls=len(sizes))
        floor = max(trips, rate)
        shown = f"{floor:.2f} ({'rate limit' if rate >= trips else 'round trips'}; {needed} requests)"
        ratio = f"{wall / floor:.2f}"
    else:
        shown, ratio = "–", "–"
    split = f"{sent} ({pages} label list/search + {track_label} track)" if api == "v2" and sent else str(sent)
    trips = after.get("critical_path", 0) if sent else 0
    per_call = [min(math.ceil(size / 100), 2) + 1 if api == "v2" else 1 for size in sizes]
    floor_trips = sum(per_call)
    path = f"{trips} / {floor_trips}" if sent else "–"
    return [flavour, what, cache, f"{wall:.2f}", f"{cpu:.2f}", split, throttled, path, shown, ratio, headline]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--skip-300", action="store_true", help="leave out the two minute-long 300-package runs")
    parser.add_argument("--baseline", metavar="DIR", help="also run 100 packages on a server from another checkout")
    parser.add_argument("--baseline-label", default="baseline", help="what --baseline is, for the table")
    parser.add_argument("--baseline-python", metavar="PATH", help="interpreter for --baseline (its own environment)")
    args = parser.parse_args()
    rows: list[list[Any]] = []
    with mock_server(latency=args.latency, rate_limit=RATE_LIMIT, packages=300) as url:
        if args.baseline:
            for api in ("v2", "shipengine"):
                baseline = (args.baseline_label, args.baseline, args.baseline_python)
                rows += await scenario(url, api, [100], args.latency, baseline=baseline)
        for api in ("v2", "shipengine"):
            for size in (10, 50, 100):
                rows += await scenario(url, api, [size], args.latency, warm=size == 100)
            if not args.skip_300:
                rows += await scenario(url, api, [100, 100, 100], args.latency)
    print(
        f"### Bulk tracking over stdio (mock latency {args.latency * 1000:.0f} ms, "
        f"{RATE_LIMIT} requests per rolling minute)\n"
    )
    print(f"Machine: {machine()}\n")
    headers = ["flavour", "packages", "cache", "wall s", "server CPU s", "requests", "429s", "round trips / floor"]
    headers += ["API floor s"]
    headers += ["wall / floor", "answer"]
    print(table(headers, rows))
    print(
        "\nDefault settings: as many in flight as the budget admits, SHIPSTATION_RATE_HEADROOM=5 "
        "(190 of the 200 a minute). On V2 the requests are one page of the label listing per 100 labels read plus one "
        "track call per package."
    )


if __name__ == "__main__":
    asyncio.run(main())
