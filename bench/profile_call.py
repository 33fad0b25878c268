"""Where a tool call's CPU goes: a profile of the real stdio server, grouped by package.

    python bench/profile_call.py [--calls 300]

Runs `python -m shipstation_mcp` (and the one-tool server) over stdio under bench/profiled_server.py, warms it up
with 20 calls, then profiles exactly `--calls` tool calls (each one `GET` to the mock, refresh=true) on the main
thread, where the event loop runs. Each function's own time (not its callees') is summed by the package it belongs
to and divided by the calls. The SDK's stdio reads and writes run in worker threads and are not in the profile.
cProfile slows Python code down several times, so read the shares, not the milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pstats
import signal
import tempfile
from collections import Counter
from pathlib import Path

from common import BENCH, MINIMAL_ARGS, machine, mock_server, server_env, stdio_server, table

NUMBER = "1Z999AA10000000070"
GROUPS = [
    ("select.epoll", "waiting in epoll (idle, not CPU)"),
    ("_thread.lock", "handing lines to the SDK's stdio threads (locks)"),
    ("_socket.socket", "socket system calls"),
    ("shipstation_mcp", "shipstation-mcp"),
    ("/mcp/", "MCP SDK (mcp)"),
    ("/mcp_types/", "MCP SDK (mcp_types)"),
    ("/httpx/", "httpx / httpcore / h11"),
    ("/httpcore/", "httpx / httpcore / h11"),
    ("/h11/", "httpx / httpcore / h11"),
    ("/anyio/", "anyio"),
    ("pydantic", "pydantic (validation: our API models, the SDK's messages)"),
    ("/asyncio/", "asyncio (event loop)"),
    ("/json/", "json"),
    ("/logging/", "logging"),
]


def group_of(filename: str) -> str:
    for needle, name in GROUPS:
        if needle in filename:
            return name
    return "other (stdlib, builtins)"


def own_time(path: Path) -> Counter[str]:
    stats = pstats.Stats(str(path))
    totals: Counter[str] = Counter()
    for (filename, _, name), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        totals[group_of(f"{filename}:{name}")] += tottime
    return totals


async def profile(args: list[str], tool: str, arguments: dict, calls: int, url: str, out: Path, api: str) -> None:
    env = server_env(SHIPSTATION_BASE_URL=url, SHIPSTATION_RATE_LIMIT="100000", SHIPSTATION_API=api)
    async with stdio_server([str(BENCH / "profiled_server.py"), str(out), *args], env) as (client, pid):
        for i in range(20 + calls):
            if i == 20:
                os.kill(pid, signal.SIGUSR1)
            result = await client.call_tool(tool, arguments)
            assert not result.is_error, result.content
        os.kill(pid, signal.SIGUSR2)
        await client.list_tools()  # answered after the handler ran: the profile is written


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    servers = [
        (
            "shipstation-mcp `track_package` (ShipEngine)",
            ["-m", "shipstation_mcp"],
            "track_package",
            {"tracking_number": NUMBER, "carrier_code": "ups", "refresh": True},
            "shipengine",
        ),
        (
            "one-tool server",
            MINIMAL_ARGS,
            "track",
            {"tracking_number": NUMBER, "carrier_code": "ups"},
            "shipengine",
        ),
    ]
    per_call: dict[str, Counter[str]] = {}
    with mock_server(latency=0, rate_limit=0) as url, tempfile.TemporaryDirectory() as folder:
        for name, server_args, tool, arguments, api in servers:
            out = Path(folder, "calls.prof")
            await profile(server_args, tool, arguments, args.calls, url, out, api)
            per_call[name] = Counter({k: v * 1000 / args.calls for k, v in own_time(out).items()})
    names = [name for name, *_ in servers]
    groups = sorted({g for c in per_call.values() for g in c}, key=lambda g: -per_call[names[0]][g])
    rows = []
    for group in groups:
        cells = [f"{per_call[name][group]:.2f}" for name in names]
        rows.append([group, *cells])
    cpu = {name: sum(v for k, v in per_call[name].items() if not k.startswith("waiting")) for name in names}
    rows.append(["**total, without waiting**", *(f"**{cpu[name]:.2f}**" for name in names)])
    print(f"### Where one tool call's time goes (cProfile, {args.calls} calls, own time per call in ms)\n")
    print(f"Machine: {machine()}\n")
    print(table(["package", *names], rows))
    print(
        "\nUnder cProfile every Python function call costs extra, so these totals are several times the real "
        "CPU per call in the overhead table; the split between the packages is what this shows."
    )


if __name__ == "__main__":
    asyncio.run(main())
