"""Cold start: from spawning `python -m shipstation_mcp` to its answer to tools/list over stdio; median of 10.

    python bench/bench_coldstart.py [--runs 10]

Each run starts a new process (interpreter, imports, settings, server) and an MCP client session over its stdin and
stdout: the time covers the initialize handshake and tools/list. No network is used (tools/list needs none).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time

from common import BENCH_KEY, ROOT, machine, median, table
from mcp import Client
from mcp.client.stdio import StdioServerParameters


async def one_run() -> tuple[float, int]:
    env = {"SHIPSTATION_API_KEY": BENCH_KEY, "SHIPSTATION_LOG_LEVEL": "WARNING", "PATH": os.environ.get("PATH", "")}
    params = StdioServerParameters(command=sys.executable, args=["-m", "shipstation_mcp"], env=env, cwd=str(ROOT))
    started = time.perf_counter()
    async with Client(params) as client:
        tools = await client.list_tools()
        elapsed = time.perf_counter() - started
    return elapsed, len(tools.tools)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    results = [await one_run() for _ in range(args.runs)]
    times = [t * 1000 for t, _ in results]
    print(f"### Cold start to tools/list over stdio ({args.runs} runs)\n")
    print(f"Machine: {machine()}\n")
    rows = [
        ["median ms", f"{median(times):.0f}"],
        ["min / max ms", f"{min(times):.0f} / {max(times):.0f}"],
        ["tools listed", results[0][1]],
    ]
    print(table(["cold start", "value"], rows))


if __name__ == "__main__":
    asyncio.run(main())
