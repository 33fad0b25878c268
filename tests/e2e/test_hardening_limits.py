"""Attacks on a real `shipstation-mcp` process found by the hostile review (issue 21), reproduced on 127.0.0.1:
descriptor exhaustion under a 1,024 open-file limit, a JWKS refetch spent by an unsigned probe, forged log lines,
and OAuth claims no number can hold."""

from __future__ import annotations

import contextlib
import resource
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.support.hardening_kit import base_env, server_process
from tests.support.webhook_kit import SigningKey, body_of, jwks_server, payload

PATH = "/webhooks/shipstation"
KEY = SigningKey("kid-limits")
IDLE = 2000
FILES = 1024


def test_2000_idle_connections_under_a_1024_file_limit_leave_deliveries_fast_and_the_log_quiet(tmp_path: Path) -> None:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < IDLE + 200:
        pytest.skip(f"ulimit -n is {soft}; this test holds {IDLE} client sockets itself")
    with jwks_server(KEY) as keys:
        env = base_env(tmp_path, SHIPSTATION_WEBHOOK_JWKS_URL=keys.url, SHIPSTATION_HTTP_TIMEOUT="60")
        log = tmp_path / "r.log"
        with server_process(["webhooks"], env, ready_path=PATH, log=log, open_files=FILES) as receiver:
            idle = []
            for _ in range(IDLE):
                sock = socket.socket()
                sock.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    sock.connect(("127.0.0.1", receiver.port))
                idle.append(sock)
            time.sleep(1.0)  # the server meets the flood
            times = []
            with httpx.Client(timeout=30) as http:
                for n in range(5):
                    body = body_of(payload(status_code="IT", status_description=f"scan {n}"))
                    started = time.monotonic()
                    answer = http.post(
                        receiver.base + PATH, content=body, headers={**KEY.headers(body), "connection": "close"}
                    )
                    times.append(time.monotonic() - started)
                    assert answer.status_code == 200, answer.text
                    time.sleep(0.5)
            for sock in idle:
                sock.close()
            text = receiver.stderr()
    lines = text.splitlines()
    print(f"deliveries {max(times):.2f} s at most; {len(lines)} log lines, {len(text)} bytes")
    assert max(times) < 1.0
    assert "Traceback" not in text
    assert "out of system resource" not in text
    assert len(lines) < 20, lines[-10:]
