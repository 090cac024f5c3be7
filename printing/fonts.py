"""The font files of printed receipts (and of the kiosk screens, which use the same file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype"),
    Path("/usr/share/fonts/opentype"),
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
)

# Noto Sans draws every letter of Uzbek Latin (incl. U+02BB) and Cyrillic; DejaVu Sans too.
FONT_FILES: dict[bool, tuple[str, ...]] = {
    False: ("noto/NotoSans-Regular.ttf", "dejavu/DejaVuSans.ttf"),
    True: ("noto/NotoSans-Bold.ttf", "dejavu/DejaVuSans-Bold.ttf"),
}


class FontNotFoundError(RuntimeError):
    """Neither Noto Sans nor DejaVu Sans is installed."""


@lru_cache(maxsize=2)
def font_path(bold: bool = False) -> Path:
    """Path of the receipt font file: Noto Sans, else DejaVu Sans."""
    for name in FONT_FILES[bold]:
        for base in FONT_DIRS:
            candidate = base / name
            if candidate.is_file():
                return candidate
    wanted = ", ".join(FONT_FILES[bold])
    raise FontNotFoundError(
        f"no receipt font found (looked for {wanted} under "
        f"{', '.join(str(d) for d in FONT_DIRS)}); install Debian's fonts-noto-core"
    )


@lru_cache(maxsize=64)
def receipt_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The receipt font at a pixel size, laid out the same on every machine."""
    return ImageFont.truetype(str(font_path(bold)), size=size, layout_engine=ImageFont.Layout.BASIC)
