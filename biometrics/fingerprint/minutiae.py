"""Ridge endings and bifurcations of a fingerprint image, from its thinned ridges."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np

from biometrics.fingerprint.orientation import pixel_orientation
from biometrics.fingerprint.quality import measure_features
from biometrics.fingerprint.ridges import crossing_numbers, gabor_enhance, normalise, thin
from config.fingerprint import FingerprintQualitySettings

ANGLE_STEPS = 256  # angles are kept to 1/256 of a turn, as stored in a template
_OFFSETS = [(-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1)]
_DEFAULT_PERIOD = 9.0
_TRACE_PERIODS = 1.2  # how far a ridge is followed to find a minutia's direction
_BORDER_PERIODS = 1.2  # minutiae nearer the edge of the finger area are edge artefacts
_SPUR_PERIODS = 0.8  # a branch shorter than this is a spur, not a ridge
_BRIDGE_PERIODS = 1.0  # two facing endings closer than this are one broken ridge
_MIN_COHERENCE = 0.35  # of the smoothed gradients: below, pores and scars make false minutiae
_CROWD_PERIODS = 2.0
_CROWD_SIZE = 3  # this many other minutiae within _CROWD_PERIODS ridges mark noise
# Light blurs (sigma in pixels) before the orientation and the Gabor stage: a reader's 4-bit
# grey and the pores break ridges into dots, whose gradients point every way and whose gaps the
# filters would otherwise turn into false endings. Measured on the shared prints' reader crops.
_ORIENTATION_BLUR = 1.5
_GABOR_BLUR = 1.0


class MinutiaKind(StrEnum):
    ENDING = "ending"
    BIFURCATION = "bifurcation"


@dataclass(frozen=True)
class Minutia:
    """A minutia at pixel (x, y); ``angle`` in radians along its ridge, image axes (y down)."""

    x: int
    y: int
    angle: float
    kind: MinutiaKind


def quantise_angle(angle: float) -> float:
    """``angle`` rounded to the template's resolution, in [0, 2*pi)."""
    step = round(angle * ANGLE_STEPS / (2 * math.pi)) % ANGLE_STEPS
    return step * 2 * math.pi / ANGLE_STEPS


def finger_mask(ridge_blocks: np.ndarray, block: int, shape: tuple[int, int]) -> np.ndarray:
    """Pixel mask of the finger area: ridge blocks with holes filled and specks removed."""
    blocks = ridge_blocks.astype(np.uint8)
    kernel = np.ones((3, 3), np.uint8)
    blocks = cv2.morphologyEx(blocks, cv2.MORPH_CLOSE, kernel, borderType=cv2.BORDER_CONSTANT)
    blocks = cv2.morphologyEx(blocks, cv2.MORPH_OPEN, kernel, borderType=cv2.BORDER_CONSTANT)
    mask = np.zeros(shape, np.uint8)
    rows, cols = blocks.shape
    mask[: rows * block, : cols * block] = np.kron(blocks, np.ones((block, block), np.uint8))
    return mask


def _trace(
    pixels: list[list[bool]], start: tuple[int, int], first: tuple[int, int], length: int
) -> tuple[tuple[int, int], int]:
    """Follow a skeleton line from ``start`` through ``first`` for up to ``length`` steps, or to
    its end or next fork: (last point, steps taken)."""
    height, width = len(pixels), len(pixels[0])
    visited = {start, first}
    current = first
    for step in range(1, length):
        following = []
        for dy, dx in _OFFSETS:
            y, x = current[0] + dy, current[1] + dx
            if 0 <= y < height and 0 <= x < width and pixels[y][x] and (y, x) not in visited:
                following.append((y, x))
        # neighbours of the previous pixel are part of the same line, not a fork
        following = [p for p in following if max(abs(p[0] - start[0]), abs(p[1] - start[1])) > 1]
        if not following:
            return current, step
        if len(following) > 1:
            four_connected = [p for p in following if p[0] == current[0] or p[1] == current[1]]
            if len(four_connected) != 1 and len(following) > 2:
                return current, step
            following = four_connected or following[:1]
        visited.update(following)
        start, current = current, following[0]
    return current, length


def _branches(pixels: list[list[bool]], y: int, x: int) -> list[tuple[int, int]]:
    """One first pixel of each line leaving (y, x): one per run of set neighbours."""
    height, width = len(pixels), len(pixels[0])
    ring = [
        0 <= y + dy < height and 0 <= x + dx < width and pixels[y + dy][x + dx]
        for dy, dx in _OFFSETS
    ]
    starts = []
    for index in range(8):
        if ring[index] and not ring[index - 1]:
            run = [index]
            while ring[(run[-1] + 1) % 8] and len(run) < 8:
                run.append((run[-1] + 1) % 8)
            # prefer the 4-connected pixel of a run (even ring index)
            chosen = next((i for i in run if i % 2 == 0), run[0])
            starts.append((y + _OFFSETS[chosen][0], x + _OFFSETS[chosen][1]))
    return starts


