"""The first two screens: choosing a language, then what to do."""

from __future__ import annotations

from kivy.metrics import dp
from kivy.uix.widget import Widget

from kiosk.i18n import Translator, translator
from kiosk.messages import language_name
from kiosk.screens.base import FlowScreen
from kiosk.session import FlowState, Step
from kiosk.widgets.basics import ChoiceCard, Hint


class LanguageScreen(FlowScreen):
    """Greets in every language the kiosk offers and lets the citizen pick one."""

    step = Step.LANGUAGE

    def build(self) -> None:
        self.title.font_size = self.title.font_size * 0.9
        languages = self.flow.languages
        self.title.text = "\n".join(translator(lang).gettext("Welcome!") for lang in languages)
        self.hint.text = " · ".join(
            translator(lang).gettext("Choose your language") for lang in languages
        )
        self.body.add_widget(Widget(size_hint_y=None, height=dp(12)))
        for language in languages:
            card = ChoiceCard(
                title=language_name(language),
                widget_id=f"language-{language}",
                min_height=dp(200),
            )
            card.bind(
                on_release=lambda _card, lang=language: self.send(
                    lambda: self.flow.choose_language(lang)
                )
            )
            self.body.add_widget(card)
        self.body.add_widget(Widget())
        self.nav.height = 0
        self.nav.opacity = 0


class HomeScreen(FlowScreen):
    """Submit something, or check a case; a receipt can be scanned right here."""

    step = Step.HOME

    def build(self) -> None:
        self.submit_card = ChoiceCard(widget_id="home-submit", min_height=dp(300))
        self.submit_card.bind(on_release=lambda _c: self.send(self.flow.start_submission))
        self.check_card = ChoiceCard(widget_id="home-check", min_height=dp(300))
        self.check_card.bind(on_release=lambda _c: self.send(self.flow.start_status_check))
        self.scan_hint = Hint()
        for widget in (self.submit_card, self.check_card, self.scan_hint, Widget()):
            self.body.add_widget(widget)
        self.back_button = self.nav_button("back", "secondary", self.flow.back)

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        self.title.text = _("How can we help you?")
        self.hint.text = _("Touch one of the choices below.")
        self.submit_card.title = _("Submit an application, appeal or report")
        self.submit_card.description = _(
            "Send your request to the office and get a receipt with a case number."
        )
        self.check_card.title = _("Check my case")
        self.check_card.description = _(
            "See the stage of a case by its receipt: scan the QR code or type the number."
        )
        self.scan_hint.text = (
            _("You can also hold your receipt’s QR code under the scanner now.")
            if self.ui.scanner_ready()
            else ""
        )
        self.back_button.text = _("Change language")
