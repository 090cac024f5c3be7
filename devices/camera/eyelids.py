"""Closed eyelids drawn over a face photo, for simulated blinks."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from devices.camera.face_geometry import LEFT_EYE, RIGHT_EYE

CANONICAL_IED = 100.0  # eyelids are drawn on person assets at this inter-eye distance


def eye_box(eye: np.ndarray, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    margin = 0.22 * CANONICAL_IED
    x0, y0 = np.floor(eye.min(axis=0) - (margin, 2 * margin)).astype(int)
    x1, y1 = np.ceil(eye.max(axis=0) + margin).astype(int)
    return max(0, x0), max(0, y0), min(shape[1], x1), min(shape[0], y1)


@dataclass(frozen=True)
class LidStyle:
    """How a closed lid is drawn: where its skin is cloned from, its size, the lash line."""

    skin_shift: float  # in eye widths along the face's downward axis; negative = from above
    raise_: float
    height: float
    lash: int


# Tried in this order; later ones cover more of the socket, for faces whose brow shadow or
# crease a landmark model would otherwise take for an open upper lid.
LID_STYLES = (
    *(
        LidStyle(shift, raise_, height, lash)
        for shift in (-0.9, 1.15, -0.7)
        for lash in (3, 2)
        for raise_, height in ((0.2, 0.56), (0.25, 0.6))
    ),
    LidStyle(1.3, 0.45, 0.8, 4),
    LidStyle(1.3, 0.5, 0.9, 3),
    LidStyle(1.8, 0.6, 1.0, 3),
)
GOOD_CLOSED_EAR = 0.11  # stop trying lid styles once a blink measures this closed


def close_eyes(image: np.ndarray, points: np.ndarray, style: LidStyle) -> np.ndarray:
    """Eyelids over both eyes: nearby skin cloned over each eye, and a lash line where lids meet.

    Poisson cloning keeps the skin's own texture and matches its colour to the lid's edges.
    """
    closed = image.copy()
    for eye, brow in ((points[RIGHT_EYE], points[17:22]), (points[LEFT_EYE], points[22:27])):
        centre = eye.mean(axis=0)
        corner_a, corner_b = eye[0], eye[3]
        along = (corner_b - corner_a) / np.linalg.norm(corner_b - corner_a)
        down = np.array([-along[1], along[0]])
        width = float(np.linalg.norm(corner_b - corner_a))
        lid_centre = centre - down * style.raise_ * width
        dx, dy = (down * style.skin_shift * width).round().astype(int)
        x0, y0, x1, y1 = eye_box(eye, image.shape)
        skin = _window(image, x0 + dx, y0 + dy, x1 - x0, y1 - y0)
        mask = np.zeros(image.shape[:2], np.uint8)
        angle = float(np.degrees(np.arctan2(along[1], along[0])))
        axes = (int(0.68 * width), int(style.height * width))
        cv2.ellipse(mask, (int(lid_centre[0]), int(lid_centre[1])), axes, angle, 0, 360, 255, -1)
        mx, my, mw, mh = cv2.boundingRect(mask[y0:y1, x0:x1])
        blended = cv2.seamlessClone(
            skin,
            closed[y0:y1, x0:x1].copy(),
            mask[y0:y1, x0:x1].copy(),  # seamlessClone writes into its mask
            (mx + mw // 2, my + mh // 2),
            cv2.NORMAL_CLONE,
        )
        soft = cv2.GaussianBlur(mask[y0:y1, x0:x1].astype(np.float32) / 255.0, (0, 0), 1.5)
        region = closed[y0:y1, x0:x1].astype(np.float32)
        region += (blended.astype(np.float32) - region) * soft[..., None]
        # A tall lid may reach the brow; the brow itself stays as photographed.
        brow_mask = np.zeros((y1 - y0, x1 - x0), np.float32)
        brow_line = (brow - (x0, y0)).round().astype(np.int32)
        cv2.polylines(brow_mask, [brow_line], False, 1.0, int(0.12 * CANONICAL_IED), cv2.LINE_AA)
        brow_mask = cv2.GaussianBlur(brow_mask, (0, 0), 2.0)[..., None]
        region += (image[y0:y1, x0:x1].astype(np.float32) - region) * brow_mask
        closed[y0:y1, x0:x1] = region.astype(np.uint8)
        tone = np.median(blended[mask[y0:y1, x0:x1] > 0].reshape(-1, 3), axis=0)
        _draw_lash_line(closed, eye, tone.astype(np.float32), style.lash)
    return closed


def _window(image: np.ndarray, x: int, y: int, width: int, height: int) -> np.ndarray:
    """A width x height window of image at (x, y), edge pixels repeated where it overhangs."""
    pad = max(0, -x, -y, x + width - image.shape[1], y + height - image.shape[0])
    if pad:
        image = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    return image[y + pad : y + pad + height, x + pad : x + pad + width].copy()


def _draw_lash_line(image: np.ndarray, eye: np.ndarray, skin: np.ndarray, thickness: int) -> None:
    corner_a, corner_b = eye[0], eye[3]
    lower_middle = (eye[4] + eye[5]) / 2.0
    sag = lower_middle - (corner_a + corner_b) / 2.0
    curve = [
        corner_a + (corner_b - corner_a) * s + sag * 0.7 * np.sin(np.pi * s)
        for s in np.linspace(-0.04, 1.04, 16)
    ]
    line = np.array(curve)
    layer = np.zeros(image.shape[:2], np.float32)
    cv2.polylines(
        layer, [(line * 4).round().astype(np.int32)], False, 1.0, thickness, cv2.LINE_AA, 2
    )
    x0, y0, x1, y1 = eye_box(eye, image.shape)
    soft = cv2.GaussianBlur(layer[y0:y1, x0:x1], (0, 0), 0.8)[..., None]
    dark = skin * 0.3
    region = image[y0:y1, x0:x1].astype(np.float32)
    region += (dark - region) * np.clip(soft, 0.0, 1.0)
    image[y0:y1, x0:x1] = region.astype(np.uint8)
