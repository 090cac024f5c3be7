"""The fingerprints: each finger in turn on the reader, the reason a finger cannot be given,
and the summary of all of them."""

from __future__ import annotations

from kivy.metrics import dp, sp
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.widget import Widget

from kiosk import theme
from kiosk.finger_messages import (
    EXCEPTION_REASONS,
    OUTCOMES,
    finger_name,
    finger_progress,
    finger_prompt,
)
from kiosk.i18n import Translator
from kiosk.screens.base import FlowScreen
from kiosk.screens.choices import CardListScreen
from kiosk.session import FingerPhase, FlowState, Step
from kiosk.widgets.basics import ChoiceCard, Hint, KioskButton, WrappedLabel
from kiosk.widgets.camera_view import jpeg_texture
from kiosk.widgets.hands import HandsDiagram


def _marks(state: FlowState) -> dict[str, str]:
    return {result.finger: result.outcome.value for result in state.data.fingers}


class FingerCaptureScreen(FlowScreen):
    """The hands with the finger to give lit, one instruction, and the last print taken."""

    step = Step.FINGER_CAPTURE

    def build(self) -> None:
        self.hands = HandsDiagram(size_hint_y=None, height=dp(380))
        self.finger_label = WrappedLabel(
            halign="center", font_size=sp(theme.SUBTITLE_SIZE), bold=True, color=theme.TEXT
        )
        self.finger_label.widget_id = "finger_name"
        self.prompt = WrappedLabel(
            halign="center", font_size=sp(theme.TITLE_SIZE - 12), bold=True, color=theme.ACCENT
        )
        self.prompt.widget_id = "finger_prompt"
        self.progress = Hint(halign="center", font_size=sp(theme.SMALL_SIZE))
        holder = AnchorLayout(size_hint_y=None, height=dp(320))
        self.print_view = Image(size_hint=(None, None), size=(dp(270), dp(304)), fit_mode="contain")
        self.print_view.opacity = 0  # no print taken yet
        holder.add_widget(self.print_view)
        self.verdict = Hint(halign="center", font_size=sp(theme.SMALL_SIZE))
        self.staff_detail = Hint(halign="center", font_size=sp(theme.SMALL_SIZE - 6))
        for widget in (
            self.hands,
            self.finger_label,
            self.prompt,
            self.progress,
            holder,
            self.verdict,
            self.staff_detail,
            Widget(),
        ):
            self.body.add_widget(widget)
        self.cannot_button = self.nav_button(
            "finger_cannot_give", "secondary", self.flow.finger_cannot_give
        )
        self.keep_button = self.nav_button(
            "finger_keep_best", "primary", self.flow.finger_keep_best
        )
        self.retry_button = self.nav_button(
            "finger_retry_reader", "primary", self.flow.finger_retry_reader
        )
        self._shown_png: bytes | None = None

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        view = state.data.finger
        self.title.text = _("Fingerprints")
        self.hint.text = _("Give each finger when asked: the lit finger in the picture.")
        self.hands.current = view.finger if view else ""
        self.hands.marks = _marks(state)
        self.finger_label.text = finger_name(tr, view.finger) if view else ""
        self.prompt.text = finger_prompt(tr, view)
        self.progress.text = finger_progress(tr, view)
        self._show_print(view.preview_png if view else None)
        if view is not None and view.score is not None and view.phase is FingerPhase.LIFT:
            verdict = _("Quality %(score)d of 100") % {"score": view.score}
            self.verdict.text = verdict
            self.verdict.color = theme.rgb("#1f7a3a") if view.accepted else theme.ERROR_TEXT
        else:
            self.verdict.text = ""
        error_shown = view is not None and view.phase is FingerPhase.READER_ERROR
        self.staff_detail.text = (
            _("For staff: %(detail)s") % {"detail": view.reader_detail}
            if error_shown and view.reader_detail
            else ""
        )
        choosing = view is not None and view.phase is FingerPhase.CHOOSE and view.has_best
        self._show_button(self.keep_button, choosing)
        self._show_button(self.retry_button, error_shown)
        self.cannot_button.text = _("I cannot give this finger")
        self.keep_button.text = _("Use the best picture")
        self.retry_button.text = _("Try the reader again")

    def _show_print(self, png: bytes | None) -> None:
        if png is self._shown_png:
            return
        self._shown_png = png
        self.print_view.texture = jpeg_texture(png) if png else None
        self.print_view.opacity = 1 if png else 0

    def _show_button(self, button: KioskButton, shown: bool) -> None:
        if shown and button.parent is None:
            self.nav.add_widget(button, index=0)
        elif not shown and button.parent is not None:
            self.nav.remove_widget(button)


class FingerExceptionScreen(CardListScreen):
    """Why the finger cannot be given; the officer sees the answer."""

    step = Step.FINGER_EXCEPTION

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        view = state.data.finger
        name = finger_name(tr, view.finger) if view else ""
        self.title.text = _("Why can this finger not be given?")
        answer = _("Your answer is sent with the application; an officer will see it.")
        self.hint.text = f"{name}. {answer}"
        self.back_button.text = _("Back")
        cards = []
        for reason, text in EXCEPTION_REASONS.items():
            card = ChoiceCard(title=_(text), widget_id=f"finger_exception-{reason}")
            card.bind(
                on_release=lambda _c, reason=reason: self.send(
                    lambda: self.flow.finger_exception(reason)
                )
            )
            cards.append(card)
        self.show_cards((tr.language, view.finger if view else None), cards)


class FingerSummaryScreen(FlowScreen):
    """How each finger went, on the hands and as a list."""

    step = Step.FINGER_SUMMARY

    def build(self) -> None:
        self.hands = HandsDiagram(size_hint_y=None, height=dp(420))
        self.rows = BoxLayout(orientation="vertical", spacing=dp(12), size_hint_y=None)
        self.rows.bind(minimum_height=self.rows.setter("height"))
        for widget in (self.hands, self.rows, Widget()):
            self.body.add_widget(widget)
        self.again_button = self.nav_button("fingers_again", "secondary", self.flow.fingers_again)
        self.next_button = self.nav_button("next", "primary", self.flow.fingers_done)
        self._shown: object = None

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        self.title.text = _("Your fingerprints")
        self.hint.text = _("Check the list, then continue. You can also give them all again.")
        self.hands.current = ""
        self.hands.marks = _marks(state)
        key = (tr.language, state.data.fingers)
        if key != self._shown:
            self._shown = key
            self.rows.clear_widgets()
            for result in state.data.fingers:
                outcome = _(OUTCOMES[result.outcome.value])
                if result.exception:
                    outcome += f": {_(EXCEPTION_REASONS[result.exception])}"
                line = f"{finger_name(tr, result.finger)} — {outcome}"
                self.rows.add_widget(
                    WrappedLabel(text=line, font_size=sp(theme.BODY_SIZE), color=theme.TEXT)
                )
        self.again_button.text = _("Give them again")
        self.next_button.text = _("Continue")
