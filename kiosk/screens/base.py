"""What every screen shares: the flow it feeds, and a title, hint, error, body, nav frame."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from kivy.graphics import Color, Rectangle
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView

from config.profiles import KioskProfile
from kiosk import theme
from kiosk.flow import InvalidTransition, KioskFlow
from kiosk.i18n import Translator
from kiosk.messages import error_text
from kiosk.session import FlowState, Step
from kiosk.widgets.basics import ErrorBanner, Heading, Hint, KioskButton

log = logging.getLogger(__name__)


def _never() -> bool:
    return False


@dataclass
class UiContext:
    """What screens need besides the state: the flow, the profile, device readiness."""

    flow: KioskFlow
    profile: KioskProfile
    scanner_ready: Callable[[], bool] = field(default=_never)
    camera_preview: Callable[[], Any] = field(default=lambda: None)


def scrolling_column(column: BoxLayout) -> ScrollView:
    """A scroll view over a vertical column as tall as its children."""
    scroll = ScrollView(do_scroll_x=False, bar_width=dp(8))
    column.size_hint_y = None
    column.bind(minimum_height=column.setter("height"))
    scroll.add_widget(column)
    return scroll


class FlowScreen(Screen):
    """A screen showing one step of the flow; subclasses fill ``body`` and ``nav``."""

    step: ClassVar[Step]

    def __init__(self, ui: UiContext) -> None:
        super().__init__(name=self.step.value)
        self.ui = ui
        self.flow = ui.flow
        with self.canvas.before:
            Color(rgba=theme.BACKGROUND)
            self._background = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._fit_background, size=self._fit_background)
        self.frame = BoxLayout(
            orientation="vertical",
            padding=(dp(theme.SCREEN_PADDING), dp(40), dp(theme.SCREEN_PADDING), dp(44)),
            spacing=dp(theme.SPACING),
        )
        self.title = Heading()
        self.hint = Hint()
        self.error = ErrorBanner()
        self.body = BoxLayout(orientation="vertical", spacing=dp(theme.SPACING))
        self.nav = BoxLayout(
            size_hint_y=None, height=dp(theme.BUTTON_HEIGHT), spacing=dp(theme.SPACING)
        )
        for widget in (self.title, self.hint, self.error, self.body, self.nav):
            self.frame.add_widget(widget)
        self.add_widget(self.frame)
        self.build()

    def build(self) -> None:
        """Create the screen's own widgets (called once)."""

    def render(self, state: FlowState, tr: Translator) -> None:
        """Show ``state`` in the language of ``tr``."""
        self.error.text = error_text(tr, state.error) if state.error else ""

    def nav_button(self, widget_id: str, variant: str, action: Callable[[], None]) -> KioskButton:
        """A button in the bottom row that sends ``action`` to the flow."""
        button = KioskButton(widget_id=widget_id, variant=variant, size_hint_y=None)
        button.bind(on_release=lambda _button: self.send(action))
        button.bind(texture_size=self._equalize_nav)
        self.nav.add_widget(button)
        return button

    def send(self, action: Callable[[], None]) -> None:
        """Feed an event to the flow; a stale tap (the step moved on) is ignored."""
        try:
            action()
        except InvalidTransition as error:
            log.info("ignored a tap out of step: %s", error)

    def _equalize_nav(self, *_args: object) -> None:
        """Bottom buttons share one height, the tallest label's (a long one wraps)."""
        buttons = [b for b in self.nav.children if isinstance(b, KioskButton)]
        needed = max(b.texture_size[1] + dp(24) for b in buttons)
        height = max(dp(theme.BUTTON_HEIGHT), needed)
        for button in buttons:
            button.min_height = height
        self.nav.height = height

    def _fit_background(self, *_args: object) -> None:
        self._background.pos = self.pos
        self._background.size = self.size
