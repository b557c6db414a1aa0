"""Cover images drawn by code (so no licence question): a sky, a ground and a building with lit windows, as PNG."""

from __future__ import annotations

import struct
import zlib

WIDTH, HEIGHT = 480, 270  # 16:9, small enough to store and serve instantly


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(pixels: list[bytes], width: int, height: int) -> bytes:
    """An RGB PNG from rows of width*3 bytes."""
    raw = b"".join(b"\x00" + row for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b""))


def _mix(top: tuple[int, int, int], bottom: tuple[int, int, int], share: float) -> bytes:
    return bytes(round(a + (b - a) * share) for a, b in zip(top, bottom, strict=True))


def building(sky: tuple[int, int, int], wall: tuple[int, int, int], floors: int, seed: int) -> bytes:
    """A building of `floors` floors (1-12) under a `sky`-coloured gradient; `seed` varies which windows are lit."""
    ground_y, left, right = HEIGHT - 40, WIDTH // 2 - 90, WIDTH // 2 + 90
    top_y = ground_y - 18 * max(1, min(floors, 12))
    rows = []
    for y in range(HEIGHT):
        if y >= ground_y:
            rows.append(bytes((70, 110, 70)) * WIDTH)
            continue
        background = _mix(sky, (250, 245, 235), y / ground_y)
        row = bytearray(background * WIDTH)
        if y >= top_y:
            floor, in_floor = divmod(y - top_y, 18)
            for x in range(left, right):
                column, in_column = divmod(x - left, 20)
                window = 5 <= in_floor <= 13 and 6 <= in_column <= 14
                lit = (column * 7 + floor * 3 + seed) % 5 < 2
                colour = (255, 214, 120) if window and lit else (60, 70, 90) if window else wall
                row[x * 3:x * 3 + 3] = bytes(colour)
        rows.append(bytes(row))
    return png(rows, WIDTH, HEIGHT)
