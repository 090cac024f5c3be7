"""Fonts of the kiosk screens: Noto Sans as Kivy's default, since Roboto lacks ʻ (U+02BB)."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

NOTO_DIR = Path("/usr/share/fonts/truetype/noto")
SYMBOLS_FONT = "KioskSymbols"
# Noto Sans Symbols 2 (or DejaVu Sans) draws the key icons (⌫ ⇧) that Noto Sans lacks.
SYMBOLS_FILES = (
    NOTO_DIR / "NotoSansSymbols2-Regular.ttf",
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
)


def text_font_paths() -> tuple[Path, Path]:
    """(regular, bold) font files: the receipt fonts when printing provides them."""
    try:
        from printing.fonts import font_path
    except ImportError:
        return NOTO_DIR / "NotoSans-Regular.ttf", NOTO_DIR / "NotoSans-Bold.ttf"
    return font_path(bold=False), font_path(bold=True)


def register_fonts() -> None:
    """Make Noto Sans Kivy's default font and register the key-icon font."""
    from kivy.core.text import DEFAULT_FONT, LabelBase  # here, so paths need no Kivy

    regular, bold = text_font_paths()
    LabelBase.register(DEFAULT_FONT, fn_regular=str(regular), fn_bold=str(bold))
    symbols = next((path for path in SYMBOLS_FILES if path.is_file()), None)
    if symbols is None:
        log.warning("no font with key icons (install fonts-noto-core); icons will be boxes")
        symbols = regular
    LabelBase.register(SYMBOLS_FONT, fn_regular=str(symbols))
