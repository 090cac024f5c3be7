"""The out-of-service notice on the real Kivy UI, first in each language; pictures in var/."""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np
import pytest

from config.profiles import ALL_LANGUAGES, KioskProfile
from kiosk.fleet.window_capture import window_png_capture
from kiosk.flow import KioskFlow
from kiosk.i18n import translator
from kiosk.session import Step
from tests.kiosk.flow_doubles import ScriptedSubmitter, StatusBook
from tests.kiosk.ui_helpers import check_layout

# Kivy modules are imported inside the tests: the kiosk_harness fixture configures Kivy first.


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_out_of_service_notice_in_every_language(
    kiosk_harness, demo_profile: KioskProfile, language: str
) -> None:
    from kiosk.screens.base import UiContext
    from kiosk.screens.out_of_service import ADVICE, TITLE

    languages = [language, *(code for code in ALL_LANGUAGES if code != language)]
    kiosk = demo_profile.kiosk.model_copy(update={"languages": languages})
    profile = demo_profile.model_copy(update={"kiosk": kiosk})
    flow = KioskFlow(profile, ScriptedSubmitter(), StatusBook())
    kiosk_harness.mount(UiContext(flow, profile))
    flow.take_out_of_service("maintenance")
    kiosk_harness.step(3)
    assert kiosk_harness.root.current_screen == Step.OUT_OF_SERVICE.value
    texts = kiosk_harness.texts()
    for code in ALL_LANGUAGES:
        tr = translator(code)
        assert tr.gettext(TITLE) in texts and tr.gettext(ADVICE) in texts
    screen = kiosk_harness.root.screens[Step.OUT_OF_SERVICE]
    assert screen.title.text == translator(language).gettext(TITLE)  # the kiosk's first
    assert kiosk_harness.find("start-over").disabled
    check_layout(kiosk_harness, f"out of service ({language})")
    picture = kiosk_harness.screenshot(f"out_of_service-{language}")
    assert picture.stat().st_size > 20_000
    flow.put_back_in_service()
    kiosk_harness.step(3)
    assert kiosk_harness.root.current_screen == Step.LANGUAGE.value


def test_the_screenshot_command_pictures_the_window(
    kiosk_harness, demo_profile: KioskProfile
) -> None:
    from kiosk.app import kivy_dispatch
    from kiosk.screens.base import UiContext

    flow = KioskFlow(demo_profile, ScriptedSubmitter(), StatusBook())
    kiosk_harness.mount(UiContext(flow, demo_profile))
    flow.take_out_of_service()
    capture = window_png_capture(kivy_dispatch, timeout=10)
    taken: list[bytes] = []
    worker = threading.Thread(target=lambda: taken.append(capture()), daemon=True)
    worker.start()
    deadline = time.monotonic() + 15
    while worker.is_alive() and time.monotonic() < deadline:
        kiosk_harness.step()  # the UI thread draws while the worker waits for the picture
    (png,) = taken
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape[:2] == (1920, 1080)
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 20  # text drawn, not a blank frame
