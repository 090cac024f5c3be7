"""A simulated camera that streams MJPEG over HTTP like an IP camera, plus a control port.

``GET /stream.mjpg`` answers ``multipart/x-mixed-replace; boundary=frame`` with one JPEG part
per frame at the set rate; every client sees the live timeline, not a replay from the start.
``GET /snapshot.jpg`` returns the current frame. The control port takes one command per line
and answers one line: ``scenario <name> [argument]``, ``act blink|left|right``, ``unplug``,
``plug``, ``status``, ``ping``.
"""

from __future__ import annotations

import contextlib
import http.server
import socket
import socketserver
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from devices.camera.scenarios import ACTS, Scenario, ScenarioError, build_scenario

JPEG_QUALITY = 85
CONTROL_COMMANDS = (
    "scenario <name> [argument]",
    "act blink|left|right",
    "unplug",
    "plug",
    "status",
    "ping",
)


class CameraSimulator:
    """Serves the frames of a scenario as MJPEG on ``host:port``; controlled on ``control_port``."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        control_port: int | None = 0,
        fps: float = 15.0,
        width: int = 640,
        height: int = 480,
        scenario: str = "live",
        argument: str | None = None,
        data_dir: Path | None = None,
    ) -> None:
        if data_dir is None:
            from config.settings import PROJECT_ROOT

            data_dir = PROJECT_ROOT.parent / "shared" / "data"
        self.data_dir = data_dir
        self.fps, self.width, self.height = fps, width, height
        self._host, self._port, self._control_port = host, port, control_port
        self._lock = threading.Lock()
        self._scenario: Scenario = build_scenario(
            scenario, argument, data_dir=data_dir, width=width, height=height
        )
        self._scenario_started = time.monotonic()
        self._frame_ready = threading.Condition()
        self._jpeg: bytes | None = None
        self._sequence = 0
        self._render_ms = 0.0
        self._clients: set[socket.socket] = set()
        self._stream: _StreamServer | None = None
        self._stream_thread: threading.Thread | None = None
        self._control: _ControlServer | None = None
        self._control_thread: threading.Thread | None = None
        self._producer: threading.Thread | None = None
        self._stopping = threading.Event()

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> CameraSimulator:
        self._stopping.clear()
        self._producer = threading.Thread(
            target=self._produce, name="camera-sim-frames", daemon=True
        )
        self._producer.start()
        self.plug()
        if self._control_port is not None:
            self._control = _ControlServer((self._host, self._control_port), self)
            self._control_thread = _serve(self._control, "camera-sim-control")
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._control is not None:
            self._control.shutdown()
            self._control.server_close()
            self._control = None
        self.unplug()
        with self._frame_ready:
            self._frame_ready.notify_all()
        for thread in (self._producer, self._control_thread):
            if thread is not None:
                thread.join(timeout=5)

    def __enter__(self) -> CameraSimulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- what tests and the control port use ---------------------------------------------------

    @property
    def port(self) -> int:
        """The stream's TCP port (fixed after the first start, so plug comes back on it)."""
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self._port}/stream.mjpg"

    @property
    def control_port(self) -> int | None:
        return self._control.server_address[1] if self._control is not None else None

    @property
    def plugged(self) -> bool:
        return self._stream is not None

    @property
    def scenario(self) -> Scenario:
        return self._scenario

    def scenario_time(self) -> float:
        return time.monotonic() - self._scenario_started

    def set_scenario(self, name: str, argument: str | None = None) -> None:
        """Switch scenario; its timeline starts now. Raises ScenarioError for a bad name."""
        scenario = build_scenario(
            name, argument, data_dir=self.data_dir, width=self.width, height=self.height
        )
        with self._lock:
            self._scenario = scenario
            self._scenario_started = time.monotonic()

    def act(self, kind: str) -> bool:
        """Ask the person in view to blink or turn now; False if the scene cannot act."""
        if kind not in ACTS:
            raise ScenarioError(f"unknown act {kind!r}; use one of: {', '.join(ACTS)}")
        with self._lock:
            return self._scenario.act(kind, self.scenario_time())

    def plug(self) -> None:
        """Start serving the stream (on the same port as before, once bound)."""
        with self._lock:
            if self._stream is not None:
                return
            self._stream = _StreamServer((self._host, self._port), self)
            self._port = self._stream.server_address[1]
            self._stream_thread = _serve(self._stream, "camera-sim-stream")

    def unplug(self) -> None:
        """Stop listening and cut every open stream, as an unplugged camera does."""
        with self._lock:
            server, thread = self._stream, self._stream_thread
            self._stream = self._stream_thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        for client in list(self._clients):
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
        with self._frame_ready:
            self._frame_ready.notify_all()
        if thread is not None:
            thread.join(timeout=5)

    def render(self, t: float | None = None) -> np.ndarray:
        """The frame of the current scenario at time t (default: now)."""
        with self._lock:
            moment = self.scenario_time() if t is None else t
            return self._scenario.frame(moment)

    def status_line(self) -> str:
        with self._lock:
            scenario = self._scenario
            elapsed = self.scenario_time()
        argument = f" argument={scenario.argument}" if scenario.argument else ""
        return (
            f"ok scenario={scenario.name}{argument} t={elapsed:.1f} "
            f"plugged={'yes' if self.plugged else 'no'} clients={len(self._clients)} "
            f"frames={self._sequence} fps={self.fps:g} size={self.width}x{self.height} "
            f"render_ms={self._render_ms:.1f}"
        )

    def control(self, line: str) -> str:
        """Run one control command and return its one-line reply."""
        command, _, rest = line.strip().partition(" ")
        words = rest.split()
        try:
            if command == "scenario" and words:
                self.set_scenario(words[0], " ".join(words[1:]) or None)
                return f"ok scenario={self._scenario.name}"
            if command == "act" and len(words) == 1:
                if self.act(words[0]):
                    return f"ok act={words[0]}"
                return f"ok ignored: {self._scenario.name} cannot {words[0]}"
            if command == "unplug" and not words:
                self.unplug()
                return "ok unplugged"
            if command == "plug" and not words:
                self.plug()
                return "ok plugged"
            if command == "status" and not words:
                return self.status_line()
            if command == "ping" and not words:
                return "ok pong"
        except (ScenarioError, OSError) as exc:
            return f"error {exc}"
        return "error unknown command; use: " + ", ".join(CONTROL_COMMANDS)

    # --- frame production ----------------------------------------------------------------------

    def wait_for_frame(self, after: int, timeout: float) -> tuple[int, bytes] | None:
        """The next JPEG after sequence ``after``, or None when unplugged, stopping or late."""
        with self._frame_ready:
            self._frame_ready.wait_for(
                lambda: self._sequence > after or self._stopping.is_set() or not self.plugged,
                timeout,
            )
            if self._sequence > after and self._jpeg is not None and self.plugged:
                return self._sequence, self._jpeg
        return None

    def current_jpeg(self) -> bytes:
        ok, encoded = cv2.imencode(".jpg", self.render(), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            raise OSError("JPEG encoding failed")
        return encoded.tobytes()

    def _produce(self) -> None:
        period = 1.0 / self.fps
        next_due = time.monotonic()
        while not self._stopping.is_set():
            if self._clients:
                started = time.perf_counter()
                jpeg = self.current_jpeg()
                self._render_ms = (time.perf_counter() - started) * 1000.0
                with self._frame_ready:
                    self._jpeg = jpeg
                    self._sequence += 1
                    self._frame_ready.notify_all()
            next_due += period
            delay = next_due - time.monotonic()
            if delay < -period:  # fell behind (a slow scenario switch): don't burst to catch up
                next_due = time.monotonic()
            self._stopping.wait(max(0.0, delay))


class _StreamHandler(http.server.BaseHTTPRequestHandler):
    server: _StreamServer
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        simulator = self.server.simulator
        path = self.path.split("?", 1)[0]
        if path == "/snapshot.jpg":
            data = simulator.current_jpeg()
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        if path != "/stream.mjpg":
            self.send_error(404, "try /stream.mjpg or /snapshot.jpg")
            return
        self.send_response(200)
        self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Pragma", "no-cache")
        self.end_headers()
        simulator._clients.add(self.connection)
        try:
            last = simulator._sequence
            while True:
                ready = simulator.wait_for_frame(last, timeout=1.0)
                if ready is None:
                    if simulator._stopping.is_set() or not simulator.plugged:
                        return
                    continue
                last, data = ready
                self.wfile.write(
                    b"--frame\r\nContent-Type: image/jpeg\r\n"
                    + f"Content-Length: {len(data)}\r\n\r\n".encode()
                    + data
                    + b"\r\n"
                )
        except OSError:
            return
        finally:
            simulator._clients.discard(self.connection)

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would drown the simulator's own output


class _StreamServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: CameraSimulator) -> None:
        self.simulator = simulator
        super().__init__(address, _StreamHandler)


class _ControlHandler(socketserver.StreamRequestHandler):
    server: _ControlServer

    def handle(self) -> None:
        for raw in self.rfile:
            reply = self.server.simulator.control(raw.decode("utf-8", "replace"))
            self.wfile.write(reply.encode("utf-8") + b"\n")
            self.wfile.flush()


class _ControlServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: CameraSimulator) -> None:
        self.simulator = simulator
        super().__init__(address, _ControlHandler)


def _serve(server: socketserver.BaseServer, name: str) -> threading.Thread:
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
    )
    thread.start()
    return thread


def send_camera_command(control_port: int, command: str, *, timeout: float = 30.0) -> str:
    """Send one control command to a running simulator and return its reply line."""
    with socket.create_connection(("127.0.0.1", control_port), timeout=timeout) as connection:
        connection.sendall(command.encode("utf-8") + b"\n")
        with connection.makefile("rb") as replies:
            return replies.readline().decode("utf-8").rstrip("\r\n")
