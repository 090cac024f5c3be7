"""What the simulated camera sees over time: who stands where, blinks, turns, or holds a photo.

Every scenario renders a BGR frame for a time ``t`` (seconds since it started). People follow a
timeline of positions, blink naturally every 3-4 s and perform ``act`` commands; photos and
recordings cannot act and ignore them.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from devices.camera.face_geometry import face_boxes
from devices.camera.person_assets import CANONICAL_IED, PersonAsset, build_person_asset
from devices.camera.scene_synthesis import (
    SensorNoise,
    cover_fit,
    fill_frame_sheet,
    held_sheet,
    place_person,
    room_background,
    sheet_pose_at,
)

ACTS = ("blink", "left", "right")
BLINK_CLOSE, BLINK_HOLD, BLINK_OPEN = 0.06, 0.12, 0.06
ASKED_BLINK_HOLD = 0.2  # a blink on request is deliberate: the lids stay shut a little longer
TURN_RAMP, TURN_HOLD = 0.25, 0.8
NATURAL_BLINK_GAP = (3.0, 4.0)
GOOD_IED = 100.0
FAR_IED = 30.0
EYE_LINE_HEIGHT = 0.40  # eye midpoint, as a share of the frame height
PRINTED_FACE_WIDTH = 190.0  # px in the frame: a face box about as big as a live one
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


class ScenarioError(ValueError):
    """A scenario name or argument that cannot be played."""


class Scenario:
    name = "scenario"
    argument = ""

    def frame(self, t: float) -> np.ndarray:
        raise NotImplementedError

    def act(self, kind: str, t: float) -> bool:
        """Perform ``kind`` now; False when this scene cannot (nobody there, or a photo)."""
        return False


@dataclass
class Behaviour:
    """When a person blinks and turns: natural blinks plus the acts they were asked for."""

    seed: int = 1
    blinks: list[tuple[float, float]] = field(default_factory=list)  # (start, time held shut)
    turns: list[tuple[float, float]] = field(default_factory=list)  # (start, +1 left / -1 right)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        moment = 1.8
        while moment < 3600.0:
            self.blinks.append((moment, BLINK_HOLD))
            moment += rng.uniform(*NATURAL_BLINK_GAP)

    def act(self, kind: str, t: float) -> None:
        if kind == "blink":
            self.blinks.append((t, ASKED_BLINK_HOLD))
            self.blinks.sort()
        else:
            self.turns.append((t, 1.0 if kind == "left" else -1.0))

    def pose(self, t: float) -> tuple[float, float]:
        """(blink 0..1, turn -1..1) at time t."""
        blink = 0.0
        for start, hold in self.blinks:
            if start > t:
                break
            blink = max(blink, _blink_curve(t - start, hold))
        turn = 0.0
        for start, direction in self.turns:
            turn += direction * _turn_curve(t - start)
        return blink, max(-1.0, min(1.0, turn))


def _blink_curve(elapsed: float, hold: float) -> float:
    if elapsed < 0 or elapsed > BLINK_CLOSE + hold + BLINK_OPEN:
        return 0.0
    if elapsed < BLINK_CLOSE:
        return elapsed / BLINK_CLOSE
    if elapsed < BLINK_CLOSE + hold:
        return 1.0
    return 1.0 - (elapsed - BLINK_CLOSE - hold) / BLINK_OPEN


def _turn_curve(elapsed: float) -> float:
    if elapsed < 0 or elapsed > 2 * TURN_RAMP + TURN_HOLD:
        return 0.0
    if elapsed < TURN_RAMP:
        return _ease(elapsed / TURN_RAMP)
    if elapsed < TURN_RAMP + TURN_HOLD:
        return 1.0
    return 1.0 - _ease((elapsed - TURN_RAMP - TURN_HOLD) / TURN_RAMP)


def _ease(share: float) -> float:
    share = max(0.0, min(1.0, share))
    return share * share * (3.0 - 2.0 * share)


@dataclass(frozen=True)
class Placement:
    ied: float  # inter-eye distance in frame pixels
    x: float  # eye midpoint, as a share of the frame width
    y: float = EYE_LINE_HEIGHT


def standing_still(t: float) -> Placement:
    return Placement(GOOD_IED, 0.5)


# The approach, in seconds from the start: (time, inter-eye distance px, eye midpoint x share).
APPROACH_TIMELINE = (
    (0.0, FAR_IED, 0.25),  # far away and to the left (of the raw image)
    (1.0, FAR_IED, 0.25),
    (3.0, GOOD_IED, 0.25),  # walked up, still off-centre
    (3.5, GOOD_IED, 0.25),
    (5.0, GOOD_IED, 0.5),  # stepped to the centre; stays there
)


def approaching(t: float) -> Placement:
    times = [point[0] for point in APPROACH_TIMELINE]
    if t >= times[-1]:
        return Placement(GOOD_IED, 0.5)
    index = max(i for i, moment in enumerate(times) if moment <= t)
    start, end = APPROACH_TIMELINE[index], APPROACH_TIMELINE[index + 1]
    share = _ease((t - start[0]) / (end[0] - start[0]))
    return Placement(start[1] + (end[1] - start[1]) * share, start[2] + (end[2] - start[2]) * share)


class PersonScenario(Scenario):
    """One person in a room, following a placement timeline, blinking and obeying acts."""

    def __init__(
        self,
        name: str,
        asset: PersonAsset,
        placement: Callable[[float], Placement],
        width: int,
        height: int,
        *,
        gain: float = 1.0,
        seed: int = 1,
    ) -> None:
        self.name, self.argument = name, asset.name
        self._asset = asset
        self._placement = placement
        self._width, self._height = width, height
        self._gain = gain
        self._background = room_background(width, height)
        self._noise = SensorNoise(width, height, seed)
        self.behaviour = Behaviour(seed)
        self._posed_key: tuple[float, float] | None = None
        self._posed: np.ndarray | None = None

    def act(self, kind: str, t: float) -> bool:
        self.behaviour.act(kind, t)
        return True

    def frame(self, t: float) -> np.ndarray:
        blink, turn = self.behaviour.pose(t)
        key = (round(blink, 3), round(turn, 3))
        if key != self._posed_key or self._posed is None:
            self._posed = self._asset.posed(blink, turn)
            self._posed_key = key
        where = self._placement(t)
        # A living person is never perfectly still: a small sway of a pixel or two.
        sway_x = 1.2 * np.sin(2 * np.pi * t / 2.7)
        sway_y = 0.8 * np.sin(2 * np.pi * t / 3.9 + 0.7)
        target = (where.x * self._width + sway_x, where.y * self._height + sway_y)
        frame = place_person(
            self._background,
            self._posed,
            self._asset.mask,
            where.ied / CANONICAL_IED,
            self._asset.eye_midpoint,
            target,
        )
        if self._gain != 1.0:
            frame = cv2.convertScaleAbs(frame, alpha=self._gain)
        return self._noise.apply(frame)


class EmptyRoomScenario(Scenario):
    name = "nobody"

    def __init__(self, width: int, height: int) -> None:
        self._background = room_background(width, height)
        self._noise = SensorNoise(width, height)

    def frame(self, t: float) -> np.ndarray:
        return self._noise.apply(self._background)


class GroupPhotoScenario(Scenario):
    """Several people in view (a group photo filling the frame), swaying gently."""

    name = "two_people"

    def __init__(self, photo: Path, width: int, height: int) -> None:
        self.argument = photo.stem
        self._image = _read_image(photo)
        self._width, self._height = width, height
        self._noise = SensorNoise(width, height)

    def frame(self, t: float) -> np.ndarray:
        zoom = 1.04 + 0.02 * np.sin(2 * np.pi * t / 6.0)
        shift = (6.0 * np.sin(2 * np.pi * t / 4.5), 4.0 * np.sin(2 * np.pi * t / 5.5))
        return self._noise.apply(cover_fit(self._image, self._width, self._height, zoom, shift))


class HeldPhotoScenario(Scenario):
    """A printed photo or a phone screen held up to the camera: rigid motion only, no acts."""

    name = "photo"

    def __init__(self, photo: Path, width: int, height: int, *, full_frame: bool) -> None:
        self.argument = photo.stem
        self._width, self._height = width, height
        self._full_frame = full_frame
        image = _read_image(photo)
        self._noise = SensorNoise(width, height)
        if full_frame:
            self._sheet = image
            self._background = None
        else:
            # A print of a portrait, on white paper, held so that the face is near kiosk size.
            portrait, face_width = _portrait_crop(image)
            border = max(8, portrait.shape[1] // 30)
            self._sheet = cv2.copyMakeBorder(
                portrait, border, border, border, border, cv2.BORDER_CONSTANT, value=(236, 238, 240)
            )
            self._sheet_width = self._sheet.shape[1] * PRINTED_FACE_WIDTH / face_width
            self._background = room_background(width, height)

    def frame(self, t: float) -> np.ndarray:
        pose = sheet_pose_at(t)
        if self._background is None:
            picture = fill_frame_sheet(self._sheet, pose, self._width, self._height)
        else:
            picture = held_sheet(
                self._background,
                self._sheet,
                pose,
                (self._width / 2.0, self._height * 0.62),
                self._sheet_width,
            )
        return self._noise.apply(picture)


class FolderScenario(Scenario):
    """The images of a folder in name order, each shown for ``hold`` seconds, looping."""

    name = "folder"

    def __init__(self, folder: Path, width: int, height: int, hold: float = 1.0) -> None:
        self.argument = str(folder)
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise ScenarioError(f"no images in {folder}")
        self._frames = [cover_fit(_read_image(p), width, height) for p in files]
        self._hold = hold

    def frame(self, t: float) -> np.ndarray:
        return self._frames[int(t / self._hold) % len(self._frames)]


class VideoScenario(Scenario):
    """A video file played at its own rate from the scenario's start, looping."""

    name = "video"

    def __init__(self, path: Path, width: int, height: int) -> None:
        self.argument = str(path)
        self._path = path
        self._width, self._height = width, height
        self._capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
        if not self._capture.isOpened():
            raise ScenarioError(f"cannot play {path}")
        self._rate = self._capture.get(cv2.CAP_PROP_FPS) or 25.0
        self._position = -1
        self._current = np.zeros((height, width, 3), np.uint8)

    def frame(self, t: float) -> np.ndarray:
        wanted = int(t * self._rate)
        while self._position < wanted:
            ok, image = self._capture.read()
            if not ok:
                self._capture.release()
                self._capture = cv2.VideoCapture(str(self._path), cv2.CAP_FFMPEG)
                ok, image = self._capture.read()
                if not ok:
                    break
                wanted -= self._position + 1  # the loop restarts the count
                self._position = -1
            self._position += 1
            self._current = cover_fit(image, self._width, self._height)
        return self._current


