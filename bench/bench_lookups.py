"""One question at a time: the critical path and wall of `find_order` (every kind of identifier) and
`track_package`, beside the floor of round trips the API's answers make necessary.

    python bench/bench_lookups.py [--latency 0.3] [--repeat 3]

A fresh `python -m shipstation_mcp` over stdio (default settings) per API flavour, against the local mock
(`--latency` per answer). Every call passes `refresh: true`, so nothing comes from the cache. Round trips are read
from the mock's request log: the longest chain of requests each sent after the one before it was answered. The
floor is what an ideal client needs (see `lookups/orders.py`); "wall / floor" divides the wall time by
floor × latency, so it also holds the MCP call and the server's own work.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from common import SERVER_ARGS, machine, mock_server, reset, server_env, stats, stdio_server, table

CASES: dict[str, list[tuple[str, str, dict[str, Any], int]]] = {
    "v2": [
        ("find_order: shipment id", "find_order", {"query": "se-5007"}, 2),
        ("find_order: label id", "find_order", {"query": "se-1007"}, 2),
        ("find_order: tracking number", "find_order", {"query": "1Z999AA10000000007"}, 2),
        ("find_order: order number", "find_order", {"query": "10007"}, 3),
        ("find_order: external id", "find_order", {"query": "ORDER-7"}, 3),
        ("find_order: unknown", "find_order", {"query": "NOPE-4711"}, 1),
        ("track_package: tracking number", "track_package", {"tracking_number": "1Z999AA10000000007"}, 2),
        ("track_package: label id", "track_package", {"tracking_number": "se-1007"}, 1),
    ],
    "shipengine": [
        ("find_order: order number", "find_order", {"query": "10007"}, 3),
        ("find_order: tracking number", "find_order", {"query": "1Z999AA10000000007"}, 2),
        ("track_package: tracking number", "track_package", {"tracking_number": "1Z999AA10000000007"}, 1),
    ],
}


async def run(latency: float, repeat: int) -> list[list[Any]]:
    rows: list[list[Any]] = []
    with mock_server(latency=latency, rate_limit=200) as url:
        for api, cases in CASES.items():
            env = server_env(SHIPSTATION_BASE_URL=url, SHIPSTATION_API=api)
            async with stdio_server(SERVER_ARGS, env) as (client, _pid):
                for name, tool, arguments, floor in cases:
                    walls, trips, sent = [], [], []
                    for _ in range(repeat):
                        reset(url)
                        began = time.perf_counter()
                        await client.call_tool(tool, {**arguments, "refresh": True})
                        walls.append(time.perf_counter() - began)
                        after = stats(url)
                        trips.append(after.get("critical_path", 0))
                        sent.append(after.get("requests", 0))
                    wall = statistics.median(walls)
                    rows.append(
                        [
                            "V2" if api == "v2" else "ShipEngine",
                            name,
                            max(trips),
                            floor,
                            f"{max(trips) / floor:.2f}",
                            max(sent),
                            f"{wall:.2f}",
                            f"{wall / (floor * latency):.2f}",
                        ]
                    )
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = await run(args.latency, args.repeat)
    print(f"### One lookup over stdio: critical path against its floor (mock latency {args.latency * 1000:.0f} ms)\n")
    print(f"Machine: {machine()}\n")
    headers = ["flavour", "lookup", "round trips", "floor", "trips / floor", "requests", "wall s (median)"]
    headers += ["wall / floor"]
    print(table(headers, rows))


if __name__ == "__main__":
    asyncio.run(main())
