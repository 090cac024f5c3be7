"""Identification on the keypad: the personal number (PINFL), then the date of birth."""

from __future__ import annotations

from backend.contracts import PERSONAL_NUMBER_DIGITS
from kiosk.i18n import Translator
from kiosk.identity_rules import BIRTH_DATE_DIGITS, group_birth_digits, group_personal_number
from kiosk.screens.numbers import PLACEHOLDER, KeypadScreen, with_placeholders
from kiosk.session import FlowState, Step


class PersonalNumberScreen(KeypadScreen):
    """The 14-digit personal number from the ID card or passport."""

    step = Step.IDENTIFY_NUMBER

    def build(self) -> None:
        super().build()
        self.next_button = self.nav_button("next", "primary", self.flow.submit_personal_number)

    def digits(self) -> str:
        return self.flow.state.data.personal_number

    def set_digits(self, digits: str) -> None:
        self.flow.set_personal_number(digits)

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        self.title.text = _("Your personal number")
        self.hint.text = _(
            "Type the 14-digit personal identification number (PINFL) printed on your ID card "
            "or passport."
        )
        full = group_personal_number("0" * PERSONAL_NUMBER_DIGITS).replace("0", PLACEHOLDER)
        typed = group_personal_number(state.data.personal_number)
        self.display.text = with_placeholders(typed, full)
        self.keypad.clear_label = _("Clear")
        self.back_button.text = _("Back")
        self.next_button.text = _("Next")


class BirthDateScreen(KeypadScreen):
    """The date of birth as day, month, year; it must agree with the personal number."""

    step = Step.IDENTIFY_BIRTH

    def build(self) -> None:
        super().build()
        self.next_button = self.nav_button("next", "primary", self.flow.submit_birth_date)

    def digits(self) -> str:
        return self.flow.state.data.birth_digits

    def set_digits(self, digits: str) -> None:
        self.flow.set_birth_digits(digits)

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        self.title.text = _("Your date of birth")
        self.hint.text = _("Type the day, month and year: for example 04 08 1961.")
        full = group_birth_digits(_("DDMMYYYY")[:BIRTH_DATE_DIGITS].ljust(8, PLACEHOLDER))
        self.display.text = with_placeholders(group_birth_digits(state.data.birth_digits), full)
        self.keypad.clear_label = _("Clear")
        self.back_button.text = _("Back")
        self.next_button.text = _("Next")
