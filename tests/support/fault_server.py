"""A misbehaving ShipStation on 127.0.0.1, over real sockets: `python -m tests.support.fault_server` prints its port.

Raw asyncio streams rather than a web framework, so it can break HTTP itself. The label id in
`GET /v1/labels/{fault}/track` picks the behaviour; counters are per path, so "fail N times, then answer" works:

    ok               200 with a tracking answer
    storm429         always 429, Retry-After: 0
    storm429long     always 429, Retry-After: 120 (longer than the client waits)
    burst503-N       503 (an HTML page) for the first N requests of this path, then 200
    always502        502 with an HTML page
    slow             answers after 5 s (longer than the client's timeout)
    reset            reads the request, then resets the connection (RST)
    truncated        200, valid HTTP, JSON cut in the middle
    short            200 promising more bytes than it sends, then closes
    badgzip          200 with Content-Encoding: gzip and a body that is not gzip
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import sys
from collections import Counter

TRACKING = {
    "tracking_number": "1Z999AA10123456784",
    "carrier_code": "ups",
    "status_code": "IT",
    "events": [{"occurred_at": "2026-05-20T08:00:00Z", "description": "Departed", "status_code": "IT"}],
}
HTML_503 = b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
seen: Counter[str] = Counter()


def head(status: str, headers: dict[str, str], length: int) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {length}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def answer(status: str, body: bytes, content_type: str = "application/json", **extra: str) -> bytes:
    return head(status, {"Content-Type": content_type, **extra}, len(body)) + body


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            try:
                request = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            path = request.split(b" ", 2)[1].decode("latin-1").split("?")[0]
            seen[path] += 1
            parts = path.strip("/").split("/")
            fault = parts[2] if len(parts) >= 4 and parts[1] == "labels" else "ok"
            body = json.dumps(TRACKING).encode()
            if fault == "storm429":
                slow_down = b'{"errors":[{"message":"slow down"}]}'
                writer.write(answer("429 Too Many Requests", slow_down, **{"Retry-After": "0"}))
            elif fault == "storm429long":
                writer.write(answer("429 Too Many Requests", b"{}", **{"Retry-After": "120"}))
            elif fault.startswith("burst503-"):
                if seen[path] <= int(fault.split("-")[1]):
                    writer.write(answer("503 Service Unavailable", HTML_503, "text/html"))
                else:
                    writer.write(answer("200 OK", body))
            elif fault == "always502":
                writer.write(answer("502 Bad Gateway", HTML_503.replace(b"503", b"502"), "text/html"))
            elif fault == "slow":
                await asyncio.sleep(5)
                writer.write(answer("200 OK", body))
            elif fault == "reset":
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                return
            elif fault == "truncated":
                writer.write(answer("200 OK", body[: len(body) // 2]))
            elif fault == "short":
                writer.write(head("200 OK", {"Content-Type": "application/json"}, len(body) + 500) + body)
                await writer.drain()
                writer.close()
                return
            elif fault == "badgzip":
                writer.write(answer("200 OK", body, **{"Content-Encoding": "gzip"}))
            else:
                writer.write(answer("200 OK", body))
            await writer.drain()
    except (ConnectionError, OSError):
        return
    finally:
        writer.close()


async def main() -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
