"""End to end: a citizen files a report in Uzbek, the printed QR opens the public status page,
an officer moves the case on, and the same receipt scanned at the kiosk shows the new stage.

The real Kivy app, the real backend over HTTP, the real printer and scanner drivers against
their simulators. A screenshot of every screen passed is kept under var/artifacts/e2e/.
"""

from __future__ import annotations

import html
import shutil

import httpx
from PIL import Image
from pyzbar.pyzbar import decode

from backend.case_states import CaseState
from backend.commands import change_case_state_command
from backend.contracts import PublicStage, group_case_number
from backend.i18n import translations_for
from backend.status_page import STAGE_LABELS
from devices.printer.simulator import PrinterSimulator
from devices.scanner.simulator import ScannerSimulator
from kiosk.i18n import translator
from kiosk.messages import STAGE_NAMES
from kiosk.runtime import KioskRuntime
from tests.kiosk.real_parts import PUBLIC_BASE_URL, RunningBackend
from tests.kiosk.ui_helpers import fresh_artifacts

LANGUAGE = "uz_Latn"
REPORT_TEXT = "Bozorda gʻayriqonuniy tovarlar sotilmoqda"


def _page_stage(url: str, stage: PublicStage) -> str:
    """The status page, asserting it answers and names the given stage in Uzbek Latin."""
    page = httpx.get(url, params={"lang": LANGUAGE}, timeout=10)
    assert page.status_code == 200, page.text[:300]
    label = translations_for(LANGUAGE).gettext(STAGE_LABELS[stage])
    assert label in html.unescape(page.text)
    return page.text


def test_receipt_qr_to_status_page_and_back_to_the_kiosk(
    kiosk_harness,
    kiosk_runtime: KioskRuntime,
    station_backend: RunningBackend,
    printer_simulator: PrinterSimulator,
    scanner_simulator: ScannerSimulator,
) -> None:
    harness = kiosk_harness
    shots = fresh_artifacts("e2e")
    flow = harness.mount_runtime(kiosk_runtime)
    taken: list[str] = []

    def arrive(screen: str, timeout: float = 10) -> None:
        """Wait for a screen, let it settle, and keep its picture."""
        harness.wait_for_screen(screen, timeout=timeout)
        harness.step(3)
        name = f"{len(taken) + 1:02d}-{screen}-{LANGUAGE}"
        harness.screenshot(name).replace(shots / f"{name}.png")
        taken.append(screen)

    arrive("language")
    harness.press(f"language-{LANGUAGE}")
    arrive("home")
    harness.press("home-submit")
    arrive("service")
    harness.press("service-customs_report")
    arrive("category")
    harness.press("category-illegal_goods")
    arrive("text")
    harness.type_text(REPORT_TEXT)
    assert flow.state.data.text == REPORT_TEXT
    harness.press("next")
    arrive("phone")
    harness.type_digits("931112233")
    harness.press("next")
    arrive("review")
    harness.press("consent")
    harness.press("submit")
    arrive("done", timeout=20)
    outcome = flow.state.data.outcome
    assert outcome.delivered and outcome.print_error is None
    assert group_case_number(outcome.case_number) in harness.texts()

    # The paper the printer simulator rendered carries a QR with the status link.
    receipt_png = printer_simulator.wait_for_receipt(after=0)
    shutil.copyfile(receipt_png, shots / "receipt.png")
    codes = [symbol.data.decode() for symbol in decode(Image.open(receipt_png))]
    assert len(codes) == 1
    assert codes[0].startswith(f"{PUBLIC_BASE_URL}/s/{outcome.case_number}/")
    # The public base URL is a configured host name; here the backend answers on loopback.
    status_link = station_backend.url + codes[0].removeprefix(PUBLIC_BASE_URL)

    # A phone opening the link sees the stage and no personal data.
    page = _page_stage(status_link, PublicStage.RECEIVED)
    assert REPORT_TEXT not in html.unescape(page) and "931112233" not in page
    assert httpx.get(status_link[:-1] + "x", timeout=10).status_code == 404

    # An officer takes the case up; the same link now shows the new stage.
    change_case_state_command(
        station_backend.settings, outcome.case_number, CaseState.UNDER_REVIEW, actor="officer"
    )
    _page_stage(status_link, PublicStage.IN_REVIEW)

    # Back at the kiosk, the citizen holds the same receipt under the scanner.
    harness.press("finish")
    arrive("language")
    assert flow.state.data.is_blank
    harness.press(f"language-{LANGUAGE}")
    arrive("home")
    scanner_simulator.scan(codes[0])
    arrive("status_result", timeout=15)
    status = flow.state.data.status
    assert status.case_number == outcome.case_number
    assert status.stage is PublicStage.IN_REVIEW
    assert translator(LANGUAGE).gettext(STAGE_NAMES[PublicStage.IN_REVIEW]) in harness.texts()
    harness.unmount()

    # Every screen passed was pictured, and no picture is blank.
    assert all((shots / f"{n:02d}-{screen}-{LANGUAGE}.png").stat().st_size > 10_000
               for n, screen in enumerate(taken, 1))  # fmt: skip
