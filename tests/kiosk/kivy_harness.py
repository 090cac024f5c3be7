"""Drive the real kiosk UI in-process, the way Kivy's own GraphicUnitTest does.

Kivy allows one window per process: ``KioskHarness`` opens it once (offscreen when there is no
display), mounts a ``KioskRoot`` on it, steps frames with ``EventLoop.idle()``, and presses
widgets with real touch events at their place on screen, so a button hidden under something
else cannot be pressed. Import this module before anything imports Kivy.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kiosk.kivy_env import REFERENCE_SIZE, prepare_kivy

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = PROJECT_ROOT / "var" / "artifacts" / "kiosk"

os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
prepare_kivy(PROJECT_ROOT / "var" / "kivy-home", headless=True)

from kivy.config import Config  # noqa: E402 - Kivy must be configured first

# Tests step frames by hand: no waiting for the next 60 Hz tick.
Config.set("graphics", "maxfps", "0")

from kivy.base import EventLoop  # noqa: E402
from kivy.tests.common import UnitTestTouch  # noqa: E402
from kivy.uix.scrollview import ScrollView  # noqa: E402
from kivy.uix.widget import Widget  # noqa: E402

from kiosk.app import KioskRoot, kivy_dispatch, main_thread_scan_handler  # noqa: E402
from kiosk.background import run_in_thread  # noqa: E402
from kiosk.flow import KioskFlow  # noqa: E402
from kiosk.runtime import KioskRuntime  # noqa: E402
from kiosk.screens.base import UiContext  # noqa: E402
from kiosk.screenshots import WindowCapture  # noqa: E402
from kiosk.widgets.basics import Tappable  # noqa: E402
from kiosk.widgets.keys import OnScreenKeyboard  # noqa: E402

MIN_TOUCH_PX = 120


def _inside_scroll(widget: Widget) -> bool:
    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, ScrollView):
            return True
        parent = parent.parent
    return False


class HarnessError(AssertionError):
    """The UI did not do what a test asked of it."""


_shared: KioskHarness | None = None


def shared_harness() -> KioskHarness:
    """The process's harness (Kivy has one window per process), created on first use."""
    global _shared
    if _shared is None:
        _shared = KioskHarness()
    return _shared


