"""Overhead per tool call over stdio: shipstation-mcp vs a one-tool server on the same SDK vs a bare httpx GET.

    python bench/bench_overhead.py [--calls 300] [--latency 0]

Every server is a real process spoken to over stdio, as an MCP client runs it (`python -m shipstation_mcp` with
SHIPSTATION_BASE_URL at the local mock). Each call sends exactly one `GET` to the mock:
`track_package(tracking_number, carrier_code="ups", refresh=true)` on ShipEngine (`GET /v1/tracking`),
`track_label(label_id, refresh=true)` on V2 (`GET /v2/labels/{id}/track`), the one-tool server's `track` (the same
`GET /v1/tracking`), and the bare client the same GET over a kept-alive connection. Calls alternate, after a
warm-up. "server CPU" is the server process's user + system time over the counted calls (the kernel's
accounting), divided by the calls. The mock's rate limit is off and SHIPSTATION_RATE_LIMIT=100000.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
from common import (
    BENCH_KEY,
    MINIMAL_ARGS,
    SERVER_ARGS,
    cpu_seconds,
    machine,
    median,
    mock_server,
    percentile,
    server_env,
    stdio_server,
    table,
)

NUMBER = "1Z999AA10000000070"
WARMUP = 20
MINIMAL = "one-tool server on the same SDK"
LOOP_STDIO = "one-tool server, stdio on the event loop (bench/loop_stdio.py)"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument(
        "--baseline", metavar="DIR", help="also run the server from another checkout (e.g. `git archive`)"
    )
    parser.add_argument("--baseline-label", default="baseline", help="what --baseline is, for the table")
    parser.add_argument("--baseline-python", metavar="PATH", help="interpreter for --baseline (its own environment)")
    args = parser.parse_args()
    with mock_server(latency=args.latency, rate_limit=0) as url:
        base = {"SHIPSTATION_BASE_URL": url, "SHIPSTATION_RATE_LIMIT": "100000"}
        async with AsyncExitStack() as stack:
            shipengine, shipengine_pid = await stack.enter_async_context(
                stdio_server(SERVER_ARGS, server_env(**base, SHIPSTATION_API="shipengine"))
            )
            v2, v2_pid = await stack.enter_async_context(stdio_server(SERVER_ARGS, server_env(**base)))
            minimal, minimal_pid = await stack.enter_async_context(stdio_server(MINIMAL_ARGS, server_env(**base)))
            looped, looped_pid = await stack.enter_async_context(
                stdio_server([*MINIMAL_ARGS, "--loop-stdio"], server_env(**base))
            )
            if args.baseline:
                before_env = {**server_env(**base, SHIPSTATION_API="shipengine"), "PYTHONPATH": args.baseline}
                before, before_pid = await stack.enter_async_context(
                    stdio_server(SERVER_ARGS, before_env, python=args.baseline_python)
                )
            headers = {"API-Key": BENCH_KEY, "Accept": "application/json"}
            bare = await stack.enter_async_context(httpx.AsyncClient(headers=headers))

            async def call(client: Any, tool: str, arguments: dict[str, Any]) -> None:
                result = await client.call_tool(tool, arguments)
                assert not result.is_error, result.content

            async def get() -> None:
                response = await bare.get(
                    f"{url}/v1/tracking", params={"carrier_code": "ups", "tracking_number": NUMBER}
                )
                assert response.status_code == 200
                response.json()

            cases: list[tuple[str, Callable[[], Awaitable[None]], int | None]] = [
                (
                    "shipstation-mcp `track_package` (ShipEngine)",
                    lambda: call(
                        shipengine,
                        "track_package",
                        {"tracking_number": NUMBER, "carrier_code": "ups", "refresh": True},
                    ),
                    shipengine_pid,
                ),
                (
                    "shipstation-mcp `track_label` (V2)",
                    lambda: call(v2, "track_label", {"label_id": "se-1070", "refresh": True}),
                    v2_pid,
                ),
                (
                    MINIMAL,
                    lambda: call(minimal, "track", {"tracking_number": NUMBER, "carrier_code": "ups"}),
                    minimal_pid,
                ),
                (
                    LOOP_STDIO,
                    lambda: call(looped, "track", {"tracking_number": NUMBER, "carrier_code": "ups"}),
                    looped_pid,
                ),
                ("bare httpx GET, same URL (no MCP)", get, None),
            ]
            if args.baseline:
                arguments = {"tracking_number": NUMBER, "carrier_code": "ups", "refresh": True}
                name = f"before (`{args.baseline_label}`): `track_package` (ShipEngine)"
                cases.insert(0, (name, lambda: call(before, "track_package", arguments), before_pid))
            times: dict[str, list[float]] = {name: [] for name, _, _ in cases}
            cpu_start: dict[str, float] = {}
            for i in range(WARMUP + args.calls):
                if i == WARMUP:
                    cpu_start = {name: cpu_seconds(pid) for name, _, pid in cases if pid}
                for name, run, _ in cases:
                    started = time.perf_counter()
                    await run()
                    if i >= WARMUP:
                        times[name].append((time.perf_counter() - started) * 1000)
            cpu = {name: (cpu_seconds(pid) - cpu_start[name]) * 1000 / args.calls for name, _, pid in cases if pid}

    bare_ms = median(times[cases[-1][0]])
    minimal_name = MINIMAL
    rows = []
    for name, _, pid in cases:
        wall = median(times[name])
        rows.append(
            [
                name,
                f"{wall:.2f}",
                f"{percentile(times[name], 0.99):.2f}",
                f"{wall - bare_ms:+.2f}" if pid else "–",
                f"{cpu[name]:.2f}" if pid else "–",
                f"{cpu[name] - cpu[minimal_name]:+.2f}" if pid and name != minimal_name else "–",
            ]
        )
    print(
        f"### Overhead per tool call over stdio ({args.calls} calls each, mock latency {args.latency * 1000:.0f} ms)\n"
    )
    print(f"Machine: {machine()}\n")
    headers = ["what", "median ms", "p99 ms", "above bare GET ms", "server CPU ms/call", "CPU above one-tool server"]
    print(table(headers, rows))
    print(
        "\nThe one-tool server is the floor any server on this SDK and httpx pays per call (JSON-RPC over stdio, "
        "validation, the HTTP client); the last column is what shipstation-mcp adds to it. The same server over "
        "bench/loop_stdio.py shows the part of that floor spent handing each line to the SDK's stdio worker "
        "threads (MCPServer offers no public way to serve other streams, so shipstation-mcp uses the SDK's)."
    )


if __name__ == "__main__":
    asyncio.run(main())
