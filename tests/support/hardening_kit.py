"""Test kit for the hardening tests: real server processes on 127.0.0.1, a TCP relay and a header-rewriting proxy
(what ssh -R, socat, frp and nginx's default proxy_pass do), and the resident memory of a process. No internet."""

from __future__ import annotations

import asyncio
import os
import re
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.webhook_kit import free_socket

ROOT = Path(__file__).resolve().parents[2]


def rss_mib(pid: int) -> float:
    """Resident memory of a process, in MiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def peak_rss_mib(pid: int) -> float:
    """The most resident memory the process has had so far, in MiB (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def free_port() -> int:
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    return port


@dataclass
class Process:
    child: subprocess.Popen[bytes]
    port: int
    log: Path
    lines: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")


def base_env(home: Path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "PYTHONPATH": str(ROOT),
        "SHIPSTATION_DATA_DIR": str(home / "data"),
        "SHIPSTATION_LOG_LEVEL": "INFO",
    }
    env.update(extra)
    return env


@contextmanager
def server_process(
    args: list[str], env: dict[str, str], *, ready_path: str, log: Path, open_files: int | None = None
) -> Iterator[Process]:
    """`python -m shipstation_mcp <args> --port <free>` until the context ends; waits for `ready_path` to answer.

    `open_files`: the child's RLIMIT_NOFILE, soft and hard (set in the child only, never on this process)."""
    port = free_port()

    def limit_files() -> None:
        if open_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

    with log.open("wb") as err:
        child = subprocess.Popen(
            [sys.executable, "-m", "shipstation_mcp", *args, "--port", str(port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            cwd=log.parent,
            preexec_fn=limit_files if open_files is not None else None,
        )
    process = Process(child, port, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(process.base + ready_path, timeout=1)
                break
            except httpx.TransportError:
                if child.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"server did not start: {process.stderr()[-2000:]}") from None
                time.sleep(0.05)
        yield process
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(timeout=5)


def printed_token(process: Process) -> str:
    found = re.search(r"Authorization: Bearer (\S+)", process.stderr())
    assert found, process.stderr()[-2000:]
    return found.group(1)


class Relay:
    """A relay on 127.0.0.1 in its own thread: bytes in, bytes out (a TCP tunnel), or, with `rewrite_host`, the
    request head's Host replaced by the upstream's, as nginx's default proxy_pass does; it adds no header."""

    def __init__(self, upstream_port: int, *, rewrite_host: bool = False) -> None:
        self.upstream_port = upstream_port
        self.rewrite_host = rewrite_host
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._started.set()
        self._loop.run_forever()
        server.close()
        tasks = asyncio.all_tasks(self._loop)
        for task in tasks:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        self._loop.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, rewrite: bool) -> None:
        try:
            while True:
                if rewrite:
                    head = await reader.readuntil(b"\r\n\r\n")
                    head = re.sub(
                        rb"(?im)^host:[^\r\n]*", f"Host: 127.0.0.1:{self.upstream_port}".encode(), head, count=1
                    )
                    writer.write(head)
                    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                    if length:
                        writer.write(await reader.readexactly(int(length.group(1))))
                else:
                    data = await reader.read(65536)
                    if not data:
                        break
                    writer.write(data)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        await asyncio.gather(
            self._pipe(reader, up_writer, rewrite=self.rewrite_host),
            self._pipe(up_reader, writer, rewrite=False),
        )

    def __enter__(self) -> Relay:
        self._thread.start()
        self._started.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"
