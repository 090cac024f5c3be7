"""Entries the backend fails on or refuses: they never block the queue, are never dropped,
and reach the operator through heartbeats as fleet alerts. Real backend on 127.0.0.1."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from backend.commands import register_kiosk_command
from backend.contracts import CaseSubmission, make_case_number
from backend.db import Database
from backend.fleet.views import AlertKind
from backend.migrate import upgrade_database
from backend.models import FleetAlert
from backend.server import BackgroundServer
from backend.services.fleet_view import list_kiosks
from config.profiles import KioskProfile
from config.settings import BackendSettings
from kiosk.backend_client import BackendClient
from kiosk.fleet.wiring import build_heartbeat
from kiosk.outbox import Outbox, OutboxState
from kiosk.runtime import KioskRuntime
from kiosk.sync import STUCK_AFTER_FAILURES, OutboxSync, backoff
from tests.kiosk.test_fleet_heartbeat import sample_png

# Cases in this language meet a storage fault (their text is sealed, so it cannot be matched).
POISON_LANGUAGE = "en"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def settings(tmp_path: Path) -> BackendSettings:
    settings = BackendSettings(
        var_dir=tmp_path / "backend",
        database_url=f"sqlite:///{tmp_path / 'backend.db'}",
        secret_key="sync-trouble-secret",
    )
    upgrade_database(settings.resolved_database_url)
    # A genuine storage fault for one citizen's case: the database refuses to record its
    # first event, so the backend answers 500 to that submission and to no other.
    with closing(sqlite3.connect(tmp_path / "backend.db")) as db:
        db.execute(
            "CREATE TRIGGER poisoned_case BEFORE INSERT ON case_events"
            " WHEN (SELECT language FROM cases WHERE id = NEW.case_id) = ?"
            " BEGIN SELECT RAISE(ABORT, 'storage fault'); END".replace("?", f"'{POISON_LANGUAGE}'")
        )
        db.commit()
    return settings


@pytest.fixture
def profile(demo_profile: KioskProfile) -> KioskProfile:
    return demo_profile


@pytest.fixture
def credential(settings: BackendSettings, profile: KioskProfile) -> str:
    kiosk = profile.kiosk
    return register_kiosk_command(settings, kiosk.code, kiosk.name, kiosk.office)


@pytest.fixture
def client(settings: BackendSettings, credential: str) -> Iterator[BackendClient]:
    with (
        BackgroundServer(settings, port=0) as server,
        BackendClient(server.url, credential, timeout=5, retry_budget=2.0) as client,
    ):
        yield client


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    with Outbox(tmp_path / "kiosk" / "outbox.sqlite3") as kiosk_outbox:
        kiosk_outbox.learn_sequence_floor(0)
        yield kiosk_outbox


@pytest.fixture
def store(outbox: Outbox, profile: KioskProfile) -> Callable[..., CaseSubmission]:
    def _store(
        text: str = "Прошу пересмотреть отказ", kiosk_code: str | None = None, language: str = "ru"
    ):
        submission = CaseSubmission(
            submission_id=uuid.uuid4(),
            case_number=make_case_number(kiosk_code or profile.kiosk.code, outbox.next_sequence()),
            service_code="mahalla_appeal",
            service_kind="appeal",
            category_code="refusal",
            language=language,
            text=text,
            consent=True,
            submitted_at=datetime.now(UTC),
        )
        outbox.add(submission)
        return submission

    return _store


def open_alerts(settings: BackendSettings) -> dict[str, str]:
    database = Database(settings.resolved_database_url)
    try:
        with database.reading() as session:
            rows = session.scalars(select(FleetAlert).where(FleetAlert.closed_at.is_(None)))
            return {row.kind: row.detail for row in rows}
    finally:
        database.engine.dispose()


def beat(profile: KioskProfile, outbox: Outbox, client: BackendClient) -> None:
    runtime = KioskRuntime(profile, outbox)
    assert build_heartbeat(runtime, client, capture_screen=sample_png).beat_once() is not None


def test_a_poisoned_entry_is_skipped_with_backoff_kept_and_alerted(
    settings: BackendSettings,
    profile: KioskProfile,
    outbox: Outbox,
    client: BackendClient,
    store: Callable[..., CaseSubmission],
) -> None:
    poisoned = store("A complaint", language=POISON_LANGUAGE)
    healthy = [store(f"Обращение {n}") for n in range(5)]
    clock = Clock()
    sync = OutboxSync(outbox, client, clock=clock)

    # The first round delivers the five healthy entries behind the poisoned one.
    assert sync.sync_once() == 5
    assert all(outbox.get(s.submission_id).state is OutboxState.SENT for s in healthy)
    entry = outbox.get(poisoned.submission_id)
    assert entry.state is OutboxState.PENDING and entry.server_failures == 1
    assert entry.next_attempt_at == clock.now + backoff(1)

    # Within its backoff it is not tried again; each later try doubles the wait.
    assert sync.sync_once() == 0
    assert outbox.get(poisoned.submission_id).server_failures == 1
    for failures in range(2, STUCK_AFTER_FAILURES + 1):
        clock.now += backoff(failures - 1)
        assert sync.sync_once() == 0
        entry = outbox.get(poisoned.submission_id)
        assert entry.server_failures == failures
        assert entry.next_attempt_at == clock.now + backoff(failures)
    assert backoff(2) == 2 * backoff(1)

    # Never dropped: it is still pending, counted as stuck, and the operator is alerted.
    assert outbox.backlog() == 1 and outbox.stuck(STUCK_AFTER_FAILURES) == 1
    beat(profile, outbox, client)
    alerts = open_alerts(settings)
    assert AlertKind.SUBMISSIONS_STUCK in alerts and "1 submissions" in alerts["submissions_stuck"]

    # Fresh entries still go through while it waits.
    later = store("Ещё одно обращение")
    assert sync.sync_once() == 1
    assert outbox.get(later.submission_id).state is OutboxState.SENT


def test_a_backend_failing_on_everything_ends_the_round_early(
    settings: BackendSettings,
    outbox: Outbox,
    client: BackendClient,
    store: Callable[..., CaseSubmission],
) -> None:
    poisoned = [store(f"Complaint {n}", language=POISON_LANGUAGE) for n in range(5)]
    sync = OutboxSync(outbox, client)
    assert sync.sync_once() == 0
    failures = [outbox.get(s.submission_id).server_failures for s in poisoned]
    assert failures == [1, 1, 1, 0, 0]  # three in a row: the backend, not an entry


def test_a_refused_entry_is_kept_reported_and_shown_on_the_dashboard(
    settings: BackendSettings,
    profile: KioskProfile,
    outbox: Outbox,
    client: BackendClient,
    store: Callable[..., CaseSubmission],
) -> None:
    foreign = store(kiosk_code="9999")  # a number this kiosk may not use: refused for good
    fine = store()
    assert OutboxSync(outbox, client).sync_once() == 1
    assert outbox.get(fine.submission_id).state is OutboxState.SENT
    kept = outbox.get(foreign.submission_id)
    assert kept.state is OutboxState.REJECTED and kept.submission == foreign

    beat(profile, outbox, client)
    alerts = open_alerts(settings)
    assert "1 submissions refused" in alerts[AlertKind.SUBMISSIONS_REJECTED]
    database = Database(settings.resolved_database_url)
    try:
        with database.reading() as session:
            (summary,) = list_kiosks(session, datetime.now(UTC), timedelta(minutes=5))
    finally:
        database.engine.dispose()
    assert summary.outbox_rejected == 1 and summary.outbox_stuck == 0
