"""A receipt drawn as a picture of the paper, for previews and for checking print output."""

from __future__ import annotations

from PIL import Image

from printing.layout import layout_receipt
from printing.raster_text import RasterPainter
from printing.receipt import Receipt

TOP_MARGIN_PX = 16
BOTTOM_MARGIN_PX = 48


def receipt_block_images(receipt: Receipt, width_px: int = 576) -> list[Image.Image]:
    """The 1-bit image of every block, top to bottom, exactly as raster mode prints them."""
    painter = RasterPainter(width_px)
    return [painter.block_image(block) for block in layout_receipt(receipt, painter)]


def render_receipt_png(receipt: Receipt, width_px: int = 576) -> Image.Image:
    """The whole receipt as a greyscale image: white paper, black print, width_px wide."""
    images = receipt_block_images(receipt, width_px)
    height = TOP_MARGIN_PX + sum(image.height for image in images) + BOTTOM_MARGIN_PX
    paper = Image.new("L", (width_px, height), 255)
    y = TOP_MARGIN_PX
    for image in images:
        paper.paste(image.convert("L"), (0, y))
        y += image.height
    return paper
