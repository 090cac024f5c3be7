"""The technician's screens: the PIN keypad, then the kiosk's identity and device states.

Only staff reach them (a hidden gesture and a PIN); they show no citizen data.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.metrics import dp, sp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from backend.contracts import DeviceHealth, DeviceKind, DeviceReport
from kiosk import theme
from kiosk.i18n import N_, Translator
from kiosk.screens.base import FlowScreen, scrolling_column
from kiosk.session import FlowState, Step, TechnicianError, TechnicianView
from kiosk.widgets.basics import EntryFrame, KioskButton, WrappedLabel
from kiosk.widgets.keys import NumericKeypad

MAX_PIN_DIGITS = 12
PIN_MASK = "*"

DEVICE_NAMES = {
    DeviceKind.PRINTER: N_("Receipt printer"),
    DeviceKind.SCANNER: N_("QR code scanner"),
    DeviceKind.CAMERA: N_("Camera"),
    DeviceKind.FINGERPRINT: N_("Fingerprint reader"),
}
HEALTH_NAMES = {
    DeviceHealth.OK: N_("works"),
    DeviceHealth.WARNING: N_("needs attention"),
    DeviceHealth.ERROR: N_("does not work"),
    DeviceHealth.ABSENT: N_("not installed"),
}
ERRORS = {
    TechnicianError.WRONG_PIN: N_("Wrong PIN."),
    TechnicianError.LOCKED_OUT: N_("Too many wrong PINs. Try again in %(seconds)d s."),
    TechnicianError.PRINT_FAILED: N_("The test page could not be printed."),
}


def technician_error_text(tr: Translator, view: TechnicianView | None) -> str:
    if view is None or view.error is None:
        return ""
    return tr.gettext(ERRORS[view.error]) % {"seconds": view.locked_seconds}


def device_line(tr: Translator, report: DeviceReport) -> str:
    """``Receipt printer: does not work (paper out)``; the detail is the device's own words."""
    name = tr.gettext(DEVICE_NAMES[report.device])
    line = f"{name}: {tr.gettext(HEALTH_NAMES[report.health])}"
    return f"{line} ({report.detail})" if report.detail else line


class TechnicianPinScreen(FlowScreen):
    """The PIN, typed on the keypad and shown masked."""

    step = Step.TECHNICIAN_PIN

    def build(self) -> None:
        self.digits = ""
        frame = EntryFrame(size_hint_y=None, height=dp(150))
        self.display = Label(font_size=sp(theme.ENTRY_SIZE + 8), color=theme.TEXT, bold=True)
        frame.add_widget(self.display)
        self.keypad = NumericKeypad()
        self.keypad.bind(
            on_digit=lambda _k, digit: self._type(self.digits + digit),
            on_backspace=lambda _k: self._type(self.digits[:-1]),
            on_clear=lambda _k: self._type(""),
        )
        for widget in (frame, Widget(size_hint_y=None, height=dp(8)), self.keypad, Widget()):
            self.body.add_widget(widget)
        self.cancel_button = self.nav_button("technician-cancel", "secondary", self._cancel)
        self.enter_button = self.nav_button("technician-enter", "primary", self._enter)

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        if state.step is not Step.TECHNICIAN_PIN:
            self._type("")  # a PIN is never kept once the screen is left
        self.title.text = _("Technician access")
        self.hint.text = _("Enter the technician PIN.")
        self.error.text = technician_error_text(tr, state.technician)
        self.keypad.clear_label = _("Clear")
        self.cancel_button.text = _("Cancel")
        self.enter_button.text = _("Enter")
        self.enter_button.disabled = state.busy

    def _type(self, digits: str) -> None:
        self.digits = digits[:MAX_PIN_DIGITS]
        self.display.text = PIN_MASK * len(self.digits)

    def _enter(self) -> None:
        digits = self.digits
        self._type("")
        self.flow.submit_pin(digits)

    def _cancel(self) -> None:
        self._type("")
        self.flow.technician_exit()


class TechnicianScreen(FlowScreen):
    """Identity, backend link, outbox, each device's state; self-tests and a test page."""

    step = Step.TECHNICIAN

    def build(self) -> None:
        column = BoxLayout(orientation="vertical", spacing=dp(16))
        self.facts = {
            name: WrappedLabel(font_size=sp(theme.SMALL_SIZE))
            for name in ("kiosk", "office", "version", "backend", "outbox")
        }
        self.devices_heading = WrappedLabel(bold=True, font_size=sp(theme.BODY_SIZE))
        self.device_lines = {
            kind: WrappedLabel(font_size=sp(theme.SMALL_SIZE)) for kind in DEVICE_NAMES
        }
        self.print_note = WrappedLabel(font_size=sp(theme.SMALL_SIZE))
        for widget in (*self.facts.values(), self.devices_heading, *self.device_lines.values()):
            column.add_widget(widget)
        column.add_widget(self.print_note)
        self.body.add_widget(scrolling_column(column))
        self.refresh_button = self._body_button("technician-refresh", self.flow.technician_refresh)
        self.print_button = self._body_button("technician-print", self.flow.technician_print_test)
        self.exit_button = self.nav_button("technician-exit", "primary", self.flow.technician_exit)

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        view = state.technician
        self.title.text = _("Technician screen")
        self.hint.text = _("The kiosk and its devices. No citizen data is shown here.")
        self.error.text = technician_error_text(tr, view)
        self.refresh_button.text = _("Run self-tests again")
        self.print_button.text = _("Print test page")
        self.exit_button.text = _("Exit")
        self.devices_heading.text = _("Devices")
        if view is None:
            return
        check = view.check
        checking = _("Checking…")
        office = _(view.office) if view.office else "-"
        if check is None:
            answer = checking
        else:
            answer = _("answers") if check.backend_answers else _("does not answer")
        if check is None:
            backlog = checking
        else:  # a negative backlog: the outbox could not be read
            backlog = str(check.outbox_backlog) if check.outbox_backlog >= 0 else "-"
        facts = {
            "kiosk": (_("Kiosk"), f"{view.kiosk_code} {view.kiosk_name}"),
            "office": (_("Office"), office),
            "version": (_("Software version"), view.software_version),
            "backend": (_("Backend"), f"{view.backend_url} ({answer})"),
            "outbox": (_("Cases waiting to be sent"), backlog),
        }
        for name, (label, value) in facts.items():
            self.facts[name].text = f"{label}: {value}"
        reports = {report.device: report for report in check.devices} if check else {}
        for kind, line in self.device_lines.items():
            report = reports.get(kind)
            name = _(DEVICE_NAMES[kind])
            line.text = device_line(tr, report) if report else f"{name}: {checking}"
        self.refresh_button.disabled = check is None
        self.print_button.disabled = view.printing
        if view.printing:
            self.print_note.text = _("Printing the test page…")
        elif view.test_page_printed:
            self.print_note.text = _("The test page was printed.")
        else:
            self.print_note.text = ""

    def _body_button(self, widget_id: str, action: Callable[[], None]) -> KioskButton:
        button = KioskButton(
            widget_id=widget_id,
            variant="secondary",
            size_hint_y=None,
            height=dp(theme.BUTTON_HEIGHT),
            min_height=dp(theme.BUTTON_HEIGHT),
        )
        button.bind(on_release=lambda _button: self.send(action))
        self.body.add_widget(button)
        return button