class KioskHarness:
    """One Kivy window for the whole test session; one mounted kiosk UI at a time."""

    def __init__(self, artifacts_dir: Path = ARTIFACTS_DIR) -> None:
        EventLoop.ensure_window()
        self.window = EventLoop.window
        if tuple(self.window.size) != REFERENCE_SIZE:
            # Kivy was imported (and its window made) before this module could configure it.
            self.window.size = REFERENCE_SIZE
            self.step(2)
        self.artifacts_dir = artifacts_dir
        self.capture = WindowCapture(self.window)
        self.root: KioskRoot | None = None

    # --- mounting -------------------------------------------------------------------------

    def mount(self, ui: UiContext, *, screenshot_dir: Path | None = None) -> KioskRoot:
        """Show a fresh kiosk UI for ``ui`` (replacing the previous one)."""
        self.unmount()
        self.root = KioskRoot(ui, screenshot_dir=screenshot_dir)
        self.window.add_widget(self.root)
        self.step(3)
        return self.root

    def mount_runtime(
        self, runtime: KioskRuntime, *, screenshot_dir: Path | None = None, **flow_options: Any
    ) -> KioskFlow:
        """Mount the UI over a runtime as ``run_kiosk`` does (work on threads, results and
        scans delivered on Kivy's main thread) unless ``flow_options`` say otherwise.
        The caller stops the runtime."""
        flow_options.setdefault("dispatch", kivy_dispatch)
        flow_options.setdefault("run_in_background", run_in_thread)
        flow = runtime.make_flow(**flow_options)
        runtime.start(on_scan=main_thread_scan_handler(flow.scanned))
        ui = UiContext(
            flow,
            runtime.profile,
            scanner_ready=runtime.scanner_ready,
            camera_preview=runtime.camera_preview,
        )
        self.mount(ui, screenshot_dir=screenshot_dir)
        return flow

    def unmount(self) -> None:
        if self.root is not None:
            self.root.close()
            self.window.remove_widget(self.root)
            self.root = None
            self.step()

    # --- time -----------------------------------------------------------------------------

    def step(self, frames: int = 1) -> None:
        """Run ``frames`` frames: clock callbacks, input, layout, drawing."""
        for _ in range(frames):
            EventLoop.idle()

    def wait_until(
        self, predicate: Callable[[], bool], timeout: float = 5.0, what: str = ""
    ) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise HarnessError(f"timed out waiting for {what or predicate}")
            self.step()
        self.step(2)  # let the new state's layout settle

    def wait_for_screen(self, name: str, timeout: float = 5.0) -> None:
        self.wait_until(
            lambda: self._root().current_screen == name,
            timeout,
            f"screen {name!r} (showing {self._root().current_screen!r})",
        )

    # --- finding and pressing ---------------------------------------------------------------

    def visible_widgets(self) -> Iterator[Widget]:
        """Widgets of what is on screen: the open overlay, the header, the current screen."""
        root = self._root()
        overlay = root.idle_warning
        if overlay.parent is not None:
            yield from overlay.walk(restrict=True)
        yield from root.header.walk(restrict=True)
        yield from root.manager.current_screen.walk(restrict=True)

    def find(self, widget_id: str) -> Widget:
        for widget in self.visible_widgets():
            if getattr(widget, "widget_id", None) == widget_id:
                return widget
        raise HarnessError(f"no widget {widget_id!r} on screen {self._root().current_screen!r}")

    def has(self, widget_id: str) -> bool:
        try:
            self.find(widget_id)
        except HarnessError:
            return False
        return True

    def press(self, widget_id: str) -> None:
        """Touch the middle of a widget, as a finger would."""
        widget = self.find(widget_id)
        if widget.disabled:
            raise HarnessError(f"{widget_id!r} is disabled")
        self._scroll_into_view(widget)
        x, y = widget.to_window(*widget.center)
        if not (0 <= x < self.window.width and 0 <= y < self.window.height):
            raise HarnessError(f"{widget_id!r} is off screen at {(x, y)}")
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        # Releasing in the same frame saves a redraw, which is slow on software OpenGL.
        touch.touch_up()
        self.step()

    def type_text(self, text: str) -> None:
        """Type on the on-screen keyboard, switching layout and shift as a person would."""
        keyboard = self._keyboard()
        for char in text:
            key = "key-space" if char == " " else f"key-{char.lower()}"
            if not self.has(key):
                self.press("key-layout")
                if not self.has(key):
                    raise HarnessError(f"no key for {char!r} on either layout")
            if char != char.lower() and not keyboard.shifted:
                self.press("key-shift")
            self.press(key)

    def type_digits(self, digits: str) -> None:
        for digit in digits:
            self.press(f"keypad-{digit}")

    def texts(self) -> list[str]:
        """Every label text on screen, for assertions about what the citizen reads."""
        return [w.text for w in self.visible_widgets() if getattr(w, "text", "")]

    def layout_problems(self) -> list[str]:
        """What a citizen would see as broken: clipped or overflowing text, tiny or
        off-screen touch targets."""
        problems = []
        width, height = self.window.size
        for widget in self.visible_widgets():
            if widget.opacity == 0 or widget.height <= 0:
                continue
            name = getattr(widget, "widget_id", "") or type(widget).__name__
            text = getattr(widget, "text", "")
            if text and hasattr(widget, "texture_size") and not _inside_scroll(widget):
                wide, tall = widget.texture_size
                if wide > widget.width + 1 or tall > widget.height + 1:
                    problems.append(f"{name}: text {text[:40]!r} does not fit")
            if isinstance(widget, Tappable) and not widget.disabled:
                if widget.height < MIN_TOUCH_PX:
                    problems.append(f"{name}: touch target {widget.height:.0f} px high")
                x, y = widget.to_window(widget.x, widget.y)
                outside = x < 0 or y < 0 or x + widget.right - widget.x > width + 1
                outside = outside or y + widget.height > height + 1
                if outside and not _inside_scroll(widget):
                    problems.append(f"{name}: off screen")
        return problems

    # --- pictures -------------------------------------------------------------------------

    def screenshot(self, name: str) -> Path:
        """Save what the window shows to ``var/artifacts/kiosk/<name>.png``."""
        path = self.artifacts_dir / f"{name}.png"
        self.capture.request(path)
        self.wait_until(lambda: not self.capture.pending, what=f"screenshot {name}")
        return path

    # --- internals ------------------------------------------------------------------------

    def _root(self) -> KioskRoot:
        if self.root is None:
            raise HarnessError("no kiosk UI mounted")
        return self.root

    def _keyboard(self) -> OnScreenKeyboard:
        for widget in self.visible_widgets():
            if isinstance(widget, OnScreenKeyboard):
                return widget
        raise HarnessError("no on-screen keyboard on this screen")

    def _scroll_into_view(self, widget: Widget) -> None:
        parent = widget.parent
        while parent is not None and parent is not self.window:
            if isinstance(parent, ScrollView):
                break
            parent = parent.parent
        if not isinstance(parent, ScrollView):
            return
        # Compare in window coordinates: a scroll view's children live in its own frame.
        bottom = widget.to_window(widget.x, widget.y)[1]
        top = widget.to_window(widget.x, widget.top)[1]
        view_bottom = parent.parent.to_window(parent.x, parent.y)[1]
        view_top = parent.parent.to_window(parent.x, parent.top)[1]
        if bottom < view_bottom or top > view_top:  # scroll only what a person would
            parent.scroll_to(widget, padding=10, animate=False)
            self.step(2)
