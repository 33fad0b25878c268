"""Several real `shipstation-mcp` processes on 127.0.0.1 sharing Redis and PostgreSQL, plus the benchmark mock
ShipStation: what the end-to-end tests and bench/bench_scale.py start."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.state.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "e2e-token-0123456789-abcdefghij"
API_KEY = "e2e-key-not-secret"
WEBHOOK_PATH = "/webhooks/shipstation"


@dataclass
class Instance:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def mcp_url(self) -> str:
        return self.base + "/mcp"

    @property
    def webhook_url(self) -> str:
        return self.base + WEBHOOK_PATH

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def start_instance(
    name: str, folder: Path, env: Mapping[str, str], *, command: str = "serve", wait: bool = True
) -> Instance:
    """`shipstation-mcp --transport http` (or `webhooks`) in a child process on a free port, once it answers."""
    port = free_port()
    data_dir = folder / name
    data_dir.mkdir(parents=True, exist_ok=True)
    full_env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(folder),
        "PYTHONPATH": str(ROOT),
        "SHIPSTATION_DATA_DIR": str(data_dir),
        "SHIPSTATION_LOG_LEVEL": "WARNING",
        "SHIPSTATION_API_KEY": API_KEY,
        "SHIPSTATION_MCP_TOKEN": TOKEN,
        **env,
    }
    args = [sys.executable, "-m", "shipstation_mcp"]
    args += ["webhooks", "--port", str(port)] if command == "webhooks" else ["--transport", "http", "--port", str(port)]
    log = folder / f"{name}.log"
    with log.open("ab") as err:
        process = subprocess.Popen(
            args, env=full_env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, cwd=folder
        )
    instance = Instance(name, port, process, log)
    if wait:
        wait_until_up(instance)
    return instance


def wait_until_up(instance: Instance, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(instance.webhook_url, timeout=1).status_code == 405:  # up (the route serves POST only)
                return
        if instance.process.poll() is not None:
            break
        time.sleep(0.05)
    instance.kill()
    raise AssertionError(f"{instance.name} did not start: {instance.tail()}")


@contextlib.contextmanager
def instances(count: int, folder: Path, env: Mapping[str, str], *, command: str = "serve") -> Iterator[list[Instance]]:
    started: list[Instance] = []
    try:
        # Start them all, then wait: they boot in parallel.
        started = [start_instance(f"i{n}", folder, env, command=command, wait=False) for n in range(count)]
        for instance in started:
            wait_until_up(instance)
        yield started
    finally:
        for instance in started:  # all at once: each may take a few seconds to shut down gracefully
            if instance.process.poll() is None:
                instance.process.terminate()
        for instance in started:
            instance.stop()


@contextlib.contextmanager
def mock_shipstation(*, latency: float = 0.05, rate_limit: int = 200, window: float = 60.0) -> Iterator[str]:
    """bench/mock_shipstation.py in its own process (at most `rate_limit` requests per rolling `window`)."""
    port = free_port()
    command = [sys.executable, str(ROOT / "bench" / "mock_shipstation.py"), "--port", str(port)]
    command += ["--latency", str(latency), "--rate-limit", str(rate_limit), "--window", str(window)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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


def mock_stats(url: str) -> dict[str, Any]:
    return httpx.get(url + "/__stats").json()  # type: ignore[no-any-return]
