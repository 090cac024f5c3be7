"""Strict decoding of the fingerprint images kiosks send: base64 of a PNG of a grey image."""

from __future__ import annotations

import base64
import binascii
import struct
from dataclasses import dataclass

import cv2
import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MIN_SIDE_PIXELS = 100
MAX_SIDE_PIXELS = 1000
# Signature, then the IHDR chunk: length (4), type (4), width (4), height (4).
_IHDR_END = len(PNG_SIGNATURE) + 16


class FingerprintPngError(ValueError):
    """Why a fingerprint image cannot be used, in words a kiosk developer can act on."""


@dataclass(frozen=True)
class FingerprintPng:
    """A decoded fingerprint image: the PNG as received and its grey pixels."""

    png: bytes
    pixels: np.ndarray


def _png_size(png: bytes) -> tuple[int, int]:
    if len(png) < _IHDR_END or not png.startswith(PNG_SIGNATURE):
        raise FingerprintPngError("image_png is not a PNG")
    if png[12:16] != b"IHDR":
        raise FingerprintPngError("image_png is a damaged PNG: no IHDR header")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _check_side(width: int, height: int) -> None:
    for side in (width, height):
        if not MIN_SIDE_PIXELS <= side <= MAX_SIDE_PIXELS:
            raise FingerprintPngError(
                f"image is {width}x{height} pixels; each side must be "
                f"{MIN_SIDE_PIXELS}..{MAX_SIDE_PIXELS}"
            )


def _grey(image: np.ndarray) -> np.ndarray:
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    if image.dtype != np.uint8:
        raise FingerprintPngError(f"image has unsupported sample type {image.dtype}")
    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    raise FingerprintPngError(f"image of shape {image.shape} cannot be made grey")


def decode_fingerprint_png(image_png: str) -> FingerprintPng:
    """The PNG behind ``image_png`` and its grey pixels; FingerprintPngError if unusable.

    The size is read from the PNG header before decoding, so a small file that claims huge
    dimensions is refused without allocating them.
    """
    try:
        png = base64.b64decode(image_png, validate=True)
    except (binascii.Error, ValueError):
        raise FingerprintPngError("image_png is not valid base64") from None
    _check_side(*_png_size(png))
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise FingerprintPngError("image_png is a damaged PNG: it does not decode")
    pixels = np.ascontiguousarray(_grey(image))
    _check_side(pixels.shape[1], pixels.shape[0])
    return FingerprintPng(png, pixels)
