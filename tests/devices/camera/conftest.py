"""A running camera simulator (MJPEG over HTTP on 127.0.0.1) for the camera tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from config.settings import PROJECT_ROOT
from devices.camera.simulator import CameraSimulator

DATA_DIR = PROJECT_ROOT.parent / "shared" / "data"
ARTIFACTS = PROJECT_ROOT / "var" / "artifacts" / "camera"


@pytest.fixture
def simulator() -> Iterator[CameraSimulator]:
    with CameraSimulator(scenario="nobody", data_dir=DATA_DIR) as running:
        yield running


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR
