"""The review: everything entered, each part editable, consent, then submit."""

from __future__ import annotations

from kivy.metrics import dp, sp
from kivy.uix.boxlayout import BoxLayout

from kiosk import theme
from kiosk.form_rules import PHONE_PREFIX, group_phone
from kiosk.i18n import Translator
from kiosk.messages import service_kind_name
from kiosk.screens.base import FlowScreen, scrolling_column
from kiosk.session import FlowState, Step
from kiosk.widgets.basics import ConsentToggle, Hint, KioskButton, WrappedLabel

REVIEWED_STEPS = (Step.SERVICE, Step.CATEGORY, Step.TEXT, Step.PHONE)


class ReviewRow(BoxLayout):
    """One reviewed answer: its label, its value, and a button to change it."""

    def __init__(self, step: Step, on_edit: object) -> None:
        super().__init__(size_hint_y=None, spacing=dp(24))
        texts = BoxLayout(orientation="vertical", size_hint_y=None, spacing=dp(4))
        texts.bind(minimum_height=texts.setter("height"))
        self.label = Hint(font_size=sp(30))
        self.value = WrappedLabel(font_size=sp(36), max_lines=3, shorten_from="right")
        texts.add_widget(self.label)
        texts.add_widget(self.value)
        self.edit_button = KioskButton(
            variant="secondary",
            widget_id=f"edit-{step.value}",
            size_hint_x=None,
            width=dp(340),
            min_height=dp(theme.MIN_TOUCH_HEIGHT),
            font_size=sp(38),
        )
        self.edit_button.bind(on_release=lambda _b: on_edit(step))
        self.add_widget(texts)
        self.add_widget(self.edit_button)
        texts.bind(height=self._fit)
        self.edit_button.bind(height=self._fit)

    def _fit(self, *_args: object) -> None:
        self.height = max(self.children[1].height, self.edit_button.height)


class ReviewScreen(FlowScreen):
    """Shows the whole request before it is sent; nothing is sent without consent."""

    step = Step.REVIEW

    def build(self) -> None:
        column = BoxLayout(orientation="vertical", spacing=dp(12))
        self.rows = {
            step: ReviewRow(step, lambda s: self.send(lambda: self.flow.edit(s)))
            for step in REVIEWED_STEPS
        }
        for row in self.rows.values():
            column.add_widget(row)
        self.body.add_widget(scrolling_column(column))
        # Outside the scrolling part, so it is always in sight next to "Submit".
        self.consent = ConsentToggle(widget_id="consent")
        self.consent.bind(on_release=self._toggle_consent)
        self.body.add_widget(self.consent)
        self.back_button = self.nav_button("back", "secondary", self.flow.back)
        self.submit_button = self.nav_button("submit", "primary", self.flow.confirm)

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        data = state.data
        service = self.flow.selected_service()
        category = self.flow.selected_category()
        self.title.text = _("Check your request")
        self.hint.text = _("If something is wrong, press “Change” next to it.")
        values = {
            Step.SERVICE: (
                _("Service"),
                f"{_(service.title)} ({service_kind_name(tr, service.kind)})" if service else "",
            ),
            Step.CATEGORY: (_("Subject"), _(category.title) if category else ""),
            Step.TEXT: (_("Your text"), data.text.strip()),
            Step.PHONE: (
                _("Phone number for updates"),
                f"{PHONE_PREFIX} {group_phone(data.phone_digits)}"
                if data.phone_digits
                else _("Not given"),
            ),
        }
        for step, (label, value) in values.items():
            row = self.rows[step]
            row.label.text = label
            row.value.text = value
            row.edit_button.text = _("Change")
        self.consent.text = _(
            "I confirm that what I wrote is true, and I agree that the office processes this "
            "information to handle my request."
        )
        self.consent.checked = data.consent
        self.back_button.text = _("Back")
        self.submit_button.text = _("Submit")

    def _toggle_consent(self, _toggle: ConsentToggle) -> None:
        self.send(lambda: self.flow.set_consent(not self.flow.state.data.consent))
