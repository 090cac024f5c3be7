"""Every screen in Russian and English: nothing clipped or too small; pictures in var/."""

from __future__ import annotations

import pytest

from devices.printer.simulator import PrinterSimulator
from kiosk.runtime import KioskRuntime
from tests.kiosk.ui_gallery import Gallery
from tests.kiosk.ui_gallery_fingers import walk_fingers
from tests.kiosk.ui_gallery_identity import IdleCameraFeed, walk_identity
from tests.kiosk.ui_gallery_payment import walk_payment


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_screen_fits(
    kiosk_harness, kiosk_runtime: KioskRuntime, printer_simulator: PrinterSimulator, language: str
) -> None:
    gallery = Gallery(
        kiosk_harness, kiosk_runtime, printer_simulator, language, face_camera=IdleCameraFeed()
    )
    walk_identity(gallery)
    walk_fingers(gallery)
    walk_payment(gallery)
    gallery.walk(include_language_screen=language == "ru")
    assert gallery.problems == []
    assert all(picture.stat().st_size > 20_000 for picture in gallery.pictures)
