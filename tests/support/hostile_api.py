"""A hostile ShipStation on 127.0.0.1: `python -m tests.hostile_api` prints its port. The label id in
`GET /v1/labels/{attack}/track` picks the attack:

    ok            200 with a tracking answer
    drip          200 promising 200 bytes, then one byte a second
    huge          200 with a 400 MiB body, sent as fast as the client reads
    bomb          200, Content-Encoding: gzip, 1 MiB that inflates to 1 GiB
    deep          200 with JSON nested 100,000 levels deep
    retry99999    429 with Retry-After: 99999
    retry9999     429 with Retry-After: an HTTP date in the year 9999
"""

from __future__ import annotations

import asyncio
import functools
import json
import struct
import sys
import zlib

TRACKING = {"tracking_number": "1Z999AA10123456784", "carrier_code": "ups", "status_code": "IT", "events": []}


@functools.cache
def gzip_bomb(inflated: int = 1024 * 1024 * 1024) -> bytes:
    """A gzip body that inflates to `inflated` zero bytes, made on first use. After a full flush the compressor starts
    afresh, so every further 1 MiB block of zeros compresses to the same bytes: one block is compressed and its
    output repeated, with the trailer's CRC and length for the whole (compressing the whole GiB costs seconds)."""
    block = bytes(1024 * 1024)
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
    first = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    end = packer.flush()[:-8]  # the final block, without the trailer for the two blocks fed
    crc = 0
    for _ in range(inflated // len(block)):
        crc = zlib.crc32(block, crc)
    trailer = struct.pack("<II", crc, inflated % 2**32)
    return first + again * (inflated // len(block) - 1) + end + trailer


def head(status: str, length: int, **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {length}", "Content-Type: application/json"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            request = await reader.readuntil(b"\r\n\r\n")
            path = request.split(b" ", 2)[1].decode("latin-1").split("?")[0]
            parts = path.strip("/").split("/")
            attack = parts[2] if len(parts) >= 4 and parts[1] == "labels" else "ok"
            body = json.dumps(TRACKING).encode()
            if attack == "drip":
                writer.write(head("200 OK", 200))
                for _ in range(200):
                    await writer.drain()
                    writer.write(b" ")
                    await asyncio.sleep(1)
            elif attack == "huge":
                size = 400 * 1024 * 1024
                writer.write(head("200 OK", size))
                chunk = b" " * (1024 * 1024)
                for _ in range(size // len(chunk)):
                    writer.write(chunk)
                    await writer.drain()
            elif attack == "bomb":
                bomb = gzip_bomb()
                writer.write(head("200 OK", len(bomb), Content_Encoding="gzip") + bomb)
            elif attack == "deep":
                deep = b"[" * 100_000 + b"]" * 100_000
                writer.write(head("200 OK", len(deep)) + deep)
            elif attack == "retry99999":
                writer.write(head("429 Too Many Requests", 2, Retry_After="99999") + b"{}")
            elif attack == "retry9999":
                writer.write(head("429 Too Many Requests", 2, Retry_After="Fri, 31 Dec 9999 23:59:59 GMT") + b"{}")
            else:
                writer.write(head("200 OK", len(body)) + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main() -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    sys.stdout.close()
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
