"""Text and button widgets in the kiosk's style; every tappable one carries a ``widget_id``."""

from __future__ import annotations

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk import theme

Builder.load_string(
    f"""
#:import dp kivy.metrics.dp
#:import sp kivy.metrics.sp

<WrappedLabel>:
    color: {theme.TEXT}
    font_size: sp({theme.BODY_SIZE})
    halign: "left"
    valign: "top"
    text_size: self.width, None
    size_hint_y: None
    height: self.texture_size[1]

<Heading>:
    bold: True
    font_size: sp({theme.TITLE_SIZE})
    line_height: 1.05

<Hint>:
    color: {theme.TEXT_MUTED}

<ErrorBanner>:
    color: {theme.ERROR_TEXT}
    padding: dp(28), dp(22)
    height: self.texture_size[1] if self.text else 0
    opacity: 1 if self.text else 0
    canvas.before:
        Color:
            rgba: {theme.ERROR_BACKGROUND} if self.text else (0, 0, 0, 0)
        RoundedRectangle:
            pos: self.pos
            size: self.size
            radius: [dp({theme.RADIUS})]
        Color:
            rgba: {theme.ERROR_TEXT} if self.text else (0, 0, 0, 0)
        Rectangle:
            pos: self.x, self.y + dp(8)
            size: dp(10), max(0, self.height - dp(16))

<KioskButton>:
    font_size: sp({theme.BUTTON_SIZE})
    bold: True
    halign: "center"
    valign: "middle"
    padding: dp(24), dp(12)
    text_size: self.width, None
    size_hint_y: None
    height: max(self.min_height, self.texture_size[1] + dp(24))
    color: self.foreground
    disabled_color: self.foreground
    canvas.before:
        Color:
            rgba: self.background
        RoundedRectangle:
            pos: self.pos
            size: self.size
            radius: [dp({theme.RADIUS})]
        Color:
            rgba: self.outline
        Line:
            rounded_rectangle: (self.x, self.y, self.width, self.height, dp({theme.RADIUS}))
            width: dp(2.5)

<EntryFrame>:
    padding: dp(28), dp(20)
    canvas.before:
        Color:
            rgba: {theme.SURFACE}
        RoundedRectangle:
            pos: self.pos
            size: self.size
            radius: [dp({theme.RADIUS})]
        Color:
            rgba: {theme.ACCENT}
        Line:
            rounded_rectangle: (self.x, self.y, self.width, self.height, dp({theme.RADIUS}))
            width: dp(3)

<ConsentToggle>:
    size_hint_y: None
    height: max(dp(150), label.texture_size[1] + dp(48))
    padding: dp(28), dp(24)
    spacing: dp(28)
    canvas.before:
        Color:
            rgba: {theme.ACCENT_SOFT} if self.checked else {theme.SURFACE}
        RoundedRectangle:
            pos: self.pos
            size: self.size
            radius: [dp({theme.RADIUS})]
        Color:
            rgba: {theme.ACCENT}
        Line:
            rounded_rectangle: (self.x, self.y, self.width, self.height, dp({theme.RADIUS}))
            width: dp(3) if self.checked else dp(2)
    Widget:
        size_hint: None, None
        size: dp(72), dp(72)
        pos_hint: {{"center_y": 0.5}}
        canvas:
            Color:
                rgba: {theme.ACCENT} if root.checked else {theme.SURFACE}
            RoundedRectangle:
                pos: self.pos
                size: self.size
                radius: [dp(10)]
            Color:
                rgba: {theme.ACCENT}
            Line:
                rounded_rectangle: (self.x, self.y, self.width, self.height, dp(10))
                width: dp(3)
            Color:
                rgba: {theme.ON_ACCENT} if root.checked else (0, 0, 0, 0)
            Line:
                points: root.tick_points(self.x, self.y)
                width: dp(5)
                cap: "round"
                joint: "round"
    Label:
        id: label
        text: root.text
        color: {theme.TEXT}
        font_size: sp({theme.BODY_SIZE})
        text_size: self.width, None
        halign: "left"
        valign: "middle"
        size_hint_y: None
        height: self.texture_size[1]
        pos_hint: {{"center_y": 0.5}}

<ChoiceCard>:
    orientation: "vertical"
    size_hint_y: None
    height: max(self.min_height, self.minimum_height)
    padding: dp(36), dp(28)
    spacing: dp(8)
    canvas.before:
        Color:
            rgba: {theme.SURFACE_PRESSED} if self.state == "down" else \
({theme.ACCENT_SOFT} if self.selected else {theme.SURFACE})
        RoundedRectangle:
            pos: self.pos
            size: self.size
            radius: [dp({theme.RADIUS})]
        Color:
            rgba: {theme.ACCENT} if self.selected else {theme.BORDER}
        Line:
            rounded_rectangle: (self.x, self.y, self.width, self.height, dp({theme.RADIUS}))
            width: dp(4) if self.selected else dp(2)
    Widget:
    WrappedLabel:
        text: root.title
        bold: True
        font_size: sp({theme.SUBTITLE_SIZE})
        color: {theme.ACCENT}
    WrappedLabel:
        text: root.description
        color: {theme.TEXT_MUTED}
        opacity: 1 if root.description else 0
        height: self.texture_size[1] if root.description else 0
    Widget:
"""
)

