"""Run the camera simulator in the foreground: ``python -m devices.camera.run_camera_simulator``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from devices.camera.scenarios import SCENARIO_NAMES, ScenarioError
from devices.camera.simulator import CameraSimulator
from devices.foreground import run_until_stopped


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Simulated camera: MJPEG over HTTP + control port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9103)
    parser.add_argument("--control-port", type=int, default=9104)
    parser.add_argument("--fps", type=float, default=15.0)
    parser.add_argument("--scenario", default="live", help=", ".join(SCENARIO_NAMES))
    parser.add_argument("--person", default=None, help="photo stem or path the scenario uses")
    parser.add_argument("--data-dir", type=Path, default=None, help="the shared test data folder")
    args = parser.parse_args(argv)
    try:
        simulator = CameraSimulator(
            host=args.host,
            port=args.port,
            control_port=args.control_port,
            fps=args.fps,
            scenario=args.scenario,
            argument=args.person,
            data_dir=args.data_dir,
        )
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    run_until_stopped(
        simulator,
        lambda: (
            f"camera simulator ready on {simulator.url}, "
            f"control 127.0.0.1:{simulator.control_port}, scenario {simulator.scenario.name}"
        ),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
