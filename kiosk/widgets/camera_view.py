"""The live camera picture, mirrored like a looking glass, with the oval to fit the face into."""

from __future__ import annotations

import cv2
import numpy as np
from kivy.graphics import Color, Line
from kivy.graphics.texture import Texture
from kivy.metrics import dp
from kivy.properties import BooleanProperty
from kivy.uix.image import Image

from kiosk import theme

GOOD = theme.rgb("#1f8a3b")
NO_PICTURE = theme.rgb("#2b333b")
WAITING = theme.rgb("#ffffff")
OVAL_WIDTH = 0.46  # of the picture's width, about where the quality checks want the head
OVAL_HEIGHT = 0.78


def bgr_texture(image: np.ndarray, *, mirror: bool, texture: Texture | None = None) -> Texture:
    """A texture of a BGR picture; Kivy's rows start at the bottom, so it is flipped."""
    flipped = cv2.flip(image, -1 if mirror else 0)
    height, width = flipped.shape[:2]
    if texture is None or tuple(texture.size) != (width, height):
        texture = Texture.create(size=(width, height), colorfmt="bgr")
    texture.blit_buffer(np.ascontiguousarray(flipped).tobytes(), colorfmt="bgr", bufferfmt="ubyte")
    return texture


def jpeg_texture(data: bytes) -> Texture | None:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return None if image is None else bgr_texture(image, mirror=False)


class CameraView(Image):
    """Shows frames handed to ``show``; ``good`` turns the oval green."""

    good = BooleanProperty(False)
    guide = BooleanProperty(True)

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("fit_mode", "contain")
        super().__init__(**kwargs)
        with self.canvas.after:
            self._colour = Color(rgba=WAITING if self.guide else (0, 0, 0, 0))
            self._oval = Line(width=dp(5))
        self.bind(pos=self._place_oval, size=self._place_oval, good=self._recolour)
        self.bind(texture=self._place_oval, texture_size=self._tint)
        self._tint()

    def show(self, image: np.ndarray, *, mirror: bool = True) -> None:
        self.texture = bgr_texture(image, mirror=mirror, texture=self.texture)
        self._tint()
        self.canvas.ask_update()

    def clear(self) -> None:
        self.texture = None
        self._tint()

    def _tint(self, *_args: object) -> None:
        """A dark panel until the first picture arrives, not a white glare."""
        self.color = (1, 1, 1, 1) if self.texture is not None else NO_PICTURE

    def _recolour(self, *_args: object) -> None:
        if not self.guide:
            self._colour.rgba = (0, 0, 0, 0)
            return
        self._colour.rgba = GOOD if self.good else WAITING

    def _place_oval(self, *_args: object) -> None:
        width, height = self.norm_image_size
        left = self.center_x - width / 2
        bottom = self.center_y - height / 2
        oval_w, oval_h = width * OVAL_WIDTH, height * OVAL_HEIGHT
        self._oval.ellipse = (
            left + (width - oval_w) / 2,
            bottom + (height - oval_h) / 2,
            oval_w,
            oval_h,
        )
