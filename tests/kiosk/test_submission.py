"""Registering a case end to end: outbox, real backend, printer simulator, receipt QR."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from backend.contracts import parse_status_url, status_url
from config.profiles import KioskProfile
from devices.printer.driver import open_printer
from devices.printer.interface import PaperState, ReceiptPrinter
from devices.printer.simulator import PrinterSimulator
from kiosk.backend_client import BackendClient
from kiosk.identity import IdentityFetcher
from kiosk.outbox import Outbox, OutboxState
from kiosk.session import CaseDraft, ErrorCode, SubmissionFailed
from kiosk.submission import SubmissionService
from kiosk.sync import OutboxSync
from tests.kiosk.real_parts import RunningBackend

TEXT = "Qoʻshnim har kecha yarim tundan keyin baland musiqa qoʻyadi."


def draft_for(profile: KioskProfile, *, phone: str | None = "+998901234567") -> CaseDraft:
    service = profile.service("mahalla_appeal")
    return CaseDraft(
        language="uz_Latn",
        service=service,
        category=service.categories[1],
        text=TEXT,
        phone=phone,
    )


def qr_in(receipt_png: Path) -> str:
    (symbol,) = decode(Image.open(receipt_png))
    return symbol.data.decode()


@pytest.fixture
def printer(kiosk_profile: KioskProfile) -> Iterator[ReceiptPrinter]:
    with open_printer(kiosk_profile.devices.printer) as driver:
        yield driver


@pytest.fixture
def client(station_backend: RunningBackend) -> Iterator[BackendClient]:
    with BackendClient(station_backend.url, station_backend.credential, timeout=5) as client:
        yield client


def test_a_case_is_stored_sent_and_printed(
    kiosk_profile: KioskProfile,
    kiosk_outbox: Outbox,
    client: BackendClient,
    printer: ReceiptPrinter,
    printer_simulator: PrinterSimulator,
) -> None:
    service = SubmissionService(kiosk_profile, kiosk_outbox, client, lambda: printer)
    outcome = service.submit(draft_for(kiosk_profile))

    assert outcome.delivered and outcome.print_error is None
    assert outcome.case_number.startswith("0001")
    entry = kiosk_outbox.get(outcome.submission_id)
    assert entry.state is OutboxState.SENT and entry.receipt_printed
    # Accepted: only what the status lookup needs is kept, nothing of the citizen.
    assert entry.submission is None and entry.case_number == outcome.case_number
    assert TEXT.encode() not in kiosk_outbox.path.read_bytes()

    status = client.case_status(outcome.case_number)
    assert status is not None and status.service_kind == "appeal"
    assert outcome.qr_data == entry.accepted.status_url
    assert parse_status_url(outcome.qr_data)[0] == outcome.case_number
    receipt = printer_simulator.wait_for_receipt(after=0)
    assert qr_in(receipt) == outcome.qr_data  # the printed QR leads to the status page


def test_sequence_numbers_make_distinct_case_numbers(
    kiosk_profile: KioskProfile, kiosk_outbox: Outbox, client: BackendClient, printer
) -> None:
    service = SubmissionService(kiosk_profile, kiosk_outbox, client, lambda: printer)
    numbers = {service.submit(draft_for(kiosk_profile, phone=None)).case_number for _ in range(3)}
    assert len(numbers) == 3


def test_offline_cases_wait_in_the_outbox_with_a_valid_offline_link(
    kiosk_profile: KioskProfile,
    kiosk_outbox: Outbox,
    client: BackendClient,
    station_backend: RunningBackend,
    printer: ReceiptPrinter,
    printer_simulator: PrinterSimulator,
    dead_url: str,
) -> None:
    # While online once, the kiosk learnt its status-link key.
    IdentityFetcher(client, kiosk_outbox).fetch_once()
    identity = kiosk_outbox.load_identity()
    assert identity is not None and identity.code == kiosk_profile.kiosk.code

    with BackendClient(dead_url, station_backend.credential, timeout=0.5, max_attempts=1) as down:
        service = SubmissionService(kiosk_profile, kiosk_outbox, down, lambda: printer)
        outcome = service.submit(draft_for(kiosk_profile))

    assert not outcome.delivered and outcome.print_error is None
    assert kiosk_outbox.get(outcome.submission_id).state is OutboxState.PENDING
    expected = status_url(
        identity.public_base_url, bytes.fromhex(identity.status_link_key), outcome.case_number
    )
    assert outcome.qr_data == expected
    assert qr_in(printer_simulator.wait_for_receipt(after=0)) == expected

    # When the network is back, the sync delivers it and the backend agrees on the link.
    assert OutboxSync(kiosk_outbox, client).sync_once() == 1
    entry = kiosk_outbox.get(outcome.submission_id)
    assert entry.state is OutboxState.SENT
    assert entry.accepted.status_url == outcome.qr_data


def test_without_a_cached_identity_the_qr_carries_the_bare_number(
    kiosk_profile: KioskProfile, kiosk_outbox: Outbox, printer, printer_simulator, dead_url: str
) -> None:
    kiosk_outbox.learn_sequence_floor(0)  # told by a heartbeat, which brings no link key
    with BackendClient(dead_url, "0001.secret", timeout=0.5, max_attempts=1) as down:
        service = SubmissionService(kiosk_profile, kiosk_outbox, down, lambda: printer)
        outcome = service.submit(draft_for(kiosk_profile))
    assert outcome.qr_data == outcome.case_number
    assert qr_in(printer_simulator.wait_for_receipt(after=0)) == outcome.case_number


def test_out_of_paper_registers_the_case_and_print_again_works(
    kiosk_profile: KioskProfile,
    kiosk_outbox: Outbox,
    client: BackendClient,
    printer: ReceiptPrinter,
    printer_simulator: PrinterSimulator,
) -> None:
    printer_simulator.set_paper(PaperState.OUT)
    service = SubmissionService(kiosk_profile, kiosk_outbox, client, lambda: printer)
    outcome = service.submit(draft_for(kiosk_profile))
    assert outcome.print_error is ErrorCode.PRINTER_OUT_OF_PAPER
    assert outcome.delivered
    assert client.case_status(outcome.case_number) is not None
    assert not kiosk_outbox.get(outcome.submission_id).receipt_printed
    assert printer_simulator.receipts == []

    printer_simulator.set_paper(PaperState.OK)
    again = service.reprint(outcome)
    assert again.print_error is None
    assert again.case_number == outcome.case_number
    assert kiosk_outbox.get(outcome.submission_id).receipt_printed
    assert qr_in(printer_simulator.wait_for_receipt(after=0)) == outcome.qr_data


def test_a_printer_that_does_not_answer_is_offline(
    kiosk_profile: KioskProfile, kiosk_outbox: Outbox, client: BackendClient, dead_url: str
) -> None:
    port = int(dead_url.rsplit(":", 1)[1])
    config = kiosk_profile.devices.printer.model_copy(update={"port": port, "timeout_seconds": 0.5})
    with open_printer(config) as unreachable:
        service = SubmissionService(kiosk_profile, kiosk_outbox, client, lambda: unreachable)
        outcome = service.submit(draft_for(kiosk_profile))
    assert outcome.print_error is ErrorCode.PRINTER_OFFLINE
    assert kiosk_outbox.get(outcome.submission_id).state is OutboxState.SENT


def test_no_printer_at_all_still_registers(
    kiosk_profile: KioskProfile, kiosk_outbox: Outbox, client: BackendClient
) -> None:
    service = SubmissionService(kiosk_profile, kiosk_outbox, client, lambda: None)
    outcome = service.submit(draft_for(kiosk_profile))
    assert outcome.print_error is ErrorCode.PRINTER_UNAVAILABLE
    assert client.case_status(outcome.case_number) is not None


def test_a_broken_outbox_fails_before_anything_is_sent(
    kiosk_profile: KioskProfile, tmp_path: Path, client: BackendClient, printer_simulator
) -> None:
    outbox = Outbox(tmp_path / "broken" / "outbox.sqlite3")
    outbox.close()
    service = SubmissionService(kiosk_profile, outbox, client, lambda: None)
    with pytest.raises(SubmissionFailed):
        service.submit(draft_for(kiosk_profile))
    assert printer_simulator.receipts == []
