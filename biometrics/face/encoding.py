"""From a portrait image to a 128-d template, refusing photos that cannot be matched."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np

from biometrics.face.geometry import FaceBox, inter_eye_distance
from biometrics.face.models import DLIB_LOCK, face_recognition_module
from biometrics.image_header import (
    DEFAULT_MAX_PIXELS,
    ImageHeaderError,
    ImageTooLargeError,
    check_declared_size,
)
from config.face import FaceMatchSettings

TEMPLATE_SIZE = 128


class RefusalReason(StrEnum):
    """Why a portrait gives no template; kiosks and officers turn these into messages."""

    UNREADABLE_IMAGE = "unreadable_image"
    NO_FACE = "no_face"
    MULTIPLE_FACES = "multiple_faces"
    FACE_TOO_SMALL = "face_too_small"


class FaceRefused(Exception):
    """The portrait cannot be encoded; ``reason`` says why."""

    def __init__(self, reason: RefusalReason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason


@dataclass(frozen=True)
class PortraitTemplate:
    """A face encoding with what was measured on the way to it."""

    vector: np.ndarray
    box: FaceBox
    inter_eye_px: float


def decode_image(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """JPEG/PNG bytes to an RGB array; refuses anything that is not a picture, and before
    decoding, a picture whose header declares more than ``max_pixels``."""
    try:
        check_declared_size(data, max_pixels)
    except ImageHeaderError:
        raise FaceRefused(RefusalReason.UNREADABLE_IMAGE, "not a JPEG or PNG image") from None
    except ImageTooLargeError as error:
        raise FaceRefused(RefusalReason.UNREADABLE_IMAGE, str(error)) from None
    buffer = np.frombuffer(data, dtype=np.uint8)
    image = cv2.imdecode(buffer, cv2.IMREAD_COLOR) if buffer.size else None
    if image is None:
        raise FaceRefused(RefusalReason.UNREADABLE_IMAGE, "not a JPEG or PNG image")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def locate_faces(rgb: np.ndarray, *, max_side: int, upsample: int = 1) -> list[FaceBox]:
    """Faces found by dlib's HOG detector on a downscaled copy, largest first, in full size."""
    height, width = rgb.shape[:2]
    scale = min(1.0, max_side / max(height, width))
    small = rgb
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    fr = face_recognition_module()
    with DLIB_LOCK:
        found = fr.face_locations(small, upsample, model="hog")
    boxes = [FaceBox.from_css(css).scaled(1 / scale) for css in found]
    return sorted(boxes, key=lambda box: box.area, reverse=True)


def people_in_view(boxes: list[FaceBox], second_face_min_ratio: float) -> list[FaceBox]:
    """The faces that are people: HOG's small false second boxes are dropped."""
    if not boxes:
        return []
    largest = boxes[0].height
    return [box for box in boxes if box.height >= second_face_min_ratio * largest]


def encode_portrait(rgb: np.ndarray, settings: FaceMatchSettings) -> PortraitTemplate:
    """The template of the one face in ``rgb``; raises FaceRefused with the reason otherwise."""
    boxes = locate_faces(rgb, max_side=settings.detect_max_side, upsample=settings.detect_upsample)
    people = people_in_view(boxes, settings.second_face_min_ratio)
    if not people:
        raise FaceRefused(RefusalReason.NO_FACE)
    if len(people) > 1:
        raise FaceRefused(RefusalReason.MULTIPLE_FACES, f"{len(people)} faces")
    box = people[0]
    fr = face_recognition_module()
    with DLIB_LOCK:
        shapes = fr.api._raw_face_landmarks(rgb, [box.as_css()], model="large")
    points = np.array([(p.x, p.y) for p in shapes[0].parts()], dtype=np.float64)
    distance = inter_eye_distance(points)
    if distance < settings.min_inter_eye_px:
        raise FaceRefused(
            RefusalReason.FACE_TOO_SMALL,
            f"{distance:.0f} px between the eyes, {settings.min_inter_eye_px:.0f} needed",
        )
    with DLIB_LOCK:
        descriptor = fr.api.face_encoder.compute_face_descriptor(
            rgb, shapes[0], settings.num_jitters
        )
    vector = np.asarray(descriptor, dtype=np.float32)
    return PortraitTemplate(vector=vector, box=box, inter_eye_px=distance)
