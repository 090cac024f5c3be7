"""The screens shown while work runs in the background: submitting, looking a case up."""

from __future__ import annotations

from kivy.metrics import dp
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.widget import Widget

from kiosk.i18n import Translator
from kiosk.screens.base import FlowScreen
from kiosk.session import FlowState, Step
from kiosk.widgets.busy import BusyIndicator


class WaitingScreen(FlowScreen):
    """A turning indicator under a title; no buttons, so nothing can be pressed twice."""

    def build(self) -> None:
        self.indicator = BusyIndicator()
        holder = AnchorLayout(size_hint_y=None, height=dp(360))
        holder.add_widget(self.indicator)
        self.body.add_widget(holder)
        self.body.add_widget(Widget())
        self.nav.height = 0

    def on_enter(self, *_args: object) -> None:
        self.indicator.start()

    def on_leave(self, *_args: object) -> None:
        self.indicator.stop()


class SubmittingScreen(WaitingScreen):
    step = Step.SUBMITTING

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        self.title.text = _("Sending your request…")
        self.hint.text = _("Please wait: this takes a few seconds. Your receipt will be printed.")


class StatusLookupScreen(WaitingScreen):
    step = Step.STATUS_LOOKUP

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        self.title.text = _("Looking up your case…")
        self.hint.text = _("Please wait a moment.")
