"""Outbox sync against the real backend, including the backend being away and coming back."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backend.commands import register_kiosk_command, revoke_kiosk_command
from backend.contracts import CaseSubmission, make_case_number
from backend.migrate import upgrade_database
from backend.server import BackgroundServer
from config.settings import BackendSettings
from kiosk.backend_client import BackendClient
from kiosk.outbox import Outbox, OutboxState
from kiosk.sync import OutboxSync

KIOSK_CODE = "0520"


@pytest.fixture
def backend_settings(tmp_path: Path) -> BackendSettings:
    settings = BackendSettings(
        var_dir=tmp_path / "backend",
        database_url=f"sqlite:///{tmp_path / 'backend.db'}",
        secret_key="sync-test-secret",
    )
    upgrade_database(settings.resolved_database_url)
    return settings


@pytest.fixture
def credential(backend_settings: BackendSettings) -> str:
    return register_kiosk_command(backend_settings, KIOSK_CODE, "Kiosk 520", "Namangan office")


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    with Outbox(tmp_path / "kiosk" / "outbox.db") as kiosk_outbox:
        yield kiosk_outbox


@pytest.fixture
def store(outbox: Outbox) -> Callable[..., CaseSubmission]:
    """Put a new submission in the outbox, as the kiosk does before printing the receipt."""

    def _store(kiosk_code: str = KIOSK_CODE) -> CaseSubmission:
        submission = CaseSubmission(
            submission_id=uuid.uuid4(),
            case_number=make_case_number(kiosk_code, outbox.next_sequence()),
            service_code="mahalla_appeal",
            service_kind="appeal",
            category_code="other",
            language="ru",
            text="Прошу пересмотреть отказ в разрешении на работу",
            consent=True,
            submitted_at=datetime.now(UTC),
        )
        outbox.add(submission)
        return submission

    return _store


def attempts(outbox: Outbox, submission: CaseSubmission) -> int:
    entry = outbox.get(submission.submission_id)
    assert entry is not None
    return entry.attempts


def reserved_socket() -> socket.socket:
    """A bound socket that does not listen yet: connecting to it is refused until served."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def test_sync_sends_every_pending_entry(
    backend_settings: BackendSettings,
    credential: str,
    outbox: Outbox,
    store: Callable[..., CaseSubmission],
) -> None:
    stored = [store() for _ in range(3)]
    with (
        BackgroundServer(backend_settings, port=0) as server,
        BackendClient(server.url, credential) as client,
    ):
        sync = OutboxSync(outbox, client)
        assert sync.sync_once() == 3
        assert sync.sync_once() == 0
        statuses = [client.case_status(submission.case_number) for submission in stored]

    assert outbox.backlog() == 0
    for submission in stored:
        entry = outbox.get(submission.submission_id)
        assert entry is not None and entry.state == OutboxState.SENT
        assert entry.accepted is not None
        assert entry.accepted.case_number == submission.case_number
    assert all(status is not None and status.stage == "received" for status in statuses)


def test_backend_down_keeps_entries_pending_then_sends_them_when_it_is_back(
    backend_settings: BackendSettings,
    credential: str,
    outbox: Outbox,
    store: Callable[..., CaseSubmission],
) -> None:
    stored = [store() for _ in range(3)]
    sock = reserved_socket()
    host, port = sock.getsockname()
    with BackendClient(f"http://{host}:{port}", credential, timeout=2.0) as client:
        sync = OutboxSync(outbox, client)

        started = time.monotonic()
        assert sync.sync_once() == 0
        assert time.monotonic() - started < 3.0

        assert outbox.backlog() == 3
        assert [attempts(outbox, s) for s in stored] == [
            1,
            0,
            0,
        ]  # the round stopped at the first failure
        assert sync.last_error is not None

        with BackgroundServer(backend_settings, sock=sock):
            assert sync.sync_once() == 3
            assert sync.last_error is None

    assert outbox.backlog() == 0
    first = outbox.get(stored[0].submission_id)
    assert first is not None and first.state == OutboxState.SENT and first.attempts == 2


def test_refused_entries_are_set_aside_and_the_rest_still_sent(
    backend_settings: BackendSettings,
    credential: str,
    outbox: Outbox,
    store: Callable[..., CaseSubmission],
) -> None:
    foreign = store(kiosk_code="0999")  # a number this kiosk may not use: refused for good
    good = store()
    with (
        BackgroundServer(backend_settings, port=0) as server,
        BackendClient(server.url, credential) as client,
    ):
        assert OutboxSync(outbox, client).sync_once() == 1

    refused = outbox.get(foreign.submission_id)
    assert refused is not None and refused.state == OutboxState.REJECTED
    assert "case_number_foreign" in (refused.last_error or "")
    sent = outbox.get(good.submission_id)
    assert sent is not None and sent.state == OutboxState.SENT


def test_revoked_credential_pauses_sync_without_losing_entries(
    backend_settings: BackendSettings,
    credential: str,
    outbox: Outbox,
    store: Callable[..., CaseSubmission],
) -> None:
    stored = [store(), store()]
    revoke_kiosk_command(backend_settings, KIOSK_CODE)
    with (
        BackgroundServer(backend_settings, port=0) as server,
        BackendClient(server.url, credential) as client,
    ):
        sync = OutboxSync(outbox, client)
        assert sync.sync_once() == 0

    assert outbox.backlog() == 2
    assert [e.state for e in outbox.pending()] == [OutboxState.PENDING] * 2
    assert "credential_revoked" in (sync.last_error or "")
    assert [attempts(outbox, s) for s in stored] == [1, 0]


def test_an_entry_the_backend_already_has_is_marked_sent(
    backend_settings: BackendSettings,
    credential: str,
    outbox: Outbox,
    store: Callable[..., CaseSubmission],
) -> None:
    submission = store()
    with (
        BackgroundServer(backend_settings, port=0) as server,
        BackendClient(server.url, credential) as client,
    ):
        # Sent before, but the kiosk crashed before it could record the answer.
        assert client.submit_case(submission).created is True
        assert OutboxSync(outbox, client).sync_once() == 1

    entry = outbox.get(submission.submission_id)
    assert entry is not None and entry.accepted is not None
    assert entry.accepted.created is False


def test_background_thread_syncs_on_wake(
    backend_settings: BackendSettings,
    credential: str,
    outbox: Outbox,
    store: Callable[..., CaseSubmission],
) -> None:
    with (
        BackgroundServer(backend_settings, port=0) as server,
        BackendClient(server.url, credential) as client,
    ):
        sync = OutboxSync(outbox, client, interval=60.0)
        sync.start()
        try:
            assert sync.running
            deadline = time.monotonic() + 5.0
            while sync.last_round_at is None and time.monotonic() < deadline:
                time.sleep(0.01)  # the first round, on an empty outbox
            assert sync.last_round_at is not None
            store()
            sync.wake()  # the interval is a minute: only the wake can explain a quick send
            deadline = time.monotonic() + 5.0
            while outbox.backlog() and time.monotonic() < deadline:
                time.sleep(0.02)
            assert outbox.backlog() == 0
        finally:
            sync.stop()
    assert not sync.running
