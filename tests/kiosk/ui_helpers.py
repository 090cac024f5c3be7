"""Helpers of the UI tests: where pictures go, and the layout check."""

from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts" / "kiosk"


def check_layout(harness, where: str) -> None:
    """Nothing clipped, overflowing, tiny or off screen on the screen shown."""
    assert harness.layout_problems() == [], where


def fresh_artifacts(name: str) -> Path:
    """``var/artifacts/<name>/``, emptied of the pictures an earlier run left."""
    folder = ARTIFACTS.parent / name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder
