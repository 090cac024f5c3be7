"""Numbers typed on the keypad: the phone number for updates and a case number to check."""

from __future__ import annotations

from kivy.metrics import dp, sp
from kivy.uix.label import Label
from kivy.uix.widget import Widget
from kivy.utils import get_hex_from_color

from backend.contracts import CASE_NUMBER_DIGITS, group_case_number
from kiosk import theme
from kiosk.form_rules import PHONE_DIGITS, PHONE_PREFIX, group_phone
from kiosk.i18n import Translator
from kiosk.screens.base import FlowScreen
from kiosk.session import FlowState, Step
from kiosk.widgets.basics import EntryFrame
from kiosk.widgets.keys import NumericKeypad

PLACEHOLDER = "_"
_MUTED = get_hex_from_color(theme.BORDER)


def with_placeholders(grouped_typed: str, grouped_full: str) -> str:
    """Kivy markup: what was typed, then muted placeholders for the digits still missing."""
    typed = len(grouped_typed)
    rest = grouped_full[typed:]
    return grouped_typed + (f"[color={_MUTED}]{rest}[/color]" if rest else "")


class KeypadScreen(FlowScreen):
    """A large number display over a numeric keypad."""

    def build(self) -> None:
        frame = EntryFrame(size_hint_y=None, height=dp(150))
        self.display = Label(
            markup=True, font_size=sp(theme.ENTRY_SIZE + 8), color=theme.TEXT, bold=True
        )
        frame.add_widget(self.display)
        self.keypad = NumericKeypad()
        self.keypad.bind(
            on_digit=lambda _k, digit: self.send(lambda: self.set_digits(self.digits() + digit)),
            on_backspace=lambda _k: self.send(lambda: self.set_digits(self.digits()[:-1])),
            on_clear=lambda _k: self.send(lambda: self.set_digits("")),
        )
        for widget in (frame, Widget(size_hint_y=None, height=dp(8)), self.keypad, Widget()):
            self.body.add_widget(widget)
        self.back_button = self.nav_button("back", "secondary", self.flow.back)

    def digits(self) -> str:
        raise NotImplementedError

    def set_digits(self, digits: str) -> None:
        raise NotImplementedError


class PhoneScreen(KeypadScreen):
    """An optional phone number for news about the case: +998 and nine digits."""

    step = Step.PHONE

    def build(self) -> None:
        super().build()
        self.next_button = self.nav_button("next", "primary", self.flow.submit_phone)

    def digits(self) -> str:
        return self.flow.state.data.phone_digits

    def set_digits(self, digits: str) -> None:
        self.flow.set_phone_digits(digits)

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        self.title.text = _("Phone number for updates")
        self.hint.text = _(
            "Optional: the office can tell you by phone how your case goes. "
            "Leave it empty if you do not want this."
        )
        digits = state.data.phone_digits
        full = group_phone("0" * PHONE_DIGITS).replace("0", PLACEHOLDER)
        self.display.text = f"{PHONE_PREFIX} " + with_placeholders(group_phone(digits), full)
        self.keypad.clear_label = _("Clear")
        self.back_button.text = _("Back")
        self.next_button.text = _("Next") if digits else _("Skip")


class StatusEntryScreen(KeypadScreen):
    """The case number from a receipt, typed or scanned."""

    step = Step.STATUS_ENTRY

    def build(self) -> None:
        super().build()
        self.check_button = self.nav_button("check", "primary", self.flow.lookup)

    def digits(self) -> str:
        return self.flow.state.data.case_entry

    def set_digits(self, digits: str) -> None:
        self.flow.set_case_entry(digits)

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        self.title.text = _("Check my case")
        if self.ui.scanner_ready():
            self.hint.text = _(
                "Hold the QR code of your receipt under the scanner, or type the case number."
            )
        else:
            self.hint.text = _(
                "The scanner is not working right now. Type the case number from your receipt."
            )
        full = group_case_number(PLACEHOLDER * CASE_NUMBER_DIGITS)
        entry = state.data.case_entry
        self.display.text = with_placeholders(group_case_number(entry), full)
        self.keypad.clear_label = _("Clear")
        self.back_button.text = _("Back")
        self.check_button.text = _("Check")