def _direction(origin: tuple[int, int], target: tuple[int, int]) -> float:
    return math.atan2(target[0] - origin[0], target[1] - origin[1])


def _angle_gap(a: float, b: float) -> float:
    return abs((a - b + math.pi) % (2 * math.pi) - math.pi)


def _snap(direction: float, ridge_orientation: float) -> float:
    """The ridge orientation (mod pi) turned to the side of the traced direction."""
    forward = ridge_orientation
    backward = ridge_orientation + math.pi
    return (
        forward if _angle_gap(direction, forward) <= _angle_gap(direction, backward) else backward
    )


def _oriented(
    pixels: list[list[bool]], y: int, x: int, kind: MinutiaKind, period: float
) -> float | None:
    """Direction of a minutia from its ridges, or None when it is a spur or noise."""
    length = max(4, round(_TRACE_PERIODS * period))
    spur = _SPUR_PERIODS * period
    ends = []
    for first in _branches(pixels, y, x):
        end, steps = _trace(pixels, (y, x), first, length)
        if steps < spur:
            return None
        ends.append(_direction((y, x), end))
    if kind is MinutiaKind.ENDING:
        if len(ends) != 1:
            return None
        return ends[0] + math.pi  # out of the ridge's end
    if len(ends) != 3:
        return None
    # the two forks of a bifurcation run close together; the odd one out is the stem
    gaps = [_angle_gap(ends[(i + 1) % 3], ends[(i + 2) % 3]) for i in range(3)]
    stem = int(np.argmin(gaps))
    return ends[stem] + math.pi  # from the stem into the fork


def _drop_clutter(minutiae: list[Minutia], period: float) -> list[Minutia]:
    """Remove facing ending pairs (broken ridges) and minutiae crowded closer than a ridge."""
    if len(minutiae) < 2:
        return minutiae
    points = np.array([(m.x, m.y) for m in minutiae], np.float32)
    distance = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(distance, np.inf)
    dropped = set()
    for i, j in zip(*np.nonzero(distance < _BRIDGE_PERIODS * period), strict=True):
        if i >= j:
            continue
        first, second = minutiae[i], minutiae[j]
        crowded = distance[i, j] < 0.5 * period
        facing = (
            first.kind is MinutiaKind.ENDING
            and second.kind is MinutiaKind.ENDING
            and _angle_gap(first.angle, second.angle) > 2 * math.pi / 3
        )
        if crowded or facing:
            dropped.update((i, j))
    return [m for index, m in enumerate(minutiae) if index not in dropped]


def extract_minutiae(
    grey: np.ndarray, settings: FingerprintQualitySettings | None = None
) -> list[Minutia]:
    """Minutiae of a grey uint8 fingerprint image (dark ridges on light, ~500 dpi)."""
    settings = settings or FingerprintQualitySettings()
    features, _, ridge_blocks = measure_features(grey, settings)
    period = 1.0 / features.ridge_frequency if features.ridge_frequency > 0 else _DEFAULT_PERIOD
    period = float(np.clip(period, settings.min_period_px, settings.max_period_px))
    if not ridge_blocks.any():
        return []
    mask = finger_mask(ridge_blocks, settings.block_size, grey.shape)
    if not mask.any():
        return []
    orientation, coherence = pixel_orientation(cv2.GaussianBlur(grey, (0, 0), _ORIENTATION_BLUR))
    enhanced = gabor_enhance(
        normalise(cv2.GaussianBlur(grey, (0, 0), _GABOR_BLUR)), orientation, period
    )
    binary = (enhanced > 0) & (mask > 0)
    skeleton = thin(binary)
    crossings = crossing_numbers(skeleton)
    inside = cv2.distanceTransform(
        cv2.copyMakeBorder(mask, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0), cv2.DIST_L2, 3
    )[1:-1, 1:-1]
    candidates = (
        (inside > _BORDER_PERIODS * period)
        & ((crossings == 1) | (crossings == 3))
        & (coherence >= _MIN_COHERENCE)
    )
    pixels = skeleton.tolist()
    minutiae = []
    for y, x in zip(*np.nonzero(candidates), strict=True):
        kind = MinutiaKind.ENDING if crossings[y, x] == 1 else MinutiaKind.BIFURCATION
        direction = _oriented(pixels, int(y), int(x), kind, period)
        if direction is None:
            continue
        angle = quantise_angle(_snap(direction, float(orientation[y, x])))
        minutiae.append(Minutia(int(x), int(y), angle, kind))
    return _drop_crowds(_drop_clutter(minutiae, period), period)


def _drop_crowds(minutiae: list[Minutia], period: float) -> list[Minutia]:
    """Remove minutiae with several others close by: noise (pores, scars) rather than ridges."""
    if len(minutiae) < 3 or _CROWD_SIZE <= 0:
        return minutiae
    points = np.array([(m.x, m.y) for m in minutiae], np.float32)
    distance = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    crowd = (distance < _CROWD_PERIODS * period).sum(axis=1) - 1
    return [m for m, near in zip(minutiae, crowd, strict=True) if near < _CROWD_SIZE]
