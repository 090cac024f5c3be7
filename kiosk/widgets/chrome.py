"""The parts around the screens: the header band and the idle warning."""

from __future__ import annotations

from collections.abc import Callable

from kivy.graphics import Color, Rectangle
from kivy.metrics import dp, sp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView
from kivy.uix.widget import Widget

from kiosk import theme
from kiosk.i18n import Translator
from kiosk.widgets.basics import Heading, KioskButton, WrappedLabel

CORNER_SIZE = 160  # dp: the hidden target for staff, over the top-left of the band


class HeaderBar(BoxLayout):
    """The accent band on top: the station's name and office, and "Start over". Taps on its
    top-left corner go to ``on_corner_tap`` (the technician's hidden gesture)."""

    def __init__(
        self,
        on_start_over: Callable[[], None],
        on_corner_tap: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(
            size_hint_y=None,
            height=dp(theme.HEADER_HEIGHT),
            padding=(dp(theme.SCREEN_PADDING), dp(20)),
            spacing=dp(theme.SPACING),
        )
        with self.canvas.before:
            Color(rgba=theme.ACCENT)
            self._band = Rectangle()
        self.bind(pos=self._fit, size=self._fit)
        self._on_corner_tap = on_corner_tap
        names = BoxLayout(orientation="vertical", spacing=dp(4))
        self.station = WrappedLabel(color=theme.ON_ACCENT, bold=True, font_size=sp(32))
        self.office = WrappedLabel(color=theme.ON_ACCENT, font_size=sp(22), max_lines=2)
        names.add_widget(Widget())
        names.add_widget(self.station)
        names.add_widget(self.office)
        names.add_widget(Widget())
        self.start_over = KioskButton(
            variant="on_accent",
            widget_id="start-over",
            size_hint_x=None,
            width=dp(420),
            min_height=dp(theme.MIN_TOUCH_HEIGHT),
            font_size=sp(34),
        )
        self.start_over.bind(on_release=lambda _button: on_start_over())
        self.start_over.pos_hint = {"center_y": 0.5}
        self.add_widget(names)
        self.add_widget(self.start_over)

    def render(self, tr: Translator, office: str, can_start_over: bool) -> None:
        _ = tr.gettext
        self.station.text = _("Smart migration station")
        self.office.text = _(office) if office else ""
        self.start_over.text = _("Start over")
        self.start_over.opacity = 1 if can_start_over else 0
        self.start_over.disabled = not can_start_over

    def corner_contains(self, x: float, y: float) -> bool:
        """Whether a touch at window ``x, y`` lands on the hidden top-left corner."""
        side = dp(CORNER_SIZE)
        return self.x <= x < self.x + side and self.top - side <= y < self.top

    def on_touch_down(self, touch: object) -> bool:
        if self._on_corner_tap is not None and self.corner_contains(*touch.pos):
            self._on_corner_tap()
            return True
        return super().on_touch_down(touch)

    def _fit(self, *_args: object) -> None:
        self._band.pos = self.pos
        self._band.size = self.size


class IdleWarning(ModalView):
    """ "Are you still there?" with a countdown; any touch keeps the session."""

    def __init__(self, on_touch: Callable[[], None]) -> None:
        super().__init__(
            size_hint=(0.86, None),
            auto_dismiss=False,
            background_color=(0.05, 0.08, 0.12, 0.72),
            background="",
        )
        self._on_touch = on_touch
        card = BoxLayout(
            orientation="vertical",
            padding=dp(48),
            spacing=dp(theme.SPACING),
            size_hint_y=None,
        )
        card.bind(minimum_height=card.setter("height"))
        with card.canvas.before:
            Color(rgba=theme.SURFACE)
            self._card_background = Rectangle()
        card.bind(pos=self._fit_card, size=self._fit_card)
        self.card = card
        self.question = Heading(halign="center")
        self.countdown = WrappedLabel(halign="center")
        self.continue_button = KioskButton(variant="primary", widget_id="idle-continue")
        self.continue_button.bind(on_release=lambda _button: on_touch())
        for widget in (self.question, self.countdown, self.continue_button):
            card.add_widget(widget)
        card.bind(height=self.setter("height"))
        self.add_widget(card)

    def render(self, tr: Translator, seconds_left: int) -> None:
        self.question.text = tr.gettext("Are you still there?")
        self.countdown.text = tr.ngettext(
            "For your privacy the kiosk will return to the start in %(seconds)d second. "
            "Touch the screen to continue.",
            "For your privacy the kiosk will return to the start in %(seconds)d seconds. "
            "Touch the screen to continue.",
            seconds_left,
        ) % {"seconds": seconds_left}
        self.continue_button.text = tr.gettext("Continue")

    def on_touch_down(self, touch: object) -> bool:
        # Any touch means "still here"; it must not also press what is underneath.
        super().on_touch_down(touch)
        self._on_touch()
        return True

    def _fit_card(self, *_args: object) -> None:
        self._card_background.pos = self.card.pos
        self._card_background.size = self.card.size
