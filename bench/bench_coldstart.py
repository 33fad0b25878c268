"""Cold start to tools/list over stdio: shipstation-mcp beside a one-tool server on the same SDK, same run.

    python bench/bench_coldstart.py [--runs 10]

Each run spawns a new process (interpreter, imports, settings, server) and an MCP client session over its stdin and
stdout, and times until the answer to tools/list (initialize handshake included); it also reads the process's CPU
time at that moment (the kernel's accounting). The two servers alternate, A B A B …, so drift on a shared machine
hits both alike; "ratio" is the median of the pair-by-pair ratios. `import mcp` alone is timed the same way, as the
part of start-up no server on this SDK avoids. No network is used.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time

from common import MINIMAL_ARGS, SERVER_ARGS, cpu_seconds, machine, median, server_env, stdio_server, table


async def one_run(args: list[str]) -> tuple[float, float, int]:
    env = server_env(SHIPSTATION_BASE_URL="http://127.0.0.1:9")  # never contacted: tools/list needs no API
    started = time.perf_counter()
    async with stdio_server(args, env) as (client, pid):
        tools = await client.list_tools()
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(pid)
    return elapsed * 1000, cpu * 1000, len(tools.tools)


def import_mcp_ms() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import mcp.server.mcpserver"], check=True)
    return (time.perf_counter() - started) * 1000


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    ours, minimal, imports = [], [], []
    for _ in range(args.runs):
        ours.append(await one_run(SERVER_ARGS))
        minimal.append(await one_run(MINIMAL_ARGS))
        imports.append(import_mcp_ms())
    rows = []
    for name, runs in (("shipstation-mcp", ours), ("one-tool server, same SDK", minimal)):
        walls = [wall for wall, _, _ in runs]
        rows.append(
            [
                name,
                runs[0][2],
                f"{median(walls):.0f}",
                f"{min(walls):.0f} / {max(walls):.0f}",
                f"{median([cpu for _, cpu, _ in runs]):.0f}",
            ]
        )
    rows.append(["`import mcp.server.mcpserver` alone (process)", "–", f"{median(imports):.0f}", "", "–"])
    wall_ratio = statistics.median(a[0] / b[0] for a, b in zip(ours, minimal, strict=True))
    cpu_ratio = statistics.median(a[1] / b[1] for a, b in zip(ours, minimal, strict=True))
    print(f"### Cold start to tools/list over stdio ({args.runs} runs each, alternating)\n")
    print(f"Machine: {machine()}\n")
    print(table(["server", "tools", "median ms", "min / max ms", "CPU ms (median)"], rows))
    print(
        f"\nshipstation-mcp / one-tool server: **{wall_ratio:.2f}×** wall, **{cpu_ratio:.2f}×** CPU (median of pairs)."
    )


if __name__ == "__main__":
    asyncio.run(main())
