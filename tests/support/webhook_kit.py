"""Test kit for the webhook receiver: a signing key made in the test, its JWKS served on 127.0.0.1, deliveries
signed the way ShipStation signs them, and an in-process uvicorn for ASGI apps. No internet anywhere."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anyio
import httpx
import uvicorn
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from shipstation_mcp.live.receiver import KEY_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_message
from tests.fixtures import load_json
from tests.support.processes import THIS_TREE


@cache
def _private_key(slot: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64url(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class SigningKey:
    """An RSA key pair made for the test, with the JWK ShipStation would publish for it."""

    def __init__(self, kid: str, slot: int = 0) -> None:
        self.kid = kid
        self.private = _private_key(slot)

    def jwk(self) -> dict[str, str]:
        numbers = self.private.public_key().public_numbers()
        return {
            "kty": "RSA",
            "kid": self.kid,
            "use": "sig",
            "alg": "RS256",
            "n": _b64url(numbers.n),
            "e": _b64url(numbers.e),
        }

    def sign(self, body: bytes, timestamp: str) -> str:
        signature = self.private.sign(signed_message(timestamp, body), padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode()

    def headers(self, body: bytes, *, at: datetime | None = None, kid: str | None = None) -> dict[str, str]:
        stamp = (at or datetime.now(UTC)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return {
            KEY_ID_HEADER: kid or self.kid,
            SIGNATURE_HEADER: self.sign(body, stamp),
            TIMESTAMP_HEADER: stamp,
            "content-type": "application/json",
        }


class JwksServer:
    """Serves `{"keys": [...]}` at http://127.0.0.1:<port>/jwks and counts the requests."""

    def __init__(self, *keys: SigningKey) -> None:
        self.keys = list(keys)
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                body = json.dumps({"keys": [k.jwk() for k in outer.keys]}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/jwks"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> JwksServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def jwks_server(*keys: SigningKey) -> Iterator[JwksServer]:
    with JwksServer(*keys) as server:
        yield server


async def eventually(condition: Callable[[], object], *, within: float = 5.0) -> None:
    """Wait until `condition()` holds (state owned by another thread or process, so no event to wait on)."""
    with anyio.fail_after(within):
        while not condition():  # noqa: ASYNC110
            await anyio.sleep(0.01)


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """Run an ASGI app (lifespan included) on 127.0.0.1 in this event loop; yield its base URL."""
    sock = free_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="on", access_log=False))
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(server.serve, [sock])
        await eventually(lambda: server.started, within=10)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True


class ReceiverStart:
    """`shipstation-mcp webhooks` started in a child process on a free port; `up()` waits until it answers, so a
    test can start something else meanwhile.

    The port is held (bound with SO_REUSEADDR, not listening) until the child listens on it, so no other process
    asking the kernel for a free port can be handed it in between.
    """

    def __init__(self, data_dir: Path, jwks_url: str, log: Path) -> None:
        self._reserved = free_socket()
        port = self._reserved.getsockname()[1]
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(data_dir.parent),
            "SHIPSTATION_DATA_DIR": str(data_dir),
            "SHIPSTATION_WEBHOOK_JWKS_URL": jwks_url,
            "SHIPSTATION_LOG_LEVEL": "WARNING",
            **THIS_TREE,
        }
        self.log = log
        try:
            with log.open("ab") as err:
                self.child = subprocess.Popen(
                    [sys.executable, "-m", "shipstation_mcp", "webhooks", "--port", str(port)],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                    cwd=data_dir.parent,
                )
        except BaseException:
            self._reserved.close()
            raise
        self.url = f"http://127.0.0.1:{port}/webhooks/shipstation"

    def up(self) -> tuple[subprocess.Popen[bytes], str]:
        """The child and the receiver's URL, once it answers (within 30 s, else the child is killed)."""
        with self._reserved:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if httpx.get(self.url, timeout=1).status_code == 405:  # up (the route serves POST only)
                        return self.child, self.url
                except httpx.TransportError:
                    time.sleep(0.05)
                if self.child.poll() is not None:
                    break
        self.child.kill()
        raise AssertionError(f"receiver did not start: {self.log.read_text()[-2000:]}")


def start_receiver(data_dir: Path, jwks_url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`shipstation-mcp webhooks` in a child process on a free port; returns it and the receiver's URL once up."""
    return ReceiverStart(data_dir, jwks_url, log).up()


def payload(name: str = "webhook_track_event_v2.json", **changes: Any) -> dict[str, Any]:
    """A quirk fixture payload, with `data` fields changed as asked."""
    body = load_json(f"quirks/{name}")
    body["data"].update(changes)
    return body


def body_of(obj: Any) -> bytes:
    return json.dumps(obj).encode()


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
