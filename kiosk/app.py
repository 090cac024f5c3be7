"""The Kivy app: a header, a screen per flow step and the idle warning, driven by the flow."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock, mainthread
from kivy.core.window import Window
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk import theme
from kiosk.background import Task
from kiosk.fonts import register_fonts
from kiosk.i18n import translator
from kiosk.screens.base import FlowScreen, UiContext
from kiosk.screens.choices import CategoryScreen, ServiceScreen
from kiosk.screens.face import (
    FaceCaptureScreen,
    FaceConfirmScreen,
    FaceResultScreen,
    FaceVerifyingScreen,
)
from kiosk.screens.fingers import (
    FingerCaptureScreen,
    FingerExceptionScreen,
    FingerSummaryScreen,
)
from kiosk.screens.identify import BirthDateScreen, PersonalNumberScreen
from kiosk.screens.numbers import PhoneScreen, StatusEntryScreen
from kiosk.screens.out_of_service import OutOfServiceScreen
from kiosk.screens.outcome import DoneScreen, PrintFailedScreen, StatusResultScreen
from kiosk.screens.payment import PaymentResultScreen, PaymentScreen
from kiosk.screens.review import ReviewScreen
from kiosk.screens.start import HomeScreen, LanguageScreen
from kiosk.screens.technician import TechnicianPinScreen, TechnicianScreen
from kiosk.screens.text_entry import TextScreen
from kiosk.screens.waiting import StatusLookupScreen, SubmittingScreen
from kiosk.screenshots import ScreenRecorder, WindowCapture
from kiosk.session import FlowState, Step
from kiosk.widgets.chrome import HeaderBar, IdleWarning

SCREENS: tuple[type[FlowScreen], ...] = (
    LanguageScreen,
    HomeScreen,
    ServiceScreen,
    PersonalNumberScreen,
    BirthDateScreen,
    FaceCaptureScreen,
    FaceConfirmScreen,
    FaceVerifyingScreen,
    FaceResultScreen,
    FingerCaptureScreen,
    FingerExceptionScreen,
    FingerSummaryScreen,
    CategoryScreen,
    TextScreen,
    PhoneScreen,
    ReviewScreen,
    PaymentScreen,
    PaymentResultScreen,
    SubmittingScreen,
    DoneScreen,
    PrintFailedScreen,
    StatusEntryScreen,
    StatusLookupScreen,
    StatusResultScreen,
    OutOfServiceScreen,
    TechnicianPinScreen,
    TechnicianScreen,
)
_NO_START_OVER = (
    Step.LANGUAGE,
    Step.SUBMITTING,
    Step.STATUS_LOOKUP,
    Step.FACE_VERIFYING,
    Step.OUT_OF_SERVICE,
)
TICK_SECONDS = 0.25


def kivy_dispatch(task: Task) -> None:
    """Run ``task`` on Kivy's main thread at the next frame; safe to call from any thread."""
    Clock.schedule_once(lambda _dt: task(), 0)


def main_thread_scan_handler(on_scan: Callable[[str], None]) -> Callable[[str], None]:
    """Wrap a flow callback so a scanner thread can call it: it runs on the main thread."""
    return mainthread(on_scan)


class KioskRoot(BoxLayout):
    """The whole kiosk UI for one flow; ``close()`` detaches it from the flow and the clock."""

    def __init__(self, ui: UiContext, *, screenshot_dir: Path | None = None) -> None:
        super().__init__(orientation="vertical")
        register_fonts()
        self.ui = ui
        self.flow = ui.flow
        self.header = HeaderBar(
            on_start_over=self._start_over, on_corner_tap=self.flow.hidden_gesture_tap
        )
        self.manager = ScreenManager(transition=NoTransition())
        self.screens: dict[Step, FlowScreen] = {}
        for screen_class in SCREENS:
            screen = screen_class(ui)
            self.screens[screen_class.step] = screen
            self.manager.add_widget(screen)
        self.add_widget(self.header)
        self.add_widget(self.manager)
        self.idle_warning = IdleWarning(on_touch=self.flow.touch)
        self.capture: WindowCapture | None = None
        self.recorder: ScreenRecorder | None = None
        if screenshot_dir is not None:
            self.capture = WindowCapture(Window)
            self.recorder = ScreenRecorder(self.capture, screenshot_dir)
        self._unsubscribe = self.flow.subscribe(self.show)
        self._ticker = Clock.schedule_interval(lambda _dt: self.flow.tick(), TICK_SECONDS)
        self.show(self.flow.state)

    @property
    def current_screen(self) -> str:
        return self.manager.current

    def show(self, state: FlowState) -> None:
        """Render ``state``: the screen of its step, the header, the idle warning."""
        language = state.data.language or self.flow.languages[0]
        tr = translator(language)
        screen = self.screens[state.screen]
        screen.render(state, tr)
        if self.manager.current != screen.name:
            self.manager.current = screen.name
        can_start_over = state.screen not in _NO_START_OVER and not state.busy
        self.header.render(tr, self.ui.profile.kiosk.office, can_start_over)
        if state.step is Step.IDLE_WARNING:
            self.idle_warning.render(tr, state.idle_seconds_left or 0)
            self.idle_warning.open(animation=False)
        else:
            self.idle_warning.dismiss(animation=False)
        if self.recorder is not None:
            self.recorder.observe(state, language)

    def on_touch_down(self, touch: object) -> bool:
        self.flow.touch()
        return super().on_touch_down(touch)

    def close(self) -> None:
        """Detach from the flow and the clock; safe to call more than once."""
        self._unsubscribe()
        self._ticker.cancel()
        self.idle_warning.dismiss(animation=False)
        if self.capture is not None:
            self.capture.close()

    def _start_over(self) -> None:
        self.screens[self.flow.state.screen].send(self.flow.finish)


class KioskApp(App):
    """The touchscreen app; ``build_ui`` makes the UI context when Kivy is ready."""

    title = "Smart Station"

    def __init__(
        self, build_ui: Callable[[], UiContext], *, screenshot_dir: Path | None = None
    ) -> None:
        super().__init__()
        self._build_ui = build_ui
        self._screenshot_dir = screenshot_dir
        self.root_widget: KioskRoot | None = None

    def build(self) -> KioskRoot:
        Window.clearcolor = theme.BACKGROUND
        self.root_widget = KioskRoot(self._build_ui(), screenshot_dir=self._screenshot_dir)
        return self.root_widget

    def on_stop(self) -> None:
        if self.root_widget is not None:
            self.root_widget.close()
