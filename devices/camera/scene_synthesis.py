"""Pieces of a simulated camera picture: an empty room, a person placed in it, sensor noise,
and a printed photo or phone screen held up and moving as one rigid sheet."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

NOISE_TILES = 6
NOISE_SIGMA = 2.5


def room_background(width: int, height: int) -> np.ndarray:
    """An empty, evenly lit room: a wall with a door and a skirting board, a floor below."""
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    x = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
    light = 1.0 - 0.18 * x * x - 0.12 * y
    wall = np.array([176, 186, 192], np.float32)  # BGR: a warm light grey
    room = light[..., None] * wall[None, None, :]
    floor_top = int(0.82 * height)
    room[floor_top:] = np.array([92, 104, 118], np.float32) * light[floor_top:, :, None]
    skirting = max(2, height // 80)
    room[floor_top - skirting : floor_top] = (150, 156, 160)
    door_left, door_right = int(0.70 * width), int(0.88 * width)
    door_top = int(0.18 * height)
    room[door_top:floor_top, door_left:door_right] *= np.array([0.78, 0.86, 0.95], np.float32)
    frame_px = max(2, width // 160)
    cv2.rectangle(room, (door_left, door_top), (door_right, floor_top), (120, 130, 140), frame_px)
    cv2.circle(
        room, (door_left + 3 * frame_px, (door_top + floor_top) // 2), frame_px, (90, 96, 100), -1
    )
    room = cv2.GaussianBlur(room, (0, 0), 1.2)
    return np.clip(room, 0, 255).astype(np.uint8)


class SensorNoise:
    """Precomputed grain, cycled so that consecutive frames of a still scene differ slightly."""

    def __init__(self, width: int, height: int, seed: int = 7) -> None:
        rng = np.random.default_rng(seed)
        self._tiles = []
        for _ in range(NOISE_TILES):
            grain = rng.normal(0.0, NOISE_SIGMA, (height, width, 1)).repeat(3, axis=2)
            self._tiles.append(
                (np.clip(grain, 0, 255).astype(np.uint8), np.clip(-grain, 0, 255).astype(np.uint8))
            )
        self._next = 0

    def apply(self, image: np.ndarray) -> np.ndarray:
        brighter, darker = self._tiles[self._next]
        self._next = (self._next + 1) % len(self._tiles)
        return cv2.subtract(cv2.add(image, brighter), darker)


def place_person(
    background: np.ndarray,
    person: np.ndarray,
    mask: np.ndarray,
    scale: float,
    anchor: tuple[float, float],
    target: tuple[float, float],
) -> np.ndarray:
    """``person`` scaled by ``scale``, its ``anchor`` point on ``target``, over background."""
    height, width = background.shape[:2]
    tx = target[0] - anchor[0] * scale
    ty = target[1] - anchor[1] * scale
    # Only the part of the frame the person covers is warped and blended.
    left = max(0, int(np.floor(tx)))
    top = max(0, int(np.floor(ty)))
    right = min(width, int(np.ceil(tx + person.shape[1] * scale)))
    bottom = min(height, int(np.ceil(ty + person.shape[0] * scale)))
    frame = background.copy()
    if right <= left or bottom <= top:
        return frame
    matrix = np.float32([[scale, 0, tx - left], [0, scale, ty - top]])
    size = (right - left, bottom - top)
    interpolation = cv2.INTER_AREA if scale < 0.7 else cv2.INTER_LINEAR
    if scale < 0.7:
        # Shrinking a lot with warpAffine aliases; resize first, then shift by the remainder.
        small = cv2.resize(person, None, fx=scale, fy=scale, interpolation=interpolation)
        small_mask = cv2.resize(mask, None, fx=scale, fy=scale, interpolation=interpolation)
        matrix = np.float32([[1, 0, tx - left], [0, 1, ty - top]])
        person, mask = small, small_mask
    warped = cv2.warpAffine(person, matrix, size, flags=cv2.INTER_LINEAR)
    alpha = cv2.warpAffine(mask, matrix, size, flags=cv2.INTER_LINEAR)[..., None]
    region = frame[top:bottom, left:right].astype(np.float32)
    region += (warped.astype(np.float32) - region) * alpha
    frame[top:bottom, left:right] = region.astype(np.uint8)
    return frame


@dataclass(frozen=True)
class SheetPose:
    """Where a held-up photo is: shift (px), in-plane rotation (degrees), tilt, scale."""

    shift_x: float = 0.0
    shift_y: float = 0.0
    rotation: float = 0.0
    tilt_x: float = 0.0  # perspective: positive brings the sheet's right edge closer
    tilt_y: float = 0.0
    scale: float = 1.0


def sheet_pose_at(t: float) -> SheetPose:
    """A hand holding a sheet: slow drift of a few pixels, rotation within +-10 degrees."""
    return SheetPose(
        shift_x=9.0 * np.sin(2 * np.pi * t / 5.3),
        shift_y=6.0 * np.sin(2 * np.pi * t / 4.1 + 1.0),
        rotation=8.0 * np.sin(2 * np.pi * t / 7.0),
        tilt_x=0.05 * np.sin(2 * np.pi * t / 6.1 + 0.5),
        tilt_y=0.04 * np.sin(2 * np.pi * t / 8.3 + 2.0),
        scale=1.0 + 0.04 * np.sin(2 * np.pi * t / 9.0),
    )


def held_sheet(
    background: np.ndarray,
    sheet: np.ndarray,
    pose: SheetPose,
    centre: tuple[float, float],
    size: float,
) -> np.ndarray:
    """``sheet`` (e.g. a printed photo) ``size`` px wide, centred at ``centre``, posed, over
    ``background``."""
    sheet_h, sheet_w = sheet.shape[:2]
    half_w, half_h = sheet_w / 2.0, sheet_h / 2.0
    corners = np.float32(
        [[-half_w, -half_h], [half_w, -half_h], [half_w, half_h], [-half_w, half_h]]
    )
    ratio = size / sheet_w * pose.scale
    angle = np.radians(pose.rotation)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    placed = []
    for corner in corners:
        x, y = rotation @ (corner * ratio)
        depth = 1.0 + pose.tilt_x * corner[0] / half_w + pose.tilt_y * corner[1] / half_h
        placed.append((centre[0] + pose.shift_x + x * depth, centre[1] + pose.shift_y + y * depth))
    source = np.float32([[0, 0], [sheet_w, 0], [sheet_w, sheet_h], [0, sheet_h]])
    homography = cv2.getPerspectiveTransform(source, np.float32(placed))
    height, width = background.shape[:2]
    warped = cv2.warpPerspective(sheet, homography, (width, height), flags=cv2.INTER_LINEAR)
    coverage = cv2.warpPerspective(
        np.ones((sheet_h, sheet_w), np.float32), homography, (width, height), flags=cv2.INTER_LINEAR
    )[..., None]
    frame = background.astype(np.float32)
    frame += (warped.astype(np.float32) - frame) * coverage
    return frame.astype(np.uint8)


def fill_frame_sheet(sheet: np.ndarray, pose: SheetPose, width: int, height: int) -> np.ndarray:
    """A camera picture of a held-up sheet that fills the view, moved rigidly by ``pose``."""
    zoom = 1.12 * pose.scale  # a margin so that moving edges never show empty corners
    sheet_h, sheet_w = sheet.shape[:2]
    base = max(width / sheet_w, height / sheet_h) * zoom
    centre = np.array([width / 2.0 + pose.shift_x, height / 2.0 + pose.shift_y])
    half = np.array([sheet_w / 2.0, sheet_h / 2.0])
    corners = np.float32([[0, 0], [sheet_w, 0], [sheet_w, sheet_h], [0, sheet_h]])
    angle = np.radians(pose.rotation)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    placed = []
    for corner in corners:
        relative = corner - half
        depth = 1.0 + pose.tilt_x * relative[0] / half[0] + pose.tilt_y * relative[1] / half[1]
        placed.append(centre + rotation @ (relative * base) * depth)
    homography = cv2.getPerspectiveTransform(corners, np.float32(placed))
    return cv2.warpPerspective(
        sheet, homography, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
    )


def cover_fit(
    image: np.ndarray,
    width: int,
    height: int,
    zoom: float = 1.0,
    shift: tuple[float, float] = (0.0, 0.0),
) -> np.ndarray:
    """``image`` scaled to cover width x height (cropping the excess), zoomed and shifted."""
    scale = max(width / image.shape[1], height / image.shape[0]) * zoom
    tx = width / 2.0 - image.shape[1] * scale / 2.0 + shift[0]
    ty = height / 2.0 - image.shape[0] * scale / 2.0 + shift[1]
    matrix = np.float32([[scale, 0, tx], [0, scale, ty]])
    interpolation = cv2.INTER_AREA if scale < 0.5 else cv2.INTER_LINEAR
    if scale < 0.5:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        matrix = np.float32([[1, 0, tx], [0, 1, ty]])
    return cv2.warpAffine(
        image, matrix, (width, height), flags=interpolation, borderMode=cv2.BORDER_REFLECT
    )
