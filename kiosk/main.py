"""Starting a kiosk: its runtime from the profile, then the touchscreen app."""

from __future__ import annotations

import logging
import signal
from pathlib import Path

from config.profiles import load_profile
from kiosk.background import run_in_thread
from kiosk.kivy_env import prepare_kivy
from kiosk.runtime import build_runtime

log = logging.getLogger(__name__)


def run_kiosk(
    profile_path: Path,
    var_dir: Path,
    backend_url: str | None = None,
    credential: str | None = None,
    screenshot_dir: Path | None = None,
) -> None:
    """Run a kiosk until its window closes; devices that cannot open leave it running."""
    prepare_kivy(var_dir / "kivy-home")
    profile = load_profile(profile_path)
    runtime = build_runtime(profile, var_dir, backend_url, credential)

    # Kivy is imported only now, after prepare_kivy, because it reads its settings once.
    from kiosk.app import KioskApp, kivy_dispatch, main_thread_scan_handler
    from kiosk.screens.base import UiContext

    def build_ui() -> UiContext:
        flow = runtime.make_flow(dispatch=kivy_dispatch, run_in_background=run_in_thread)
        runtime.start(on_scan=main_thread_scan_handler(flow.scanned))
        return UiContext(
            flow,
            profile,
            scanner_ready=runtime.scanner_ready,
            camera_preview=runtime.camera_preview,
        )

    app = KioskApp(build_ui, screenshot_dir=screenshot_dir)
    # A service manager stops the kiosk with SIGTERM: leave the main loop and close cleanly.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: kivy_dispatch(app.stop))
    log.info("kiosk %s starting", profile.kiosk.code)
    try:
        app.run()
    finally:
        runtime.stop()
