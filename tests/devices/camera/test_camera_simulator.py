"""The camera simulator's wire (multipart MJPEG over HTTP), control port and command line."""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from config.settings import PROJECT_ROOT
from devices.camera import OpenCvCamera
from devices.camera.simulator import CameraSimulator, send_camera_command


def test_stream_is_multipart_jpeg_with_frame_boundary(simulator: CameraSimulator) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", simulator.port, timeout=5)
    connection.request("GET", "/stream.mjpg")
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type") == "multipart/x-mixed-replace; boundary=frame"
    assert response.readline() == b"--frame\r\n"
    assert response.readline() == b"Content-Type: image/jpeg\r\n"
    length = int(re.match(rb"Content-Length: (\d+)", response.readline()).group(1))
    assert response.readline() == b"\r\n"
    image = cv2.imdecode(np.frombuffer(response.read(length), np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (480, 640, 3)
    connection.close()


def test_control_commands_and_replies(simulator: CameraSimulator) -> None:
    port = simulator.control_port
    assert send_camera_command(port, "ping") == "ok pong"
    assert send_camera_command(port, "status").startswith("ok scenario=nobody ")
    assert send_camera_command(port, "act blink") == "ok ignored: nobody cannot blink"
    assert send_camera_command(port, "act wave").startswith("error unknown act")
    assert send_camera_command(port, "scenario dance").startswith("error unknown scenario")
    assert send_camera_command(port, "scenario photo spoof_1") == "ok scenario=photo"
    assert send_camera_command(port, "act left") == "ok ignored: photo cannot left"
    assert send_camera_command(port, "status").startswith("ok scenario=photo argument=spoof_1 t=0.")
    assert send_camera_command(port, "launch").startswith("error unknown command")


def test_switching_scenarios_changes_what_the_driver_sees(simulator: CameraSimulator) -> None:
    def difference(image: np.ndarray, reference: np.ndarray) -> float:
        return float(np.abs(image.astype(int) - reference).mean())

    def first_frame_where(camera: OpenCvCamera, wanted, seconds: float = 5.0) -> np.ndarray:
        """Frames already on their way when the scene changed arrive first; wait them out."""
        deadline = time.monotonic() + seconds
        while True:
            image = camera.read().image
            if wanted(image) or time.monotonic() > deadline:
                return image

    with OpenCvCamera(simulator.url) as camera:
        empty_room = camera.read().image
        reply = send_camera_command(simulator.control_port, "scenario two_people")
        assert reply == "ok scenario=two_people"
        people = first_frame_where(camera, lambda image: difference(image, empty_room) > 20)
        assert difference(people, empty_room) > 20
        send_camera_command(simulator.control_port, "scenario nobody")
        back = first_frame_where(camera, lambda image: difference(image, empty_room) < 5)
        assert difference(back, empty_room) < 5


def test_every_client_gets_the_live_timeline(simulator: CameraSimulator) -> None:
    send_camera_command(
        simulator.control_port,
        "scenario folder " + str(PROJECT_ROOT.parent / "shared" / "data" / "faces" / "multi"),
    )
    with OpenCvCamera(simulator.url) as first:
        first.read()
        time.sleep(1.2)  # the folder moves on to its next image every second
        late_joiner = OpenCvCamera(simulator.url)
        with late_joiner:
            a, b = first.read().image, late_joiner.read().image
    assert np.abs(a.astype(int) - b).mean() < 8  # same picture, not a replay from the start


def test_simulator_process_prints_ready_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "devices.camera.run_camera_simulator", "--port", "0",
         "--control-port", "0", "--scenario", "nobody", "--fps", "10"],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        match = re.search(
            r"ready on (http://127\.0\.0\.1:\d+/stream\.mjpg), control 127\.0\.0\.1:(\d+)", banner
        )
        assert match, banner
        assert send_camera_command(int(match.group(2)), "ping") == "ok pong"
        with OpenCvCamera(match.group(1)) as camera:
            assert camera.read().image.shape == (480, 640, 3)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
