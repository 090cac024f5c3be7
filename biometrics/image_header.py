"""The pixel size an encoded image declares, read from its header before anything is decoded.

A few hundred bytes of JPEG or PNG can declare 20000x20000 pixels; decoding allocates them all.
Every image from outside is measured here first and refused when it declares too much.
"""

from __future__ import annotations

import warnings
from io import BytesIO

from PIL import Image, UnidentifiedImageError

# 4096x4096: above a 4K camera frame or kiosk screen, about 50 MB once decoded to RGB.
DEFAULT_MAX_PIXELS = 4096 * 4096


class ImageHeaderError(ValueError):
    """The bytes are not an image of an accepted format, or its header is damaged."""


class ImageTooLargeError(ValueError):
    """The image declares more pixels than may be decoded."""


def declared_size(data: bytes, formats: tuple[str, ...] = ("JPEG", "PNG")) -> tuple[int, int]:
    """(width, height) as the header says; only the header is read, no pixel is decoded."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(data), formats=list(formats)) as image:
                return image.size
        except Image.DecompressionBombError:
            limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)
            raise ImageTooLargeError(f"image declares more than {limit} pixels") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ImageHeaderError(f"not a readable {' or '.join(formats)} image") from None


def check_declared_size(
    data: bytes,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    formats: tuple[str, ...] = ("JPEG", "PNG"),
) -> tuple[int, int]:
    """The declared (width, height) if within ``max_pixels``; ImageTooLargeError otherwise."""
    width, height = declared_size(data, formats)
    if width * height > max_pixels:
        raise ImageTooLargeError(
            f"image declares {width}x{height} pixels; at most {max_pixels} pixels are accepted"
        )
    return width, height