_VARIANTS = {
    # variant: (background, pressed background, text, outline)
    "primary": (theme.ACCENT, theme.ACCENT_PRESSED, theme.ON_ACCENT, theme.ACCENT),
    "secondary": (theme.SURFACE, theme.SURFACE_PRESSED, theme.ACCENT, theme.ACCENT),
    "quiet": (theme.BACKGROUND, theme.SURFACE_PRESSED, theme.ACCENT, theme.BACKGROUND),
    "on_accent": (theme.ACCENT, theme.ACCENT_PRESSED, theme.ON_ACCENT, theme.ON_ACCENT),
}


class WrappedLabel(Label):
    """A label that wraps to its width and is as tall as its text."""


class Heading(WrappedLabel):
    """A screen title."""


class Hint(WrappedLabel):
    """An instruction under a title, in a quieter colour."""


class ErrorBanner(WrappedLabel):
    """An error message on a tinted band; takes no room when there is no error."""


class EntryFrame(BoxLayout):
    """The white, outlined box that shows what the citizen is typing."""


class Tappable:
    """Mixin: an id that tests and screenshots use to find the widget."""

    widget_id = StringProperty("")


class ConsentToggle(Tappable, ButtonBehavior, BoxLayout):
    """A large tick box with its statement; ``checked`` shows the tick."""

    text = StringProperty("")
    checked = BooleanProperty(False)

    @staticmethod
    def tick_points(x: float, y: float) -> list[float]:
        """The tick mark inside the 72 dp box at (x, y)."""
        return [x + dp(16), y + dp(37), x + dp(30), y + dp(21), x + dp(57), y + dp(52)]


class KioskButton(Tappable, ButtonBehavior, Label):
    """A large rounded button; ``variant`` picks its colours."""

    variant = OptionProperty("primary", options=list(_VARIANTS))
    min_height = NumericProperty(dp(theme.BUTTON_HEIGHT))
    background = ListProperty(theme.ACCENT)
    foreground = ListProperty(theme.ON_ACCENT)
    outline = ListProperty(theme.ACCENT)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.bind(variant=self._restyle, state=self._restyle, disabled=self._restyle)
        self._restyle()

    def _restyle(self, *_args: object) -> None:
        normal, pressed, text, outline = _VARIANTS[self.variant]
        if self.disabled:
            self.background = self.outline = theme.DISABLED
            self.foreground = theme.TEXT_MUTED
            return
        self.background = pressed if self.state == "down" else normal
        self.foreground = text
        self.outline = outline


class ChoiceCard(Tappable, ButtonBehavior, BoxLayout):
    """A tappable card with a title and a description line."""

    title = StringProperty("")
    description = StringProperty("")
    selected = BooleanProperty(False)
    min_height = NumericProperty(dp(theme.CHOICE_HEIGHT))
