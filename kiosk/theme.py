"""The kiosk's look: one accent colour, high contrast, large type and touch targets.

Sizes are in Kivy ``dp``/``sp`` for a 1080x1920 portrait screen at density 1; for a smaller
window, ``kiosk.kivy_env.prepare_kivy`` scales the density so the proportions stay.
"""

from __future__ import annotations

Colour = tuple[float, float, float, float]


def rgb(hex_colour: str, alpha: float = 1.0) -> Colour:
    """``"#0b4f8a"`` -> Kivy RGBA floats."""
    value = hex_colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (red, green, blue, alpha)


ACCENT = rgb("#0b4f8a")
ACCENT_PRESSED = rgb("#083a66")
ACCENT_SOFT = rgb("#e3edf7")
ON_ACCENT = rgb("#ffffff")
BACKGROUND = rgb("#f4f6f8")
SURFACE = rgb("#ffffff")
SURFACE_PRESSED = rgb("#dde6ef")
TEXT = rgb("#14191f")
TEXT_MUTED = rgb("#46505a")
BORDER = rgb("#a9b4bf")
DISABLED = rgb("#c9d0d6")
ERROR_TEXT = rgb("#8c1010")
ERROR_BACKGROUND = rgb("#fbe7e7")

# Pixel sizes (dp) and type sizes (sp) on the 1080-wide reference screen.
HEADER_HEIGHT = 170
SCREEN_PADDING = 56
SPACING = 28
RADIUS = 20
BUTTON_HEIGHT = 140
MIN_TOUCH_HEIGHT = 120  # nothing a citizen taps is lower than this
CHOICE_HEIGHT = 170
KEY_HEIGHT = 120
KEY_SPACING = 10
KEYPAD_KEY_HEIGHT = 140

TITLE_SIZE = 62
SUBTITLE_SIZE = 44
BODY_SIZE = 40
SMALL_SIZE = 34
BUTTON_SIZE = 44
KEY_SIZE = 46
ENTRY_SIZE = 56
CASE_NUMBER_SIZE = 96