@functools.lru_cache(maxsize=8)
def person_asset(photo: Path) -> PersonAsset:
    """Cut-out and calibrated pose warps of a photo; built once per photo and process."""
    return build_person_asset(photo)


def faces_dir(data_dir: Path) -> Path:
    return data_dir / "faces"


def find_photo(data_dir: Path, stem: str, folders: tuple[str, ...] = ("people",)) -> Path:
    """The photo named ``stem`` (no extension) in one of the faces sub-folders."""
    for folder in folders:
        for candidate in sorted((faces_dir(data_dir) / folder).glob(f"{stem}.*")):
            if candidate.suffix.lower() in IMAGE_SUFFIXES:
                return candidate
    raise ScenarioError(f"no photo named {stem!r} in faces/{'|'.join(folders)}")


SCENARIO_NAMES = ("nobody", "approaching", "live", "dark", "two_people", "photo", "folder", "video")


def build_scenario(
    name: str, argument: str | None, *, data_dir: Path, width: int = 640, height: int = 480
) -> Scenario:
    """A scenario by name: ``approaching|live|dark [person]``, ``photo <stem>``, etc."""
    if name == "nobody":
        return EmptyRoomScenario(width, height)
    if name in ("approaching", "live", "dark"):
        asset = person_asset(find_photo(data_dir, argument or "obama_2"))
        placement = approaching if name == "approaching" else standing_still
        gain = 0.22 if name == "dark" else 1.0
        return PersonScenario(name, asset, placement, width, height, gain=gain)
    if name == "two_people":
        return GroupPhotoScenario(
            find_photo(data_dir, argument or "two_people", ("multi",)), width, height
        )
    if name == "photo":
        stem = argument or "spoof_1"
        photo = find_photo(data_dir, stem, ("spoof", "people"))
        return HeldPhotoScenario(photo, width, height, full_frame=photo.parent.name == "spoof")
    if name in ("folder", "video"):
        if not argument:
            raise ScenarioError(f"{name} needs a path")
        path = Path(argument).expanduser()
        if name == "folder":
            if not path.is_dir():
                raise ScenarioError(f"not a folder: {path}")
            return FolderScenario(path, width, height)
        if not path.is_file():
            raise ScenarioError(f"not a file: {path}")
        return VideoScenario(path, width, height)
    raise ScenarioError(f"unknown scenario {name!r}; use one of: {', '.join(SCENARIO_NAMES)}")


def _portrait_crop(image: np.ndarray) -> tuple[np.ndarray, float]:
    """Head and shoulders around the largest face, and that face's width in the crop."""
    shrink = min(1.0, 800 / max(image.shape[:2]))
    small = cv2.resize(image, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
    boxes = face_boxes(cv2.cvtColor(small, cv2.COLOR_BGR2RGB))
    if not boxes:
        return image, image.shape[1] / 3.0
    top, right, bottom, left = (v / shrink for v in max(boxes, key=lambda b: b[1] - b[3]))
    size = right - left
    x0 = int(max(0, left - 1.3 * size))
    x1 = int(min(image.shape[1], right + 1.3 * size))
    y0 = int(max(0, top - 1.0 * size))
    y1 = int(min(image.shape[0], bottom + 1.8 * size))
    return image[y0:y1, x0:x1].copy(), size


def _read_image(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise ScenarioError(f"cannot read {path}")
    return image
