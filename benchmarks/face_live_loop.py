"""Frames per second of the live face analysis on one core, and the time to encode a portrait.

Run: .venv/bin/python benchmarks/face_live_loop.py
"""

from __future__ import annotations

import os

# Pin to one core before numpy, OpenCV or dlib start their thread pools.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from biometrics.face.analysis import FaceAnalyzer  # noqa: E402
from biometrics.face.encoding import encode_portrait, locate_faces  # noqa: E402
from biometrics.face.geometry import eye_centers, inter_eye_distance  # noqa: E402
from biometrics.face.models import face_recognition_module  # noqa: E402
from config.face import FaceMatchSettings, FaceQualitySettings  # noqa: E402
from config.settings import PROJECT_ROOT  # noqa: E402

cv2.setNumThreads(1)

PEOPLE = PROJECT_ROOT.parent / "shared" / "data" / "faces" / "people"
PHOTOS = ("obama_1.jpg", "lacamoire_3.jpg", "leslie_2.jpg", "harington_1.jpg")
FRAMES_PER_PHOTO = 120
WIDTH, HEIGHT = 640, 480


def photo_and_landmarks(name: str) -> tuple[np.ndarray, np.ndarray]:
    image = cv2.imread(str(PEOPLE / name), cv2.IMREAD_COLOR)
    rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    box = locate_faces(rgb, max_side=1000, upsample=1)[0]
    shape = face_recognition_module().api._raw_face_landmarks(rgb, [box.as_css()], model="large")
    return image, np.array([(p.x, p.y) for p in shape[0].parts()], dtype=np.float64)


def moving_face(name: str, count: int) -> list[np.ndarray]:
    """A face drifting across the frame and towards the camera, as a citizen settling in."""
    image, points = photo_and_landmarks(name)
    right, left = eye_centers(points)
    middle = (right + left) / 2
    frames = []
    for i in range(count):
        phase = 2 * math.pi * i / count
        inter_eye = 85 + 25 * math.sin(phase / 2)
        target = (WIDTH * (0.5 + 0.15 * math.sin(phase)), HEIGHT * (0.42 + 0.06 * math.cos(phase)))
        scale = inter_eye / inter_eye_distance(points)
        matrix = cv2.getRotationMatrix2D(tuple(map(float, middle)), 4 * math.sin(phase), scale)
        matrix[:, 2] += np.array(target) - middle
        frames.append(
            cv2.warpAffine(image, matrix, (WIDTH, HEIGHT), borderMode=cv2.BORDER_REPLICATE)
        )
    return frames


def frames_per_second(analyzer: FaceAnalyzer, frames: list[np.ndarray]) -> float:
    analyzer.analyze(frames[0])
    started = time.perf_counter()
    for frame in frames:
        analyzer.analyze(frame)
    return len(frames) / (time.perf_counter() - started)


def main() -> None:
    settings = FaceQualitySettings()
    frames = [frame for name in PHOTOS for frame in moving_face(name, FRAMES_PER_PHOTO)]
    analyzer = FaceAnalyzer(settings)
    found = sum(1 for frame in frames[:FRAMES_PER_PHOTO] if analyzer.analyze(frame).faces)
    print(
        f"analysis_fps={frames_per_second(FaceAnalyzer(settings), frames):.1f} "
        f"frames={len(frames)} redetect_every={settings.redetect_every}"
    )
    print(f"face_found_share={found / FRAMES_PER_PHOTO:.2f}")
    every_frame = settings.model_copy(update={"redetect_every": 1})
    fps = frames_per_second(FaceAnalyzer(every_frame), frames)
    print(f"analysis_fps_detect_every_frame={fps:.1f}")
    empty = [np.full((HEIGHT, WIDTH, 3), 90 + i % 20, np.uint8) for i in range(60)]
    print(f"analysis_fps_nobody={frames_per_second(FaceAnalyzer(settings), empty):.1f}")

    image, points = photo_and_landmarks("obama_1.jpg")
    right, left = eye_centers(points)
    x, y = ((right + left) / 2).astype(int)
    scale = 130 / inter_eye_distance(points)
    resized = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    x, y = int(x * scale), int(y * scale)
    crop = resized[max(0, y - 280) : y + 360, max(0, x - 240) : x + 240]
    rgb = np.ascontiguousarray(cv2.cvtColor(crop, cv2.COLOR_BGR2RGB))
    match = FaceMatchSettings()
    encode_portrait(rgb, match)
    runs = 5
    started = time.perf_counter()
    for _ in range(runs):
        encode_portrait(rgb, match)
    elapsed = (time.perf_counter() - started) / runs
    print(f"encode_ms={elapsed * 1000:.1f} crop={crop.shape[1]}x{crop.shape[0]} runs={runs}")


if __name__ == "__main__":
    main()
