"""The on-screen keyboard (Latin with ʻ, Cyrillic with ў қ ғ ҳ) and the numeric keypad."""

from __future__ import annotations

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label

from kiosk import theme
from kiosk.fonts import SYMBOLS_FONT
from kiosk.keyboard_layouts import (
    BACKSPACE,
    CYRILLIC_EXTRA,
    CYRILLIC_ROWS,
    LATIN_ROWS,
    PUNCTUATION_LEFT_OF_SPACE,
    PUNCTUATION_RIGHT_OF_SPACE,
    SHIFT,
)
from kiosk.widgets.basics import Tappable

Builder.load_string(
    f"""
#:import dp kivy.metrics.dp
#:import sp kivy.metrics.sp

<Key>:
    font_size: sp({theme.KEY_SIZE})
    color: {theme.ON_ACCENT} if self.active else {theme.TEXT}
    halign: "center"
    valign: "middle"
    canvas.before:
        Color:
            rgba: {theme.ACCENT} if self.active else \
({theme.SURFACE_PRESSED} if self.state == "down" else {theme.SURFACE})
        RoundedRectangle:
            pos: self.pos
            size: self.size
            radius: [dp(12)]
        Color:
            rgba: {theme.BORDER}
        Line:
            rounded_rectangle: (self.x, self.y, self.width, self.height, dp(12))
            width: dp(1.5)
"""
)


class Key(Tappable, ButtonBehavior, Label):
    """One key; ``active`` lights it (a latched shift)."""

    active = BooleanProperty(False)
    weight = NumericProperty(1.0)


class OnScreenKeyboard(BoxLayout):
    """Letters, digits, space and backspace; fires ``on_key(char)`` and ``on_backspace()``."""

    layout_name = OptionProperty("latin", options=["latin", "cyrillic"])
    shifted = BooleanProperty(False)
    __events__ = ("on_key", "on_backspace")

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("orientation", "vertical")
        kwargs.setdefault("spacing", dp(theme.KEY_SPACING))
        kwargs.setdefault("size_hint_y", None)
        super().__init__(**kwargs)
        self.bind(layout_name=self._rebuild, shifted=self._relabel)
        self._rebuild()

    def on_key(self, char: str) -> None:
        """Default handler of the ``on_key`` event."""

    def on_backspace(self) -> None:
        """Default handler of the ``on_backspace`` event."""

    def _rebuild(self, *_args: object) -> None:
        self.clear_widgets()
        latin = self.layout_name == "latin"
        rows = LATIN_ROWS if latin else CYRILLIC_ROWS
        for index, chars in enumerate(rows):
            keys = [self._char_key(char) for char in chars]
            if index == len(rows) - 1:
                keys = [self._shift_key(), *keys, self._backspace_key()]
            self._add_row(keys)
        bottom = [self._switch_key(latin)]
        if not latin:
            bottom += [self._char_key(char) for char in CYRILLIC_EXTRA]
        bottom += [self._char_key(char) for char in PUNCTUATION_LEFT_OF_SPACE]
        bottom.append(self._space_key())
        bottom += [self._char_key(char) for char in PUNCTUATION_RIGHT_OF_SPACE]
        self._add_row(bottom)
        self.height = len(self.children) * dp(theme.KEY_HEIGHT) + (len(self.children) - 1) * (
            self.spacing
        )
        self._relabel()

    def _add_row(self, keys: list[Key]) -> None:
        row = BoxLayout(spacing=dp(theme.KEY_SPACING))
        total = sum(key.weight for key in keys)
        for key in keys:
            key.size_hint_x = key.weight / total
            row.add_widget(key)
        self.add_widget(row)

    def _char_key(self, char: str) -> Key:
        key = Key(text=char, widget_id=f"key-{char}")
        key.bind(on_release=lambda _key, c=char: self._type(c))
        return key

    def _space_key(self) -> Key:
        key = Key(text="", widget_id="key-space", weight=3.5)
        key.bind(on_release=lambda _key: self._type(" "))
        return key

    def _shift_key(self) -> Key:
        key = Key(text=SHIFT, font_name=SYMBOLS_FONT, widget_id="key-shift", weight=1.4)
        key.bind(on_release=lambda _key: setattr(self, "shifted", not self.shifted))
        return key

    def _backspace_key(self) -> Key:
        key = Key(text=BACKSPACE, font_name=SYMBOLS_FONT, widget_id="key-backspace", weight=1.4)
        key.bind(on_release=lambda _key: self.dispatch("on_backspace"))
        return key

    def _switch_key(self, latin: bool) -> Key:
        key = Key(text="АБВ" if latin else "ABC", widget_id="key-layout", weight=1.6)
        key.font_size = key.font_size * 0.8
        target = "cyrillic" if latin else "latin"
        key.bind(on_release=lambda _key: setattr(self, "layout_name", target))
        return key

    def _type(self, char: str) -> None:
        if self.shifted:
            char = char.upper()
            self.shifted = False
        self.dispatch("on_key", char)

    def _relabel(self, *_args: object) -> None:
        for row in self.children:
            for key in row.children:
                if key.widget_id == "key-shift":
                    key.active = self.shifted
                elif key.widget_id.startswith("key-") and len(key.widget_id) == 5:
                    char = key.widget_id[4]
                    key.text = char.upper() if self.shifted else char


class NumericKeypad(GridLayout):
    """Digits, backspace and clear; fires ``on_digit(d)``, ``on_backspace()``, ``on_clear()``."""

    clear_label = StringProperty("C")
    __events__ = ("on_digit", "on_backspace", "on_clear")

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("cols", 3)
        kwargs.setdefault("spacing", dp(16))
        kwargs.setdefault("size_hint_y", None)
        super().__init__(**kwargs)
        self.row_default_height = dp(theme.KEYPAD_KEY_HEIGHT)
        self.row_force_default = True
        self.height = 4 * self.row_default_height + 3 * self.spacing[1]
        for digit in "123456789":
            self.add_widget(self._digit_key(digit))
        clear = Key(text=self.clear_label, widget_id="keypad-clear")
        clear.font_size = clear.font_size * 0.75
        self.bind(clear_label=clear.setter("text"))
        clear.bind(on_release=lambda _key: self.dispatch("on_clear"))
        self.add_widget(clear)
        self.add_widget(self._digit_key("0"))
        backspace = Key(text=BACKSPACE, font_name=SYMBOLS_FONT, widget_id="keypad-backspace")
        backspace.bind(on_release=lambda _key: self.dispatch("on_backspace"))
        self.add_widget(backspace)

    def _digit_key(self, digit: str) -> Key:
        key = Key(text=digit, widget_id=f"keypad-{digit}")
        key.font_size = key.font_size * 1.2
        key.bind(on_release=lambda _key, d=digit: self.dispatch("on_digit", d))
        return key

    def on_digit(self, digit: str) -> None:
        """Default handler of the ``on_digit`` event."""

    def on_backspace(self) -> None:
        """Default handler of the ``on_backspace`` event."""

    def on_clear(self) -> None:
        """Default handler of the ``on_clear`` event."""
