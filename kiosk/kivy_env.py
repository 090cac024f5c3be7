"""Kivy's process-wide settings, read once by Kivy: call ``prepare_kivy`` before importing it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REFERENCE_SIZE = (1080, 1920)  # the portrait kiosk screen the layout is drawn for


def prepare_kivy(kivy_home: Path, *, headless: bool = False) -> None:
    """Set Kivy's environment and window configuration for the kiosk.

    The window is 1080x1920 unless ``KCFG_GRAPHICS_WIDTH``/``HEIGHT`` say otherwise (a kiosk
    sets ``KCFG_GRAPHICS_FULLSCREEN=auto``); a smaller window keeps the layout's proportions.
    ``headless`` renders without a display (SDL's offscreen driver) when there is none.
    """
    if "kivy.core.window" in sys.modules:
        return  # the window exists already; its settings can no longer change
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_HOME", str(kivy_home))
    Path(os.environ["KIVY_HOME"]).mkdir(parents=True, exist_ok=True)
    if headless and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    width = int(os.environ.get("KCFG_GRAPHICS_WIDTH", REFERENCE_SIZE[0]))
    height = int(os.environ.get("KCFG_GRAPHICS_HEIGHT", REFERENCE_SIZE[1]))
    if "kivy.metrics" not in sys.modules:
        scale = min(width / REFERENCE_SIZE[0], height / REFERENCE_SIZE[1])
        os.environ.setdefault("KIVY_METRICS_DENSITY", f"{scale:.4f}")
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "resizable", "0")
    Config.set("kivy", "exit_on_escape", "0")
    # A right click must not leave a red multitouch dot on a kiosk screen.
    Config.set("input", "mouse", "mouse,disable_multitouch")
