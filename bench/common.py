"""Shared benchmark plumbing: start the mock, read its counters, describe the machine, print tables."""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BENCH_KEY = "bench-key-not-secret"
# The benchmarks measure this checkout, whatever else is installed.
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def mock_server(
    *,
    latency: float = 0.1,
    rate_limit: int = 200,
    packages: int = 100,
    count_tokens: bool = False,
    spec: Path | None = None,
) -> Iterator[str]:
    """Run bench/mock_shipstation.py in its own process; yield its base URL."""
    port = free_port()
    command = [sys.executable, str(BENCH / "mock_shipstation.py"), "--port", str(port)]
    command += ["--latency", str(latency), "--rate-limit", str(rate_limit), "--packages", str(packages)]
    command += ["--count-tokens"] if count_tokens else []
    command += ["--spec", str(spec)] if spec else []
    process = subprocess.Popen(command, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                httpx.get(url + "/__stats", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def stats(url: str) -> dict[str, Any]:
    return httpx.get(url + "/__stats").json()


def reset(url: str) -> None:
    httpx.post(url + "/__reset")


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    uname = " ".join(platform.uname())
    with contextlib.suppress(Exception):
        uname = subprocess.run(["uname", "-a"], capture_output=True, text=True, check=True).stdout.strip()
    cpu = ""
    with contextlib.suppress(OSError):
        names = [
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = f" ({names[0]})" if names else ""
    return (
        f"`{uname}`; {os.cpu_count()} CPU(s){cpu}; Python {platform.python_version()}; "
        f"mcp {importlib.metadata.version('mcp')}, httpx {importlib.metadata.version('httpx')}, "
        f"pydantic {importlib.metadata.version('pydantic')}"
    )


def server_env(**settings: str) -> dict[str, str]:
    """The environment a user's MCP client gives the server: the key, the settings, the checkout on the path."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "SHIPSTATION_LOG_LEVEL": "WARNING"}
    env["SHIPSTATION_API_KEY"] = BENCH_KEY
    env.update(settings)
    return env


SERVER_ARGS = ["-m", "shipstation_mcp"]
MINIMAL_ARGS = [str(BENCH / "minimal_server.py")]


@contextlib.asynccontextmanager
async def stdio_server(
    args: Sequence[str], env: dict[str, str], python: str | None = None
) -> AsyncIterator[tuple[Any, int]]:
    """A real server process over stdio, as an MCP client runs it; yields the connected client and the server's pid.
    `python`: another interpreter (e.g. an environment installed as the baseline was), default this one."""
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    python = python or sys.executable
    # `python -m` puts the working folder first on sys.path: the checkout on PYTHONPATH must be that folder too.
    cwd = env.get("PYTHONPATH") or str(ROOT)
    params = StdioServerParameters(command=python, args=list(args), env=env, cwd=cwd)
    async with Client(params) as client:
        yield client, child_pid(args, python)


def child_pid(args: Sequence[str], python: str | None = None) -> int:
    """The newest child of this process running `python *args`."""
    wanted = [python or sys.executable, *args]
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
            if ppid == os.getpid() and cmdline == wanted:
                found.append(int(entry.name))
    if not found:
        raise RuntimeError(f"no child process runs {wanted}")
    return max(found)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (the kernel's own accounting)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
