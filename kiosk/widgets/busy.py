"""A turning arc shown while the kiosk waits for the backend or the printer."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.graphics import Color, Line
from kivy.metrics import dp
from kivy.uix.widget import Widget

from kiosk import theme


class BusyIndicator(Widget):
    """Turns while ``start()``ed; still otherwise, so an idle kiosk does not redraw."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("size_hint", (None, None))
        kwargs.setdefault("size", (dp(160), dp(160)))
        super().__init__(**kwargs)
        self._angle = 0.0
        self._event = None
        with self.canvas:
            Color(rgba=theme.ACCENT_SOFT)
            self._track = Line(width=dp(12))
            Color(rgba=theme.ACCENT)
            self._arc = Line(width=dp(12), cap="round")
        self.bind(pos=self._draw, size=self._draw)

    def start(self) -> None:
        if self._event is None:
            self._event = Clock.schedule_interval(self._turn, 1 / 30)

    def stop(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def _turn(self, dt: float) -> None:
        self._angle = (self._angle + 300 * dt) % 360
        self._draw()

    def _draw(self, *_args: object) -> None:
        radius = min(self.width, self.height) / 2 - dp(12)
        centre_x, centre_y = self.center
        self._track.circle = (centre_x, centre_y, radius)
        self._arc.circle = (centre_x, centre_y, radius, self._angle, self._angle + 100)
