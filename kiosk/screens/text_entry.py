"""Typing the request itself on the on-screen keyboard."""

from __future__ import annotations

from kivy.metrics import dp, sp
from kivy.uix.scrollview import ScrollView

from backend.contracts import MAX_TEXT_CHARS
from kiosk import theme
from kiosk.i18n import Translator
from kiosk.keyboard_layouts import LAYOUT_OF_LANGUAGE
from kiosk.screens.base import FlowScreen
from kiosk.session import FlowState, Step
from kiosk.widgets.basics import EntryFrame, Hint, WrappedLabel
from kiosk.widgets.keys import OnScreenKeyboard

CURSOR = "|"


class TextScreen(FlowScreen):
    """The free text of the request, typed on the on-screen keyboard."""

    step = Step.TEXT

    def build(self) -> None:
        frame = EntryFrame()
        self.scroll = ScrollView(do_scroll_x=False, bar_width=dp(8))
        # Plain text: a markup label this size re-renders far too slowly for typing.
        self.entry = WrappedLabel(font_size=sp(theme.BODY_SIZE + 4))
        # Long text follows the cursor to the end; short text stays at the top of the box.
        self.scroll.bind(height=self._follow_end)
        self.entry.bind(height=self._follow_end)
        self.scroll.add_widget(self.entry)
        frame.add_widget(self.scroll)
        self.counter = Hint(halign="right", font_size=sp(theme.SMALL_SIZE))
        self.keyboard = OnScreenKeyboard()
        self.keyboard.bind(on_key=self._typed, on_backspace=self._erased)
        for widget in (frame, self.counter, self.keyboard):
            self.body.add_widget(widget)
        self.back_button = self.nav_button("back", "secondary", self.flow.back)
        self.next_button = self.nav_button("next", "primary", self.flow.submit_text)
        self._language: str | None = None

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        if tr.language != self._language:
            self._language = tr.language
            self.keyboard.layout_name = LAYOUT_OF_LANGUAGE[tr.language]
        self.title.text = _("Describe your matter")
        self.hint.text = _("Write what happened and what you ask the office to do.")
        self.entry.text = state.data.text + CURSOR
        self.counter.text = f"{len(state.data.text)} / {MAX_TEXT_CHARS}"
        self.back_button.text = _("Back")
        self.next_button.text = _("Next")

    def _follow_end(self, *_args: object) -> None:
        self.scroll.scroll_y = 0 if self.entry.height > self.scroll.height else 1

    def _typed(self, _keyboard: OnScreenKeyboard, char: str) -> None:
        self.send(lambda: self.flow.set_text(self.flow.state.data.text + char))

    def _erased(self, _keyboard: OnScreenKeyboard) -> None:
        self.send(lambda: self.flow.set_text(self.flow.state.data.text[:-1]))
