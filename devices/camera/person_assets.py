"""A person cut out of one still photo, with precomputed closed eyes and a head-turn warp.

Everything costly happens once in ``build_person_asset``: face landmarks, the cut-out mask, the
closed-eye picture and the warp maps of a head turn. Both are calibrated by measuring landmarks
on the synthesized face, so that "frontal", "turned left", "turned right" and "eyes shut" read
as such. Rendering a pose afterwards is a blend inside the eye boxes and one ``cv2.remap`` of
the face box.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from devices.camera.eyelids import (
    CANONICAL_IED,
    GOOD_CLOSED_EAR,
    LID_STYLES,
    close_eyes,
    eye_box,
)
from devices.camera.face_geometry import (
    LEFT_EYE,
    RIGHT_EYE,
    detect_landmarks,
    eye_frame,
    face_signals,
    landmarks_in_box,
)
from devices.camera.head_turn import TURN_LEVELS, TurnWarp

DETECTION_MAX_SIDE = 800
CROP_HALF_WIDTH_IED = 3.4
CROP_ABOVE_IED = 2.8
CROP_BELOW_IED = 5.5
FRONTAL_YAW = 0.0
TURNED_YAW = 0.34  # comfortably past the 0.25 a liveness check asks for
MAX_TURN = 1.4
CALIBRATION_STEP = 0.3
CALIBRATION_TOLERANCE = 0.015


class PersonAssetError(ValueError):
    """The photo cannot be turned into a simulated person (no face, or more than one)."""


@dataclass
class PersonAsset:
    """A person at the canonical scale, ready to be posed and placed into a frame."""

    name: str
    image: np.ndarray  # BGR uint8, eyes open, as photographed
    closed_eyes: np.ndarray  # BGR uint8, same size, eyes closed
    mask: np.ndarray  # float32 0..1, the person's silhouette
    landmarks: np.ndarray  # (68, 2) in asset pixels
    eye_boxes: tuple[tuple[int, int, int, int], ...]  # (x0, y0, x1, y1) per eye
    turn_warp: TurnWarp
    rest_turn: float  # turn amplitude (IED) that makes the photo's face frontal
    left_turn: float  # amplitude for the citizen's own left (nose to the image's right)
    right_turn: float
    open_ear: float
    closed_ear: float = float("nan")
    turn_maps: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    @property
    def eye_midpoint(self) -> tuple[float, float]:
        middle, _, _ = eye_frame(self.landmarks)
        return float(middle[0]), float(middle[1])

    def posed(self, blink: float = 0.0, turn: float = 0.0) -> np.ndarray:
        """The person with eyes ``blink`` closed (0..1) and head turned ``turn`` (-1 right..1 left).

        ``turn`` is in the citizen's own terms: +1 is a full turn to their left.
        """
        image = self.image.copy()
        if blink > 0.0:
            amount = min(1.0, blink)
            for x0, y0, x1, y1 in self.eye_boxes:
                open_part = self.image[y0:y1, x0:x1].astype(np.float32)
                closed_part = self.closed_eyes[y0:y1, x0:x1].astype(np.float32)
                mixed = open_part + (closed_part - open_part) * amount
                image[y0:y1, x0:x1] = mixed.astype(np.uint8)
        if self.turn_maps:
            image = self._turned(image, turn)
        return image

    @property
    def face_box(self) -> tuple[int, int, int, int]:
        return self.turn_warp.box

    def amplitude(self, turn: float) -> float:
        """Warp amplitude (IED) of a pose: -1 right, 0 frontal, +1 left, in the citizen's terms."""
        if turn >= 0:
            return self.rest_turn + (self.left_turn - self.rest_turn) * turn
        return self.rest_turn + (self.rest_turn - self.right_turn) * turn

    def prepare_turns(self) -> None:
        """Precompute the warp maps of evenly spaced poses from full right to full left."""
        levels = np.linspace(-1.0, 1.0, 2 * TURN_LEVELS + 1)
        self.turn_maps = [self.turn_warp.maps(self.amplitude(float(t))) for t in levels]

    def _turned(self, image: np.ndarray, turn: float) -> np.ndarray:
        position = (min(1.0, max(-1.0, turn)) + 1.0) * TURN_LEVELS
        lower = min(int(position), 2 * TURN_LEVELS - 1)
        share = np.float32(position - lower)
        (ax, ay), (bx, by) = self.turn_maps[lower], self.turn_maps[lower + 1]
        map_x = ax if share == 0 else ax + (bx - ax) * share
        map_y = ay if share == 0 else ay + (by - ay) * share
        x0, y0, x1, y1 = self.face_box
        image[y0:y1, x0:x1] = cv2.remap(
            image[y0:y1, x0:x1], map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        return image


def build_person_asset(photo: Path) -> PersonAsset:
    """Find the one face in ``photo``, cut the person out and prepare their blink and turns."""
    source = cv2.imread(str(photo), cv2.IMREAD_COLOR)
    if source is None:
        raise PersonAssetError(f"cannot read {photo}")
    points = _find_single_face(source, photo)
    _, _, distance = eye_frame(points)
    scale = CANONICAL_IED / distance
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    scaled = cv2.resize(source, None, fx=scale, fy=scale, interpolation=interpolation)
    image, inside, offset = _crop_around_face(scaled, points * scale)
    points = _refine_landmarks(image, points * scale - offset)
    mask = _cut_out(image, inside, points)
    turn_warp = TurnWarp(image.shape, points)
    asset = PersonAsset(
        name=photo.stem,
        image=image,
        closed_eyes=image,
        mask=mask,
        landmarks=points,
        eye_boxes=tuple(eye_box(points[eye], image.shape) for eye in (RIGHT_EYE, LEFT_EYE)),
        turn_warp=turn_warp,
        rest_turn=0.0,
        left_turn=0.0,
        right_turn=0.0,
        open_ear=face_signals(points).ear,
    )
    _calibrate_turns(asset)
    _calibrate_blink(asset)
    return asset


def _find_single_face(source: np.ndarray, photo: Path) -> np.ndarray:
    shrink = min(1.0, DETECTION_MAX_SIDE / max(source.shape[:2]))
    small = cv2.resize(source, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
    faces = detect_landmarks(cv2.cvtColor(small, cv2.COLOR_BGR2RGB))
    if not faces:
        raise PersonAssetError(f"no face found in {photo.name}")
    if len(faces) > 1:
        raise PersonAssetError(f"{photo.name} shows {len(faces)} faces, expected one")
    return faces[0] / shrink


def _crop_around_face(
    scaled: np.ndarray, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A fixed-size window around the eyes; below the photo the last rows continue downwards.

    Returns the window, a mask of where it lies on the photo, and the window's top-left corner.
    """
    (mid_x, mid_y), _, _ = eye_frame(points)
    left = round(mid_x - CROP_HALF_WIDTH_IED * CANONICAL_IED)
    top = round(mid_y - CROP_ABOVE_IED * CANONICAL_IED)
    width = round(2 * CROP_HALF_WIDTH_IED * CANONICAL_IED)
    height = round((CROP_ABOVE_IED + CROP_BELOW_IED) * CANONICAL_IED)
    photo_h, photo_w = scaled.shape[:2]
    pad = (
        max(0, -top),
        max(0, top + height - photo_h),
        max(0, -left),
        max(0, left + width - photo_w),
    )
    # Replicating the bottom rows lets a body cut off by the photo go on below it.
    padded = cv2.copyMakeBorder(scaled, pad[0], pad[1], pad[2], pad[3], cv2.BORDER_REPLICATE)
    inside = np.zeros(padded.shape[:2], np.uint8)
    inside[pad[0] : pad[0] + photo_h, pad[2] : pad[2] + photo_w] = 1
    inside[pad[0] + photo_h :, pad[2] : pad[2] + photo_w] = 1
    y0, x0 = top + pad[0], left + pad[2]
    window = padded[y0 : y0 + height, x0 : x0 + width].copy()
    return window, inside[y0 : y0 + height, x0 : x0 + width], np.array([left, top], np.float64)


def _refine_landmarks(image: np.ndarray, points: np.ndarray) -> np.ndarray:
    x0, y0 = points.min(axis=0)
    x1, y1 = points.max(axis=0)
    box = (int(y0), int(x1), int(y1), int(x0))
    return landmarks_in_box(cv2.cvtColor(image, cv2.COLOR_BGR2RGB), box)


def _cut_out(image: np.ndarray, inside: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The person's silhouette by GrabCut, seeded with the face and a head-and-shoulders shape."""
    height, width = image.shape[:2]
    shrink = 0.5
    small = cv2.resize(image, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
    p = points * shrink
    unit = CANONICAL_IED * shrink
    seed = np.full(small.shape[:2], cv2.GC_PR_BGD, np.uint8)
    (mid_x, mid_y), _, _ = eye_frame(p)
    chin_y = p[8, 1]
    head = (int(mid_x), int(mid_y - 0.3 * unit))
    cv2.ellipse(seed, head, (int(1.35 * unit), int(1.9 * unit)), 0, 0, 360, cv2.GC_PR_FGD, -1)
    shoulders = np.array(
        [
            (mid_x - 1.0 * unit, chin_y),
            (mid_x + 1.0 * unit, chin_y),
            (mid_x + 3.2 * unit, chin_y + 1.3 * unit),
            (mid_x + 3.4 * unit, small.shape[0]),
            (mid_x - 3.4 * unit, small.shape[0]),
            (mid_x - 3.2 * unit, chin_y + 1.3 * unit),
        ],
        np.int32,
    )
    cv2.fillPoly(seed, [shoulders], cv2.GC_PR_FGD)
    torso = np.array(
        [
            (mid_x - 0.8 * unit, chin_y + 0.5 * unit),
            (mid_x + 0.8 * unit, chin_y + 0.5 * unit),
            (mid_x + 1.6 * unit, small.shape[0]),
            (mid_x - 1.6 * unit, small.shape[0]),
        ],
        np.int32,
    )
    cv2.fillPoly(seed, [torso], cv2.GC_FGD)
    cv2.fillPoly(seed, [cv2.convexHull(p[:27].astype(np.int32))], cv2.GC_FGD)
    corner = int(0.9 * unit)
    seed[:corner, :corner] = cv2.GC_BGD
    seed[:corner, -corner:] = cv2.GC_BGD
    small_inside = cv2.resize(inside, (small.shape[1], small.shape[0]), cv2.INTER_NEAREST)
    seed[small_inside == 0] = cv2.GC_BGD
    background_model = np.zeros((1, 65), np.float64)
    foreground_model = np.zeros((1, 65), np.float64)
    cv2.grabCut(small, seed, None, background_model, foreground_model, 4, cv2.GC_INIT_WITH_MASK)
    person = np.isin(seed, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.uint8)
    person = _largest_component(person)
    person = cv2.morphologyEx(person, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    mask = cv2.resize(person.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    mask = cv2.GaussianBlur(mask, (0, 0), 2.0)
    return np.clip(mask, 0.0, 1.0).astype(np.float32)


def _largest_component(binary: np.ndarray) -> np.ndarray:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if count <= 1:
        return binary
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return (labels == largest).astype(np.uint8)


def _measured_yaw(asset: PersonAsset, amplitude: float) -> float:
    """Yaw of the warped face as a kiosk would measure it: HOG detection, then landmarks."""
    image = asset.turn_warp.apply(asset.image, amplitude)
    x0, y0, x1, y1 = asset.face_box
    faces = detect_landmarks(cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_BGR2RGB))
    if not faces:
        return float("nan")
    return face_signals(faces[0]).yaw


def _amplitude_for(asset: PersonAsset, target: float, start: float) -> float:
    """The warp amplitude whose measured yaw is ``target``: bracket it, then regula falsi.

    Yaw grows with the amplitude, so stepping from ``start`` towards the target brackets it.
    """
    a, ya = start, _measured_yaw(asset, start)
    direction = 1.0 if target >= ya else -1.0
    b, yb = a, ya
    while (yb - target) * direction < 0:
        if abs(b) >= MAX_TURN:
            return b  # this photo cannot turn that far; the widest turn is the best it can do
        a, ya = b, yb
        b = float(np.clip(b + direction * CALIBRATION_STEP, -MAX_TURN, MAX_TURN))
        yb = _measured_yaw(asset, b)
    for _ in range(4):
        if abs(yb - ya) < 1e-4:
            break
        middle = a + (target - ya) * (b - a) / (yb - ya)
        y_middle = _measured_yaw(asset, middle)
        if abs(y_middle - target) < CALIBRATION_TOLERANCE:
            return middle
        if (y_middle - target) * direction < 0:
            a, ya = middle, y_middle
        else:
            b, yb = middle, y_middle
    return b


def _calibrate_turns(asset: PersonAsset) -> None:
    asset.rest_turn = _amplitude_for(asset, FRONTAL_YAW, 0.0)
    asset.left_turn = _amplitude_for(asset, TURNED_YAW, asset.rest_turn)
    asset.right_turn = _amplitude_for(asset, -TURNED_YAW, asset.rest_turn)
    asset.turn_warp = TurnWarp(asset.image.shape, asset.landmarks)  # drop the trial maps
    asset.prepare_turns()


def _measured_ear(image: np.ndarray, box: tuple[int, int, int, int]) -> float:
    x0, y0, x1, y1 = box
    faces = detect_landmarks(cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_BGR2RGB))
    return face_signals(faces[0]).ear if faces else float("inf")


def _calibrate_blink(asset: PersonAsset) -> None:
    """Pick the lid style whose closed eyes measure most closed on this face.

    Landmark models place eyelids differently on different faces (dark brows or deep sockets
    can be read as an open eye), so each face gets the drawing that reads as shut on it.
    """
    best_ear, best_closed = float("inf"), asset.image
    for style in LID_STYLES:
        asset.closed_eyes = close_eyes(asset.image, asset.landmarks, style)
        ear = _measured_ear(asset.posed(1.0, 0.0), asset.face_box)
        if ear < best_ear:
            best_ear, best_closed = ear, asset.closed_eyes
        if ear <= GOOD_CLOSED_EAR:
            break
    asset.closed_eyes = best_closed
    asset.closed_ear = best_ear
