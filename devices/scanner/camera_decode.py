"""Find and decode QR codes and barcodes in a camera frame."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import cv2
import numpy as np
from PIL import Image
from pyzbar import pyzbar
from pyzbar.pyzbar import ZBarSymbol

from devices.scanner.framing import decode_code_text

# Codes smaller than this (shorter image side, pixels) are upscaled before the second attempt:
# zbar needs a few pixels per module, which a code held far from a webcam does not have.
_UPSCALE_BELOW_PIXELS = 1000


def decode_codes(
    frame: np.ndarray | Image.Image, *, symbols: Sequence[ZBarSymbol] | None = None
) -> list[str]:
    """Texts of the codes in a BGR, BGRA or grayscale frame or a PIL image, QR codes first.

    The frame is tried as grayscale first; only when nothing is found there are binarized and
    upscaled variants tried, so an empty frame costs more than one with a clear code.
    ``symbols`` limits the symbologies looked for (all when None); ``(ZBarSymbol.QRCODE,)``
    alone is several times faster, which matters when every camera frame is searched.
    """
    gray = _grayscale(frame)
    for variant in _variants(gray):
        found = pyzbar.decode(variant, symbols=symbols)
        if found:
            return _texts_qr_first(found)
    return []


def _grayscale(frame: np.ndarray | Image.Image) -> np.ndarray:
    if isinstance(frame, Image.Image):
        return np.asarray(frame.convert("L"))
    array = np.asarray(frame)
    if array.dtype != np.uint8:
        raise ValueError(f"expected an 8-bit frame, got {array.dtype}")
    if array.ndim == 2:
        return array
    if array.ndim == 3 and array.shape[2] == 1:
        return array[:, :, 0]
    if array.ndim == 3 and array.shape[2] == 3:
        return cv2.cvtColor(array, cv2.COLOR_BGR2GRAY)
    if array.ndim == 3 and array.shape[2] == 4:
        return cv2.cvtColor(array, cv2.COLOR_BGRA2GRAY)
    raise ValueError(f"unsupported frame shape {array.shape}")


def _variants(gray: np.ndarray) -> Iterator[np.ndarray]:
    yield gray
    shorter_side = min(gray.shape[:2])
    if shorter_side < _UPSCALE_BELOW_PIXELS:
        scale = 2.0
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    smoothed = cv2.GaussianBlur(gray, (5, 5), 0)
    _, otsu = cv2.threshold(smoothed, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    yield otsu
    # Uneven light (a glare spot, a shadow across the receipt) defeats a single threshold.
    yield cv2.adaptiveThreshold(
        smoothed, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 31, 5
    )


def _texts_qr_first(symbols: list[pyzbar.Decoded]) -> list[str]:
    ordered = sorted(symbols, key=lambda symbol: symbol.type != "QRCODE")
    texts: list[str] = []
    for symbol in ordered:
        text = decode_code_text(symbol.data)
        if text not in texts:
            texts.append(text)
    return texts
