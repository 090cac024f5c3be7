"""Results: the registered case (printed or not) and the status of a looked-up case."""

from __future__ import annotations

from kivy.graphics import Color, RoundedRectangle
from kivy.metrics import dp, sp
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from backend.contracts import group_case_number
from kiosk import theme
from kiosk.i18n import Translator
from kiosk.messages import error_text, service_kind_name, stage_name, stage_next_step
from kiosk.screens.base import FlowScreen
from kiosk.session import FlowState, Step
from kiosk.widgets.basics import Hint, WrappedLabel
from kiosk.widgets.qr_image import QrImage


def case_number_label() -> Label:
    """The case number, large, in the accent colour."""
    return Label(
        font_size=sp(theme.CASE_NUMBER_SIZE),
        bold=True,
        color=theme.ACCENT,
        size_hint_y=None,
        height=dp(130),
    )


class FactRow(BoxLayout):
    """A small label above its value."""

    def __init__(self) -> None:
        super().__init__(orientation="vertical", size_hint_y=None, spacing=dp(2))
        self.bind(minimum_height=self.setter("height"))
        self.label = Hint(font_size=sp(theme.SMALL_SIZE))
        self.value = WrappedLabel()
        self.add_widget(self.label)
        self.add_widget(self.value)


class DoneScreen(FlowScreen):
    """The case is registered: its number and QR on screen, the receipt from the printer."""

    step = Step.DONE

    def build(self) -> None:
        self.number_label = Hint(halign="center", font_size=sp(theme.SUBTITLE_SIZE))
        self.number = case_number_label()
        holder = AnchorLayout(size_hint_y=None, height=dp(440))
        self.qr = QrImage(size_hint=(None, None), size=(dp(440), dp(440)))
        holder.add_widget(self.qr)
        self.notice = WrappedLabel(halign="center")
        self.follow = Hint(halign="center", font_size=sp(theme.SMALL_SIZE))
        for widget in (self.number_label, self.number, holder, self.notice, self.follow, Widget()):
            self.body.add_widget(widget)
        self.reprint_button = self.nav_button("reprint", "secondary", self.flow.reprint)
        self.finish_button = self.nav_button("finish", "primary", self.flow.finish)

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        outcome = state.data.outcome
        if outcome is None:
            return
        self.title.text = _("Your request is registered")
        self.number_label.text = _("Case number")
        self.number.text = outcome.grouped_case_number
        self.qr.data = outcome.qr_data
        self.follow.text = _(
            "To follow your case, scan the QR code with your phone, or check it at any station."
        )
        notices = []
        if not outcome.delivered:
            notices.append(
                _(
                    "There is no connection to the office right now. Your request is saved on "
                    "this kiosk and will be sent automatically."
                )
            )
        self.show_printing(state, tr, notices)
        self.notice.text = "\n".join(notices)
        self.reprint_button.text = _("Printing…") if state.busy else _("Print again")
        self.finish_button.text = _("Finish")
        self.reprint_button.disabled = self.finish_button.disabled = state.busy

    def show_printing(self, state: FlowState, tr: Translator, notices: list[str]) -> None:
        """Say where the receipt is (overridden when it could not be printed)."""
        self.hint.text = tr.gettext("Take your receipt from the printer.")


class PrintFailedScreen(DoneScreen):
    """Registered, but no receipt: the number and QR stay on screen; "Print again" retries."""

    step = Step.PRINT_FAILED

    def build(self) -> None:
        super().build()
        self.reprint_button.variant = "primary"
        self.finish_button.variant = "secondary"

    def show_printing(self, state: FlowState, tr: Translator, notices: list[str]) -> None:
        _ = tr.gettext
        self.hint.text = _(
            "Write down the case number or photograph the QR code, or press “Print again” "
            "when the printer is fixed."
        )
        if state.error is not None:
            self.error.text = (
                error_text(tr, state.error) + " " + _("Your receipt could not be printed.")
            )


class StatusResultScreen(FlowScreen):
    """A case's public stage, dates and next step; no personal data."""

    step = Step.STATUS_RESULT

    def build(self) -> None:
        self.number = case_number_label()
        self.stage = Label(
            font_size=sp(theme.SUBTITLE_SIZE + 4),
            bold=True,
            color=theme.ON_ACCENT,
            size_hint_y=None,
            height=dp(110),
        )
        with self.stage.canvas.before:
            Color(rgba=theme.ACCENT)
            self._chip = RoundedRectangle(radius=[dp(theme.RADIUS)])
        self.stage.bind(pos=self._fit_chip, size=self._fit_chip)
        self.next_step = WrappedLabel()
        self.facts = {name: FactRow() for name in ("kind", "registered", "updated", "office")}
        for widget in (self.number, self.stage, self.next_step, *self.facts.values(), Widget()):
            self.body.add_widget(widget)
        self.another_button = self.nav_button("check-another", "secondary", self.flow.check_another)
        self.finish_button = self.nav_button("finish", "primary", self.flow.finish)

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        status = state.data.status
        if status is None:
            return
        self.title.text = _("Your case")
        self.hint.text = _("Case number")
        self.number.text = group_case_number(status.case_number)
        self.stage.text = stage_name(tr, status.stage)
        self.next_step.text = _("What happens next:") + " " + stage_next_step(tr, status.stage)
        values = {
            "kind": (_("Type"), service_kind_name(tr, status.service_kind)),
            "registered": (_("Registered"), tr.format_datetime(status.registered_at)),
            "updated": (_("Last updated"), tr.format_datetime(status.updated_at)),
            "office": (_("Office"), _(status.office) if status.office else "—"),
        }
        for name, (label, value) in values.items():
            self.facts[name].label.text = label
            self.facts[name].value.text = value
        self.another_button.text = _("Another case")
        self.finish_button.text = _("Finish")

    def _fit_chip(self, *_args: object) -> None:
        self._chip.pos = self.stage.pos
        self._chip.size = self.stage.size
