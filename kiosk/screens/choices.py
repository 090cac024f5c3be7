"""Choosing a service, then the subject category of the request."""

from __future__ import annotations

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout

from kiosk import theme
from kiosk.i18n import Translator
from kiosk.messages import service_kind_name
from kiosk.screens.base import FlowScreen, scrolling_column
from kiosk.session import FlowState, Step
from kiosk.widgets.basics import ChoiceCard


class CardListScreen(FlowScreen):
    """A scrollable column of choice cards, rebuilt when the language or the choices change."""

    def build(self) -> None:
        self.cards = BoxLayout(orientation="vertical", spacing=dp(theme.SPACING), size_hint_y=None)
        scroll = scrolling_column(self.cards)
        self.body.add_widget(scroll)
        self.back_button = self.nav_button("back", "secondary", self.flow.back)
        self._shown: object = None

    def show_cards(self, key: object, cards: list[ChoiceCard]) -> None:
        """Replace the cards unless the same ones (by ``key``) are already shown."""
        if key == self._shown:
            return
        self._shown = key
        self.cards.clear_widgets()
        for card in cards:
            self.cards.add_widget(card)


class ServiceScreen(CardListScreen):
    """The services of the kiosk profile: applications, appeals, reports."""

    step = Step.SERVICE

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        self.title.text = _("Choose a service")
        self.hint.text = _("What would you like to send to the office?")
        self.back_button.text = _("Back")
        cards = []
        for service in self.ui.profile.services:
            kind = service_kind_name(tr, service.kind)
            description = f"{kind} · {_(service.description)}" if service.description else kind
            card = ChoiceCard(
                title=_(service.title),
                description=description,
                selected=service.code == state.data.service_code,
                widget_id=f"service-{service.code}",
            )
            card.bind(
                on_release=lambda _c, code=service.code: self.send(
                    lambda: self.flow.choose_service(code)
                )
            )
            cards.append(card)
        self.show_cards((tr.language, state.data.service_code), cards)


class CategoryScreen(CardListScreen):
    """The subject categories of the chosen service."""

    step = Step.CATEGORY

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        service = self.flow.selected_service()
        self.title.text = _("What is it about?")
        self.hint.text = _(service.title) if service else ""
        self.back_button.text = _("Back")
        if service is None:
            return
        cards = []
        for category in service.categories:
            card = ChoiceCard(
                title=_(category.title),
                selected=category.code == state.data.category_code,
                widget_id=f"category-{category.code}",
            )
            card.bind(
                on_release=lambda _c, code=category.code: self.send(
                    lambda: self.flow.choose_category(code)
                )
            )
            cards.append(card)
        self.show_cards((tr.language, service.code, state.data.category_code), cards)
