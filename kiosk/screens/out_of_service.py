"""The station does not serve citizens now: the notice in its first language, and under it
in the station's other languages (nobody has chosen one yet)."""

from __future__ import annotations

from kivy.metrics import dp, sp
from kivy.uix.widget import Widget

from kiosk import theme
from kiosk.i18n import N_, Translator, translator
from kiosk.screens.base import FlowScreen
from kiosk.session import FlowState, Step
from kiosk.widgets.basics import Hint, WrappedLabel

TITLE = N_("This station is out of service")
ADVICE = N_("Please use another station or ask the staff for help.")


class OutOfServiceScreen(FlowScreen):
    """No buttons: nothing here can be started until the station is back in service."""

    step = Step.OUT_OF_SERVICE

    def build(self) -> None:
        self.nav.height = 0
        self.others: list[tuple[WrappedLabel, Hint]] = []
        self.body.add_widget(Widget(size_hint_y=None, height=dp(24)))
        for _language in self.ui.profile.kiosk.languages[1:]:
            title = WrappedLabel(bold=True, font_size=sp(theme.BODY_SIZE))
            advice = Hint(font_size=sp(theme.SMALL_SIZE))
            self.others.append((title, advice))
            self.body.add_widget(title)
            self.body.add_widget(advice)
        self.body.add_widget(Widget())

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        self.title.text = tr.gettext(TITLE)
        self.hint.text = tr.gettext(ADVICE)
        others = [code for code in self.flow.languages if code != tr.language]
        for (title, advice), language in zip(self.others, others, strict=False):
            other = translator(language)
            title.text = other.gettext(TITLE)
            advice.text = other.gettext(ADVICE)
