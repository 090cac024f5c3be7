"""Tiny image files whose headers declare huge sizes, and small real PNGs to compare with."""

from __future__ import annotations

import struct
import zlib
from io import BytesIO

import numpy as np
from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _encoded(image: Image.Image, fmt: str) -> bytes:
    buffer = BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def jpeg_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A valid 16x16 baseline JPEG whose frame header (SOF0) is rewritten to ``width x height``."""
    data = bytearray(_encoded(Image.new("RGB", (16, 16), (128, 90, 60)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    # FF C0, length (2), precision (1), height (2), width (2)
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A valid 16x16 grey PNG whose IHDR (with its CRC redone) declares ``width x height``."""
    data = bytearray(_encoded(Image.new("L", (16, 16), 128), "PNG"))
    struct.pack_into(">II", data, 16, width, height)
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def noise_png(width: int, height: int, seed: int = 0) -> bytes:
    """A real RGB PNG of noise, which barely compresses: about 3 bytes a pixel."""
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return _encoded(Image.fromarray(pixels, "RGB"), "PNG")
