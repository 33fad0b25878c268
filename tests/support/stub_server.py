"""A tiny ShipStation stand-in on 127.0.0.1 for tests that run the real server in a subprocess.

Routes map "METHOD /path?query" (query optional) to a (status, body, headers) answer; every request is recorded with
its headers so tests can assert what the subprocess sent.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Stub:
    routes: dict[str, tuple[int, Any, dict[str, str]]]
    requests: list[Recorded] = field(default_factory=list)
    base_url: str = ""


def _handler(stub: Stub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            stub.requests.append(Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = stub.routes.get(f"{self.command} {self.path}") or stub.routes.get(
                f"{self.command} {self.path.split('?')[0]}"
            )
            status, body, headers = route or (404, {"errors": [{"message": "no such route in the stub"}]}, {})
            payload = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, *_: object) -> None:
            pass

    return Handler


@contextmanager
def serve(routes: Mapping[str, Any]) -> Iterator[Stub]:
    """Serve `routes` ({"GET /v2/x": body} or {"GET /v2/x": (status, body, headers)}) until the block ends."""
    normalised = {key: value if isinstance(value, tuple) else (200, value, {}) for key, value in routes.items()}
    stub = Stub(routes=normalised)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    stub.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        httpd.shutdown()
        httpd.server_close()
