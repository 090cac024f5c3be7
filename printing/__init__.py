"""Receipts as data, rendered to ESC/POS (through python-escpos) and to PNG previews."""

from printing.escpos_render import (
    EscposOptions,
    receipt_to_escpos_bytes,
    render_receipt_escpos,
)
from printing.fonts import FontNotFoundError, font_path, receipt_font
from printing.png_render import render_receipt_png
from printing.receipt import Receipt

__all__ = [
    "EscposOptions",
    "FontNotFoundError",
    "Receipt",
    "font_path",
    "receipt_font",
    "receipt_to_escpos_bytes",
    "render_receipt_escpos",
    "render_receipt_png",
]
