"""A reinstalled kiosk (fresh outbox, same credential) never prints another case's number.

Real backend on 127.0.0.1, real outboxes, the printer simulator and the receipt's QR code.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backend.contracts import parse_status_url, sequence_of
from backend.db import Database
from backend.fleet.views import AlertKind
from backend.models import Case, FleetAlert
from config.profiles import KioskProfile
from devices.printer.driver import open_printer
from devices.printer.interface import ReceiptPrinter
from devices.printer.simulator import PrinterSimulator
from kiosk.backend_client import BackendClient
from kiosk.fleet.wiring import build_heartbeat
from kiosk.identity import IdentityFetcher
from kiosk.outbox import Outbox, OutboxState
from kiosk.runtime import KioskRuntime
from kiosk.session import ErrorCode, SubmissionFailed
from kiosk.submission import SubmissionService
from kiosk.sync import OutboxSync
from tests.kiosk.real_parts import RunningBackend
from tests.kiosk.test_fleet_heartbeat import sample_png
from tests.kiosk.test_submission import draft_for, qr_in


@pytest.fixture
def printer(kiosk_profile: KioskProfile) -> Iterator[ReceiptPrinter]:
    with open_printer(kiosk_profile.devices.printer) as driver:
        yield driver


@pytest.fixture
def client(station_backend: RunningBackend) -> Iterator[BackendClient]:
    with BackendClient(station_backend.url, station_backend.credential, timeout=5) as client:
        yield client


@pytest.fixture
def down(station_backend: RunningBackend, dead_url: str) -> Iterator[BackendClient]:
    """The same kiosk credential, with the backend out of reach."""
    with BackendClient(
        dead_url, station_backend.credential, timeout=0.5, max_attempts=1
    ) as unreachable:
        yield unreachable


@pytest.fixture
def database(station_backend: RunningBackend) -> Iterator[Database]:
    database = Database(station_backend.settings.resolved_database_url)
    yield database
    database.engine.dispose()


def fresh_outbox(tmp_path: Path, name: str) -> Outbox:
    """The outbox of a newly (re)installed kiosk: nothing in it, no sequence, no floor."""
    return Outbox(tmp_path / name / "outbox.sqlite3")


def backend_cases(database: Database) -> dict[str, str]:
    """Every case the backend holds: number -> submission id."""
    with database.reading() as session:
        rows = session.execute(select(Case.case_number, Case.submission_id)).all()
        return {number: str(submission_id) for number, submission_id in rows}


def first_installation(
    tmp_path: Path,
    profile: KioskProfile,
    client: BackendClient,
    printer: ReceiptPrinter,
    simulator: PrinterSimulator,
    n: int,
) -> list[str]:
    """The kiosk before its reinstall registers ``n`` cases (the first receipts the printer
    cuts); then its disk is wiped."""
    with fresh_outbox(tmp_path, "first-install") as outbox:
        service = SubmissionService(profile, outbox, client, lambda: printer)
        numbers = [service.submit(draft_for(profile, phone=None)).case_number for _ in range(n)]
    simulator.wait_for_receipt(after=n - 1)
    return numbers


def test_a_reinstalled_kiosk_online_numbers_above_the_backend_and_prints_its_own_case(
    tmp_path: Path,
    kiosk_profile: KioskProfile,
    client: BackendClient,
    printer: ReceiptPrinter,
    printer_simulator: PrinterSimulator,
    database: Database,
) -> None:
    earlier = first_installation(tmp_path, kiosk_profile, client, printer, printer_simulator, 3)
    with fresh_outbox(tmp_path, "reinstalled") as outbox:
        service = SubmissionService(kiosk_profile, outbox, client, lambda: printer)
        before = len(printer_simulator.receipts)
        outcomes = [service.submit(draft_for(kiosk_profile)) for _ in range(2)]

    assert all(outcome.delivered for outcome in outcomes)
    numbers = [outcome.case_number for outcome in outcomes]
    assert not set(numbers) & set(earlier)
    assert [sequence_of(number) for number in numbers] == [4, 5]
    cases = backend_cases(database)
    assert len(cases) == 5  # nothing lost, nothing twice
    for index, outcome in enumerate(outcomes):
        # The receipt's number and QR open this citizen's own case.
        assert cases[outcome.case_number] == str(outcome.submission_id)
        printed = qr_in(printer_simulator.wait_for_receipt(after=before + index))
        assert parse_status_url(printed)[0] == outcome.case_number


def test_a_reinstalled_kiosk_offline_issues_no_number_until_it_reaches_the_backend(
    tmp_path: Path,
    kiosk_profile: KioskProfile,
    client: BackendClient,
    down: BackendClient,
    printer: ReceiptPrinter,
    printer_simulator: PrinterSimulator,
    database: Database,
) -> None:
    earlier = first_installation(tmp_path, kiosk_profile, client, printer, printer_simulator, 3)
    printed_before = len(printer_simulator.receipts)
    with fresh_outbox(tmp_path, "reinstalled") as outbox:
        offline = SubmissionService(kiosk_profile, outbox, down, lambda: printer)
        with pytest.raises(SubmissionFailed) as refused:
            offline.submit(draft_for(kiosk_profile))
        assert refused.value.code is ErrorCode.NUMBERING_OFFLINE
        assert outbox.pending() == []
        assert len(printer_simulator.receipts) == printed_before  # no receipt, no number

        # The backend answers once (the kiosk starting), then the network goes again.
        assert IdentityFetcher(client, outbox).fetch_once() is not None
        assert outbox.sequence_floor() == 3
        queued = [offline.submit(draft_for(kiosk_profile, phone=None)) for _ in range(5)]
        assert not any(outcome.delivered for outcome in queued)
        printed = [
            qr_in(printer_simulator.wait_for_receipt(after=printed_before + i)) for i in range(5)
        ]

        # Back online: everything queued is delivered under the number on its receipt.
        assert OutboxSync(outbox, client).sync_once() == 5
        assert outbox.rejected() == [] and outbox.pending() == []

    numbers = [outcome.case_number for outcome in queued]
    assert not set(numbers) & set(earlier)
    assert [parse_status_url(qr)[0] for qr in printed] == numbers
    cases = backend_cases(database)
    assert len(cases) == 8
    for outcome in queued:
        assert cases[outcome.case_number] == str(outcome.submission_id)


def test_a_number_taken_meanwhile_is_replaced_before_the_receipt_is_printed(
    tmp_path: Path,
    kiosk_profile: KioskProfile,
    client: BackendClient,
    printer: ReceiptPrinter,
    printer_simulator: PrinterSimulator,
    database: Database,
) -> None:
    with fresh_outbox(tmp_path, "reinstalled") as outbox:
        # This installation learnt its floor (0) while the old disk, put back in another
        # cabinet with the same credential, still registered cases.
        assert IdentityFetcher(client, outbox).fetch_once() is not None
        earlier = first_installation(tmp_path, kiosk_profile, client, printer, printer_simulator, 2)
        service = SubmissionService(kiosk_profile, outbox, client, lambda: printer)
        before = len(printer_simulator.receipts)
        outcome = service.submit(draft_for(kiosk_profile))
        entry = outbox.get(outcome.submission_id)

    assert outcome.delivered and outcome.case_number not in earlier
    assert entry is not None and entry.state is OutboxState.SENT
    assert entry.case_number == outcome.case_number  # same submission, new number
    assert sequence_of(outcome.case_number) == 3
    cases = backend_cases(database)
    assert len(cases) == 3 and cases[outcome.case_number] == str(outcome.submission_id)
    receipt = qr_in(printer_simulator.wait_for_receipt(after=before))
    assert parse_status_url(receipt)[0] == outcome.case_number
    assert outcome.receipt is not None


def test_the_sync_renumbers_a_queued_submission_instead_of_losing_it(
    tmp_path: Path,
    kiosk_profile: KioskProfile,
    client: BackendClient,
    down: BackendClient,
    printer: ReceiptPrinter,
    printer_simulator: PrinterSimulator,
    database: Database,
) -> None:
    with fresh_outbox(tmp_path, "reinstalled") as outbox:
        assert IdentityFetcher(client, outbox).fetch_once() is not None
        first_installation(tmp_path, kiosk_profile, client, printer, printer_simulator, 2)
        offline = SubmissionService(kiosk_profile, outbox, down, lambda: printer)
        queued = offline.submit(draft_for(kiosk_profile))
        assert sequence_of(queued.case_number) == 1  # taken by the other disk meanwhile

        assert OutboxSync(outbox, client).sync_once() == 1
        entry = outbox.get(queued.submission_id)

    assert entry is not None and entry.state is OutboxState.SENT
    cases = backend_cases(database)
    assert len(cases) == 3
    assert cases[entry.case_number] == str(queued.submission_id)
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 3


def test_turned_away_citizens_reach_the_operator_and_the_heartbeat_brings_the_floor(
    tmp_path: Path,
    kiosk_profile: KioskProfile,
    client: BackendClient,
    down: BackendClient,
    printer: ReceiptPrinter,
    printer_simulator: PrinterSimulator,
    database: Database,
) -> None:
    first_installation(tmp_path, kiosk_profile, client, printer, printer_simulator, 2)
    with fresh_outbox(tmp_path, "reinstalled") as outbox:
        offline = SubmissionService(kiosk_profile, outbox, down, lambda: printer)
        for _ in range(2):
            with pytest.raises(SubmissionFailed):
                offline.submit(draft_for(kiosk_profile))

        # The network is back: the first heartbeat reports them and brings the floor.
        runtime = KioskRuntime(kiosk_profile, outbox)
        reply = build_heartbeat(runtime, client, capture_screen=sample_png).beat_once()
        assert reply is not None and reply.sequence_floor == 2
        assert outbox.sequence_floor() == 2
        outcome = offline.submit(draft_for(kiosk_profile))
        assert sequence_of(outcome.case_number) == 3

    with database.reading() as session:
        alerts = session.scalars(
            select(FleetAlert).where(FleetAlert.kind == AlertKind.NUMBERING_REFUSED.value)
        ).all()
    assert [alert.detail for alert in alerts] == [
        "2 citizens today could not be given a case number"
    ]
