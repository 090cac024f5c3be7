"""The state fee: the amount and the QR code to pay it, the wait, and what came of it."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.metrics import dp, sp
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.widget import Widget

from backend.contracts import PaymentState
from kiosk import theme
from kiosk.i18n import Translator
from kiosk.money_text import som_text
from kiosk.screens.base import FlowScreen
from kiosk.session import ErrorCode, FlowState, Step
from kiosk.widgets.basics import Hint, WrappedLabel
from kiosk.widgets.busy import BusyIndicator
from kiosk.widgets.qr_image import QrImage

PAID_COLOUR = theme.rgb("#1f7a3a")


class PaymentScreen(FlowScreen):
    """The fee and its QR code; "Payment received" once it arrived, then on by itself."""

    step = Step.PAYMENT

    def build(self) -> None:
        self.service = Hint(halign="center")
        self.amount = WrappedLabel(
            halign="center", font_size=sp(theme.CASE_NUMBER_SIZE - 16), bold=True
        )
        self.amount.widget_id = "payment_amount"
        holder = AnchorLayout(size_hint_y=None, height=dp(520))
        self.qr = QrImage(size_hint=(None, None), size=(dp(500), dp(500)))
        self.indicator = BusyIndicator()
        holder.add_widget(self.qr)
        self.holder = holder
        self.status = WrappedLabel(
            halign="center", font_size=sp(theme.SUBTITLE_SIZE), bold=True, color=theme.ACCENT
        )
        self.status.widget_id = "payment_status"
        self.account = Hint(halign="center", font_size=sp(theme.SMALL_SIZE))
        self.time_left = Hint(halign="center", font_size=sp(theme.SMALL_SIZE))
        for widget in (
            self.service,
            self.amount,
            holder,
            self.status,
            self.account,
            self.time_left,
            Widget(),
        ):
            self.body.add_widget(widget)
        self.cancel_button = self.nav_button(
            "cancel_payment", "secondary", self.flow.cancel_payment
        )
        self._clock_event = None
        self._tr: Translator | None = None

    def on_enter(self, *_args: object) -> None:
        self._clock_event = Clock.schedule_interval(self._show_time_left, 0.5)

    def on_leave(self, *_args: object) -> None:
        if self._clock_event is not None:
            self._clock_event.cancel()
            self._clock_event = None

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        self._tr = tr
        service = self.flow.selected_service()
        payment = state.data.payment
        self.title.text = _("State fee")
        self.service.text = _(service.title) if service else ""
        self._show_busy(payment is None)
        if payment is None:
            self.hint.text = _("Preparing the payment…")
            self.amount.text = self.status.text = self.account.text = self.time_left.text = ""
            self.qr.data = ""
            self.cancel_button.disabled = True
            self.cancel_button.text = _("Cancel payment")
            return
        self.amount.text = som_text(tr, payment.amount_tiyin)
        paid = payment.state is PaymentState.PAID
        self.qr.data = "" if paid else payment.pay_url
        self.qr.opacity = 0 if paid else 1
        if paid:
            self.hint.text = _("Thank you. Your request is being sent now.")
            self.status.text = _("Payment received")
            self.status.color = PAID_COLOUR
            transaction = payment.transaction_id or payment.account
            self.account.text = _("Transaction: %(id)s") % {"id": transaction}
        else:
            self.hint.text = _(
                "Scan the QR code with Payme or your bank's app and pay. This screen moves on "
                "by itself when the payment arrives."
            )
            self.status.text = _("Waiting for your payment…")
            self.status.color = theme.ACCENT
            self.account.text = _("Order number: %(account)s") % {"account": payment.account}
        self.cancel_button.text = _("Cancel payment")
        self.cancel_button.disabled = paid or state.busy
        self.cancel_button.opacity = 0 if paid else 1  # too late to cancel: it is being sent
        self._show_time_left()

    def _show_time_left(self, *_args: object) -> None:
        payment = self.flow.state.data.payment
        if self._tr is None or payment is None or payment.state is not PaymentState.PENDING:
            self.time_left.text = ""
            return
        seconds = self.flow.payment_seconds_left()
        minutes, rest = divmod(max(0, seconds), 60)
        self.time_left.text = self._tr.gettext("Time left to pay: %(time)s") % {
            "time": f"{minutes}:{rest:02d}"
        }

    def _show_busy(self, busy: bool) -> None:
        if busy and self.indicator.parent is None:
            self.holder.remove_widget(self.qr)
            self.holder.add_widget(self.indicator)
            self.indicator.start()
        elif not busy and self.indicator.parent is not None:
            self.indicator.stop()
            self.holder.remove_widget(self.indicator)
            self.holder.add_widget(self.qr)


class PaymentResultScreen(FlowScreen):
    """The payment was cancelled, ran out of time, or arrived too late (to be refunded)."""

    step = Step.PAYMENT_RESULT

    def build(self) -> None:
        self.detail = WrappedLabel(halign="center")
        self.body.add_widget(self.detail)
        self.body.add_widget(Widget())
        self.finish_button = self.nav_button("finish", "secondary", self.flow.finish)
        self.retry_button = self.nav_button("retry_payment", "primary", self.flow.retry_payment)

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        self.error.text = ""  # the title and text below say it
        titles = {
            ErrorCode.PAYMENT_CANCELLED: _("Payment cancelled"),
            ErrorCode.PAYMENT_TIMED_OUT: _("The time to pay has run out"),
            ErrorCode.PAYMENT_REFUND: _("Your payment will be refunded"),
        }
        self.title.text = titles.get(state.error, _("Payment cancelled"))
        if state.error is ErrorCode.PAYMENT_REFUND:
            self.hint.text = _(
                "The payment arrived after the payment was cancelled. It is reported for a "
                "refund to your card or wallet. Nothing was submitted."
            )
        else:
            self.hint.text = _("Nothing was charged and nothing was submitted.")
        payment = state.data.payment
        self.detail.text = (
            _("Order number: %(account)s") % {"account": payment.account} if payment else ""
        )
        self.finish_button.text = _("Finish")
        self.retry_button.text = _("Pay again")
