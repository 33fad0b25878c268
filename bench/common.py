"""Shared benchmark plumbing: start the mock, read its counters, describe the machine, print tables."""

from __future__ import annotations

import contextlib
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BENCH_KEY = "bench-key-not-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def mock_server(*, latency: float = 0.1, rate_limit: int = 200) -> Iterator[str]:
    """Run bench/mock_shipstation.py in its own process; yield its base URL."""
    port = free_port()
    command = [sys.executable, str(BENCH / "mock_shipstation.py"), "--port", str(port)]
    command += ["--latency", str(latency), "--rate-limit", str(rate_limit)]
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
    return f"`{uname}`; {os.cpu_count()} CPU(s) (nproc); Python {platform.python_version()}"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
