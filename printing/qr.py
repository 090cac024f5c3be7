"""QR symbols of receipts, drawn with the qrcode library."""

from __future__ import annotations

import qrcode
from PIL import Image

# Level M survives a crease or a smudge on thermal paper and keeps status URLs at version 4-6.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
QUIET_ZONE_MODULES = 4
MIN_MODULE_PX = 3
MAX_MODULE_PX = 10


def _qr(data: str) -> qrcode.QRCode:
    code = qrcode.QRCode(version=None, error_correction=ERROR_CORRECTION, box_size=1, border=0)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_module_px(data: str, paper_width_px: int) -> int:
    """Dots per QR module so the symbol takes about half the paper width."""
    modules = _qr(data).modules_count
    return max(MIN_MODULE_PX, min(MAX_MODULE_PX, (paper_width_px // 2) // modules))


def qr_symbol(data: str, module_px: int) -> Image.Image:
    """The bare symbol (no quiet zone) as a 1-bit image, black modules on white."""
    code = _qr(data)
    size = code.modules_count
    symbol = Image.new("1", (size, size), 1)
    pixels = symbol.load()
    for y, row in enumerate(code.get_matrix()):
        for x, dark in enumerate(row):
            if dark:
                pixels[x, y] = 0
    return symbol.resize((size * module_px, size * module_px), Image.Resampling.NEAREST)


def qr_quiet_zone_px(module_px: int) -> int:
    return QUIET_ZONE_MODULES * module_px


def qr_block_image(data: str, paper_width_px: int) -> Image.Image:
    """The symbol centred on a full-width strip with a quiet zone above and below."""
    module = qr_module_px(data, paper_width_px)
    symbol = qr_symbol(data, module)
    quiet = qr_quiet_zone_px(module)
    strip = Image.new("1", (paper_width_px, symbol.height + 2 * quiet), 1)
    strip.paste(symbol, ((paper_width_px - symbol.width) // 2, quiet))
    return strip
