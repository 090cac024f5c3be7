"""Decoding QR codes and barcodes from photo-like camera frames."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import qrcode
from PIL import Image
from pyzbar import pyzbar
from pyzbar.pyzbar import ZBarSymbol

from devices.scanner.camera_decode import decode_codes

STATUS_URL = "http://127.0.0.1:8000/s/000100000423/k3x7q2mz5a"
FRAME_SHAPE = (480, 640)

# EAN-13 module patterns: L (odd parity), and parity of the left half by the first digit.
_EAN_L = ["0001101", "0011001", "0010011", "0111101", "0100011",
          "0110001", "0101111", "0111011", "0110111", "0001011"]  # fmt: skip
_EAN_PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG",
               "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"]  # fmt: skip


def qr_modules(text: str, box_size: int) -> np.ndarray:
    """A QR code as a grayscale array, white quiet zone included."""
    code = qrcode.QRCode(box_size=box_size, border=4)
    code.add_data(text)
    code.make()
    return np.asarray(code.make_image().convert("L"), dtype=np.uint8)


def ean13_modules(digits12: str, module_px: int = 3, height: int = 120) -> np.ndarray:
    """An EAN-13 barcode (check digit appended) as a grayscale array with quiet zones."""
    weights = [1, 3] * 6
    check = (10 - sum(int(d) * w for d, w in zip(digits12, weights, strict=True)) % 10) % 10
    digits = digits12 + str(check)
    right = ["".join("1" if bit == "0" else "0" for bit in pattern) for pattern in _EAN_L]
    left_g = [pattern[::-1] for pattern in right]
    bits = "101"
    for digit, parity in zip(digits[1:7], _EAN_PARITY[int(digits[0])], strict=True):
        bits += _EAN_L[int(digit)] if parity == "L" else left_g[int(digit)]
    bits += "01010" + "".join(right[int(d)] for d in digits[7:]) + "101"
    bits = "0" * 11 + bits + "0" * 11
    row = np.array([0 if bit == "1" else 255 for bit in bits], dtype=np.uint8)
    return np.repeat(np.tile(row, (height, 1)), module_px, axis=1)


def photo_frame(
    patches: list[tuple[np.ndarray, tuple[int, int]]],
    *,
    angle: float,
    noise: float,
    seed: int = 7,
) -> np.ndarray:
    """A BGR frame like a webcam's: grey desk, uneven light, slight blur, sensor noise."""
    rng = np.random.default_rng(seed)
    height, width = FRAME_SHAPE
    scene = np.full(FRAME_SHAPE, 110, dtype=np.float32)
    for patch, (top, left) in patches:
        scene[top : top + patch.shape[0], left : left + patch.shape[1]] = patch
    rotation = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    scene = cv2.warpAffine(scene, rotation, (width, height), borderValue=110)
    scene *= np.linspace(0.6, 1.0, width, dtype=np.float32)[None, :]
    scene = cv2.GaussianBlur(scene, (0, 0), 0.8)
    scene += rng.normal(0.0, noise, scene.shape).astype(np.float32)
    gray = np.clip(scene, 0, 255).astype(np.uint8)
    return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)


def centred(patch: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    return patch, ((FRAME_SHAPE[0] - patch.shape[0]) // 2, (FRAME_SHAPE[1] - patch.shape[1]) // 2)


@pytest.mark.parametrize("angle", [-6.0, 4.0])
def test_decodes_a_rotated_qr_code_in_a_noisy_frame(angle: float) -> None:
    frame = photo_frame([centred(qr_modules(STATUS_URL, 4))], angle=angle, noise=12)
    assert decode_codes(frame) == [STATUS_URL]


def test_falls_back_to_binarized_upscaled_variants_when_grayscale_finds_nothing() -> None:
    frame = photo_frame([centred(qr_modules(STATUS_URL, 3))], angle=4.0, noise=30, seed=0)
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    assert pyzbar.decode(gray) == []  # plain zbar misses this one
    assert decode_codes(frame) == [STATUS_URL]


def test_accepts_gray_bgra_and_pil_frames() -> None:
    frame = photo_frame([centred(qr_modules("hello kiosk", 4))], angle=3.0, noise=8)
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    bgra = cv2.cvtColor(frame, cv2.COLOR_BGR2BGRA)
    pil_rgb = Image.fromarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    for variant in (gray, gray[:, :, None], bgra, pil_rgb):
        assert decode_codes(variant) == ["hello kiosk"]


def test_non_ascii_text_comes_back_as_unicode() -> None:
    text = "Oʻzbekiston — Ариза №42"
    frame = photo_frame([centred(qr_modules(text, 4))], angle=2.0, noise=6)
    assert decode_codes(frame) == [text]


def test_qr_codes_come_before_barcodes() -> None:
    barcode = ean13_modules("400638133393")
    code = qr_modules(STATUS_URL, 3)
    frame = photo_frame([(barcode, (40, 30)), (code, (200, 330))], angle=1.5, noise=5)
    assert decode_codes(frame) == [STATUS_URL, "4006381333931"]
    assert decode_codes(frame, symbols=[ZBarSymbol.QRCODE]) == [STATUS_URL]


def test_frame_without_a_code_gives_nothing() -> None:
    frame = photo_frame([], angle=0.0, noise=10)
    assert decode_codes(frame) == []


def test_rejects_frames_it_cannot_read() -> None:
    with pytest.raises(ValueError, match="8-bit"):
        decode_codes(np.zeros(FRAME_SHAPE, dtype=np.float32))
    with pytest.raises(ValueError, match="shape"):
        decode_codes(np.zeros((*FRAME_SHAPE, 2), dtype=np.uint8))
