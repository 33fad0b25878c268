"""Draws icon.png, the bundle's and the registry entry's icon (512x512 PNG), with the standard library only.

A parcel (kraft-brown box, tape, a label) on a rounded teal square, with a white location pin: "where is my order?".
Run `python .ci/make_icon.py` to redraw it; the PNG is checked in.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

SIZE = 512
TEAL, BOX, BOX_DARK, TAPE, WHITE, INK = (
    (17, 122, 139),
    (201, 150, 94),
    (160, 112, 64),
    (231, 205, 160),
    (255, 255, 255),
    (33, 52, 64),
)


def inside_rounded(x: float, y: float, x0: float, y0: float, x1: float, y1: float, r: float) -> bool:
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r and x0 <= x <= x1 and y0 <= y <= y1


def pixel(x: int, y: int) -> tuple[int, int, int, int]:
    px, py = x + 0.5, y + 0.5
    if not inside_rounded(px, py, 16, 16, 496, 496, 96):
        return (0, 0, 0, 0)
    color = TEAL
    # The box: front face and lid.
    if 96 <= px <= 416 and 200 <= py <= 432:
        color = BOX
        if 236 <= px <= 276:
            color = TAPE
        if 300 <= px <= 392 and 330 <= py <= 400:
            lines = 346 <= py <= 352 or 364 <= py <= 370 or 382 <= py <= 386
            color = INK if 316 <= px <= 376 and lines else WHITE
    elif 80 <= px <= 432 and 168 <= py < 200:
        color = BOX_DARK if not 232 <= px <= 280 else TAPE
    # The location pin above the box: a circle over a point, with a hole.
    pin_x, pin_y, radius = 256, 120, 64
    d = math.hypot(px - pin_x, py - pin_y)
    in_head = d <= radius
    in_point = pin_y <= py <= 236 and abs(px - pin_x) <= (236 - py) * radius / (236 - pin_y)
    if in_head or in_point:
        color = WHITE if d > 26 or not in_head else TEAL
    return (*color, 255)


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main() -> None:
    rows = [bytes(v for x in range(SIZE) for v in pixel(x, y)) for y in range(SIZE)]
    (Path(__file__).resolve().parent.parent / "icon.png").write_bytes(png(SIZE, SIZE, rows))


if __name__ == "__main__":
    main()
