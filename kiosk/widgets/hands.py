"""Both hands seen from above, palms down as they lie on the reader: which finger to give
and how each one went."""

from __future__ import annotations

from dataclasses import dataclass

from kivy.graphics import Color, Line, PopMatrix, PushMatrix, Rotate, RoundedRectangle
from kivy.properties import DictProperty, StringProperty
from kivy.uix.widget import Widget

from kiosk import theme

CAPTURED = theme.rgb("#1f7a3a")
LOW_QUALITY = theme.rgb("#b26a00")
EXCEPTION = theme.rgb("#8a939c")
PENDING = theme.SURFACE
OUTLINE = theme.rgb("#5b6670")


@dataclass(frozen=True)
class FingerShape:
    """A finger as a rounded box in unit coordinates (the width of one hand is 1), turned by
    ``angle`` degrees about its base."""

    x: float
    y: float
    width: float
    height: float
    angle: float = 0.0


# The left hand, palm down: little finger on the left, thumb on the right; the right hand is
# its mirror image. Heights follow a real hand's proportions.
_LEFT_HAND = {
    "little": FingerShape(0.06, 0.47, 0.15, 0.30),
    "ring": FingerShape(0.24, 0.50, 0.16, 0.40),
    "middle": FingerShape(0.43, 0.51, 0.16, 0.45),
    "index": FingerShape(0.62, 0.50, 0.16, 0.40),
    "thumb": FingerShape(0.66, 0.12, 0.17, 0.36, angle=-42.0),
}
PALM = FingerShape(0.06, 0.0, 0.74, 0.60)
PALM_RADIUS = 0.16  # in hand widths: a rounded square, not a ball
HAND_GAP = 0.25  # between the two hands, in hand widths
ASPECT = (2 + HAND_GAP) / 1.0  # width over height of the whole picture


def finger_shape(finger: str) -> FingerShape:
    """Where a finger ("right_index"...) is drawn, in units of the picture's height."""
    side, _, name = finger.partition("_")
    shape = _LEFT_HAND[name]
    if side == "left":
        return shape
    mirrored_x = 2 + HAND_GAP - shape.x - shape.width
    return FingerShape(mirrored_x, shape.y, shape.width, shape.height, -shape.angle)


def palm_shape(side: str) -> FingerShape:
    if side == "left":
        return PALM
    return FingerShape(2 + HAND_GAP - PALM.x - PALM.width, PALM.y, PALM.width, PALM.height)


class HandsDiagram(Widget):
    """Two hands; ``current`` glows in the accent colour, ``marks`` colour the others by
    outcome ("captured", "low_quality", "exception")."""

    current = StringProperty("")
    marks = DictProperty({})

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.bind(pos=self._draw, size=self._draw, current=self._draw, marks=self._draw)

    def _draw(self, *_args: object) -> None:
        self.canvas.clear()
        unit = min(self.height, self.width / ASPECT)
        left = self.x + (self.width - unit * ASPECT) / 2
        bottom = self.y + (self.height - unit) / 2
        with self.canvas:
            for side in ("left", "right"):
                palm = palm_shape(side)
                self._shape(palm, left, bottom, unit, theme.ACCENT_SOFT, 2, PALM_RADIUS * unit)
                for name in _LEFT_HAND:
                    finger = f"{side}_{name}"
                    fill, width = self._style(finger)
                    self._shape(finger_shape(finger), left, bottom, unit, fill, width)

    def _style(self, finger: str) -> tuple[theme.Colour, float]:
        if finger == self.current:
            return theme.ACCENT, 5
        mark = self.marks.get(finger)
        colours = {"captured": CAPTURED, "low_quality": LOW_QUALITY, "exception": EXCEPTION}
        return colours.get(mark, PENDING), 2

    def _shape(
        self,
        shape: FingerShape,
        left: float,
        bottom: float,
        unit: float,
        fill: theme.Colour,
        line_width: float,
        radius: float | None = None,
    ) -> None:
        x, y = left + shape.x * unit, bottom + shape.y * unit
        width, height = shape.width * unit, shape.height * unit
        radius = width / 2 if radius is None else radius
        PushMatrix()
        Rotate(angle=shape.angle, origin=(x + width / 2, y))
        Color(rgba=fill)
        RoundedRectangle(pos=(x, y), size=(width, height), radius=[radius])
        Color(rgba=OUTLINE)
        Line(rounded_rectangle=(x, y, width, height, radius), width=line_width)
        PopMatrix()
