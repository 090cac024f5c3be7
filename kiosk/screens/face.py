"""The face: live picture with coaching and liveness, the photo to confirm, and the outcome."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.metrics import dp, sp
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.widget import Widget

from kiosk import theme
from kiosk.face_messages import face_progress, face_prompt
from kiosk.i18n import Translator
from kiosk.screens.base import FlowScreen
from kiosk.screens.waiting import WaitingScreen
from kiosk.session import ErrorCode, FlowState, Step
from kiosk.widgets.basics import Hint, WrappedLabel
from kiosk.widgets.camera_view import CameraView, jpeg_texture

PREVIEW_FPS = 15


class FaceCaptureScreen(FlowScreen):
    """The mirrored camera picture in an oval, and one instruction at a time under it."""

    step = Step.FACE_CAPTURE

    def build(self) -> None:
        self.camera = CameraView(size_hint_y=None, height=dp(900))
        self.prompt = WrappedLabel(
            halign="center", font_size=sp(theme.TITLE_SIZE - 6), bold=True, color=theme.ACCENT
        )
        self.prompt.widget_id = "face_prompt"
        self.progress = Hint(halign="center", font_size=sp(theme.SMALL_SIZE))
        for widget in (self.camera, self.prompt, self.progress, Widget()):
            self.body.add_widget(widget)
        self.back_button = self.nav_button("back", "secondary", self.flow.back)
        self._refresh = None

    def on_enter(self, *_args: object) -> None:
        self._refresh = Clock.schedule_interval(self._show_frame, 1 / PREVIEW_FPS)

    def on_leave(self, *_args: object) -> None:
        if self._refresh is not None:
            self._refresh.cancel()
            self._refresh = None
        self.camera.clear()

    def _show_frame(self, _dt: float) -> None:
        latest = self.ui.camera_preview()
        if latest is None:
            return
        image, analysis = latest
        self.camera.show(image, mirror=self.ui.profile.devices.camera.mirror_preview)
        self.camera.good = analysis.ok

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        self.title.text = _("Your photo")
        self.hint.text = _(
            "Look at the camera and fit your face into the oval. Follow the instruction below."
        )
        view = state.data.face
        self.prompt.text = face_prompt(tr, view)
        self.progress.text = face_progress(tr, view)
        self.back_button.text = _("Back")


class FaceConfirmScreen(FlowScreen):
    """The photo that will be sent: use it, or take another."""

    step = Step.FACE_CONFIRM

    def build(self) -> None:
        holder = AnchorLayout(size_hint_y=None, height=dp(860))
        self.portrait = CameraView(size_hint=(None, None), size=(dp(640), dp(853)), guide=False)
        holder.add_widget(self.portrait)
        self.body.add_widget(holder)
        self.body.add_widget(Widget())
        self.retake_button = self.nav_button("retake", "secondary", self.flow.retake)
        self.use_button = self.nav_button("use_photo", "primary", self.flow.accept_portrait)
        self._shown: bytes | None = None

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        self.title.text = _("Is this photo good?")
        self.hint.text = _(
            "This photo will be compared with your photo on record and used for your document."
        )
        portrait = state.data.portrait_jpeg
        if portrait is not None and portrait is not self._shown:
            self.portrait.texture = jpeg_texture(portrait)
            self._shown = portrait
        self.retake_button.text = _("Take again")
        self.use_button.text = _("Use this photo")


class FaceVerifyingScreen(WaitingScreen):
    step = Step.FACE_VERIFYING

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        self.title.text = _("Checking your photo…")
        self.hint.text = _("Please wait: your photo is compared with the photo on record.")


class FaceResultScreen(FlowScreen):
    """Why the photo was not accepted, and what to do: try again, or go to the staff desk."""

    step = Step.FACE_RESULT

    def build(self) -> None:
        self.attempts = Hint(halign="center")
        self.body.add_widget(self.attempts)
        self.body.add_widget(Widget())
        self.finish_button = self.nav_button("finish", "secondary", self.flow.finish)
        self.retry_button = self.nav_button("retry", "primary", self.flow.retake)

    def render(self, state: FlowState, tr: Translator) -> None:
        super().render(state, tr)
        _ = tr.gettext
        to_staff = state.error is ErrorCode.REFER_TO_STAFF
        self.title.text = _("Please go to the staff desk") if to_staff else _("Let us try again")
        self.hint.text = ""
        verification = state.data.verification
        if verification is not None and not to_staff and state.error is ErrorCode.FACE_NOT_VERIFIED:
            self.attempts.text = tr.ngettext(
                "%(count)d attempt left.", "%(count)d attempts left.", verification.attempts_left
            ) % {"count": verification.attempts_left}
        else:
            self.attempts.text = ""
        shown = self.retry_button.parent is not None
        if to_staff and shown:
            self.nav.remove_widget(self.retry_button)
        elif not to_staff and not shown:
            self.nav.add_widget(self.retry_button, index=0)
        self.retry_button.text = _("Try again")
        self.finish_button.text = _("Finish")
