"""The real OpenCV driver reading the simulator's MJPEG stream over HTTP."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from config.profiles import CameraConfig
from devices.camera import Camera, CameraError, CameraUnavailable, OpenCvCamera, open_camera
from devices.camera.driver import parse_source
from devices.camera.simulator import CameraSimulator, send_camera_command


def read_until_frame(camera: OpenCvCamera, deadline: float):
    """Keep reading through CameraUnavailable (pausing as a caller should) until a frame comes."""
    while True:
        try:
            return camera.read()
        except CameraUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_reads_fresh_full_size_frames_with_increasing_index(simulator: CameraSimulator) -> None:
    camera = open_camera(CameraConfig(source=simulator.url))
    assert isinstance(camera, Camera)
    with camera:
        assert camera.healthy
        frames = [camera.read() for _ in range(6)]
    assert all(f.image.shape == (480, 640, 3) and f.image.dtype == np.uint8 for f in frames)
    indices = [f.index for f in frames]
    assert indices == sorted(set(indices))
    assert all(b.captured_at > a.captured_at for a, b in itertools.pairwise(frames))
    # Sensor grain makes every frame of even an empty room differ from the one before.
    assert all(not np.array_equal(a.image, b.image) for a, b in itertools.pairwise(frames))
    assert "connected" in camera.describe() and simulator.url in camera.describe()


def test_read_hands_out_the_newest_frame_not_a_backlog(simulator: CameraSimulator) -> None:
    with OpenCvCamera(simulator.url) as camera:
        first = camera.read()
        time.sleep(0.6)  # a slow consumer: about nine frames arrive meanwhile
        newest = camera.read()
        arrived = time.monotonic()
    assert newest.index - first.index >= 5
    assert arrived - newest.captured_at < 0.15


def test_unplugged_camera_raises_then_recovers_by_itself(simulator: CameraSimulator) -> None:
    with OpenCvCamera(simulator.url, read_timeout=1.0) as camera:
        before = camera.read()
        assert send_camera_command(simulator.control_port, "unplug") == "ok unplugged"
        started = time.monotonic()
        with pytest.raises(CameraUnavailable):
            while time.monotonic() - started < 5:
                camera.read()
        assert time.monotonic() - started < 3.0
        assert not camera.healthy
        assert "not connected" in camera.describe()
        assert send_camera_command(simulator.control_port, "plug") == "ok plugged"
        plugged = time.monotonic()
        after = read_until_frame(camera, deadline=plugged + 6.0)
        assert camera.healthy
        assert after.index > before.index
        assert after.captured_at > plugged


def test_open_fails_fast_when_nothing_answers() -> None:
    camera = OpenCvCamera("http://127.0.0.1:9/stream.mjpg", open_timeout=1.0)
    started = time.monotonic()
    try:
        with pytest.raises(CameraUnavailable):
            camera.open()
        assert time.monotonic() - started < 3.0
        assert not camera.healthy
    finally:
        camera.close()
    with pytest.raises(CameraError):
        OpenCvCamera("http://127.0.0.1:9/stream.mjpg").read()


def test_video_file_source_is_played_at_its_rate_and_looped(
    simulator: CameraSimulator, tmp_path: Path
) -> None:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 20.0, (320, 240))
    for shade in range(0, 200, 40):  # five frames, ever brighter
        writer.write(np.full((240, 320, 3), shade, np.uint8))
    writer.release()
    camera = open_camera(CameraConfig(source="clip.avi", fps=20), base_dir=tmp_path)
    with camera:
        started = time.monotonic()
        levels = [int(camera.read().image.mean()) for _ in range(12)]
        elapsed = time.monotonic() - started
    assert elapsed > 0.4  # 12 frames at 20 fps, not as fast as the file decodes
    assert max(levels) > 120 and min(levels) < 40
    assert sum(1 for a, b in itertools.pairwise(levels) if b < a - 60) >= 1  # looped


def test_sources_from_a_profile() -> None:
    base = Path("/srv/kiosk")
    assert parse_source("0") == 0
    assert parse_source("/dev/video2") == "/dev/video2"
    assert parse_source("rtsp://10.0.0.5/live") == "rtsp://10.0.0.5/live"
    assert parse_source("http://127.0.0.1:9103/stream.mjpg", base) == (
        "http://127.0.0.1:9103/stream.mjpg"
    )
    assert parse_source("var/demo.mp4", base) == "/srv/kiosk/var/demo.mp4"
    camera = open_camera(CameraConfig(source="1", width=1280, height=720, fps=30))
    assert (camera.source, camera.width, camera.height, camera.fps) == (1, 1280, 720, 30)
