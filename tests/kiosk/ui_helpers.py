"""Helpers of the UI tests: where pictures go, and the layout check."""

from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts" / "kiosk"


def check_layout(harness, where: str) -> None:
    """Nothing clipped, overflowing, tiny or off screen on the screen shown."""
    assert harness.layout_problems() == [], where
