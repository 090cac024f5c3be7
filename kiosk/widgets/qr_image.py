"""A QR code drawn on screen from the same data as the receipt's."""

from __future__ import annotations

import qrcode
from kivy.graphics.texture import Texture
from kivy.properties import StringProperty
from kivy.uix.image import Image
from PIL import Image as PILImage


def qr_texture(data: str) -> Texture:
    """A texture with one texel per QR module (plus the quiet zone); scale it with nearest."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=1)
    code.add_data(data)
    code.make(fit=True)
    picture = code.make_image().get_image().convert("RGB")
    texture = Texture.create(size=picture.size, colorfmt="rgb")
    # Kivy textures start at the bottom row; PIL images at the top one.
    flipped = picture.transpose(PILImage.Transpose.FLIP_TOP_BOTTOM)
    texture.blit_buffer(flipped.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    return texture


class QrImage(Image):
    """Shows ``data`` as a QR code, sharp at any size."""

    data = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("fit_mode", "contain")
        super().__init__(**kwargs)

    def on_data(self, _instance: object, data: str) -> None:
        self.texture = qr_texture(data) if data else None
