"""The kiosk's HTTP client against the real backend served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from backend.commands import register_kiosk_command, revoke_kiosk_command
from backend.contracts import (
    CaseSubmission,
    derive_status_link_key,
    make_case_number,
    parse_status_url,
    status_tag,
)
from backend.migrate import upgrade_database
from backend.server import BackgroundServer
from config.settings import BackendSettings
from kiosk.backend_client import (
    BackendClient,
    BackendRejected,
    BackendUnavailable,
    CredentialRejected,
)

KIOSK_CODE = "0311"


@pytest.fixture
def backend_settings(tmp_path: Path) -> BackendSettings:
    settings = BackendSettings(
        var_dir=tmp_path / "backend",
        database_url=f"sqlite:///{tmp_path / 'backend.db'}",
        secret_key="kiosk-client-test-secret",
        public_base_url="https://status.example.uz",
    )
    upgrade_database(settings.resolved_database_url)
    return settings


@pytest.fixture
def credential(backend_settings: BackendSettings) -> str:
    return register_kiosk_command(backend_settings, KIOSK_CODE, "Kiosk 311", "Buxoro office")


@pytest.fixture
def backend(backend_settings: BackendSettings) -> Iterator[BackgroundServer]:
    with BackgroundServer(backend_settings, port=0) as server:
        yield server


@pytest.fixture
def client(backend: BackgroundServer, credential: str) -> Iterator[BackendClient]:
    with BackendClient(backend.url, credential, timeout=5.0) as backend_client:
        yield backend_client


def submission(
    sequence: int = 1, kiosk_code: str = KIOSK_CODE, **overrides: object
) -> CaseSubmission:
    fields: dict[str, object] = {
        "submission_id": uuid.uuid4(),
        "case_number": make_case_number(kiosk_code, sequence),
        "service_code": "general_application",  # no state fee
        "service_kind": "application",
        "category_code": "residence",
        "language": "uz_Cyrl",
        "text": "Биринчи марта ID-карта олмоқчиман",
        "phone": "+998935550011",
        "consent": True,
        "submitted_at": datetime.now(UTC),
    }
    fields.update(overrides)
    return CaseSubmission.model_validate(fields)


def unused_address() -> tuple[str, int]:
    """An address where nothing listens (the port was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()


def test_whoami(client: BackendClient, backend_settings: BackendSettings) -> None:
    identity = client.whoami()
    assert identity.code == KIOSK_CODE
    assert identity.name == "Kiosk 311"
    assert identity.public_base_url == "https://status.example.uz"
    assert bytes.fromhex(identity.status_link_key) == derive_status_link_key(
        backend_settings.resolved_secret_key, KIOSK_CODE
    )


def test_submit_is_idempotent_and_the_link_matches_the_kiosk_key(client: BackendClient) -> None:
    sent = submission(sequence=9)
    first = client.submit_case(sent)
    again = client.submit_case(sent)

    assert first.created is True and again.created is False
    assert again.case_number == first.case_number == sent.case_number
    parsed = parse_status_url(first.status_url)
    assert parsed is not None
    link_key = bytes.fromhex(client.whoami().status_link_key)
    assert parsed == (sent.case_number, status_tag(link_key, sent.case_number))


def test_case_status_found_missing_and_invalid(client: BackendClient) -> None:
    accepted = client.submit_case(submission(sequence=4))

    view = client.case_status(accepted.case_number)
    assert view is not None
    assert view.stage == "received"
    assert view.office == "Buxoro office"

    assert client.case_status(make_case_number(KIOSK_CODE, 5)) is None
    with pytest.raises(BackendRejected) as rejected:
        client.case_status("1234")
    assert rejected.value.status_code == 422
    assert rejected.value.error == "case_number_invalid"


def test_rejections_carry_the_backend_error(client: BackendClient) -> None:
    sent = submission(sequence=2)
    client.submit_case(sent)
    with pytest.raises(BackendRejected) as conflict:
        client.submit_case(sent.model_copy(update={"text": "Boshqa matn"}))
    assert (conflict.value.status_code, conflict.value.error) == (409, "submission_conflict")

    with pytest.raises(BackendRejected) as foreign:
        client.submit_case(submission(kiosk_code="0312"))
    assert (foreign.value.status_code, foreign.value.error) == (403, "case_number_foreign")


def test_bad_or_revoked_credentials_raise_credential_rejected(
    backend: BackgroundServer, credential: str, backend_settings: BackendSettings
) -> None:
    with (
        BackendClient(backend.url, f"{KIOSK_CODE}.{'x' * 43}") as wrong,
        pytest.raises(CredentialRejected) as rejected,
    ):
        wrong.whoami()
    assert rejected.value.error == "credential_invalid"

    revoke_kiosk_command(backend_settings, KIOSK_CODE)
    with BackendClient(backend.url, credential) as revoked:
        with pytest.raises(CredentialRejected) as rejected:
            revoked.submit_case(submission())
        assert revoked.health() is True  # the service itself is fine
    assert rejected.value.status_code == 401
    assert rejected.value.error == "credential_revoked"


def test_backend_down_is_unavailable_quickly_after_retries(credential: str) -> None:
    host, port = unused_address()
    with BackendClient(f"http://{host}:{port}", credential, timeout=2.0) as client:
        assert client.health() is False
        started = time.monotonic()
        with pytest.raises(BackendUnavailable):
            client.submit_case(submission())
        elapsed = time.monotonic() - started
    assert 0.5 <= elapsed < 3.0  # three tries with short back-off between them


def test_a_backend_that_never_answers_times_out(credential: str) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # connections are queued by the kernel and never answered
        host, port = silent.getsockname()
        with BackendClient(
            f"http://{host}:{port}", credential, timeout=0.3, max_attempts=2
        ) as client:
            started = time.monotonic()
            with pytest.raises(BackendUnavailable, match="timed out"):
                client.whoami()
            assert time.monotonic() - started < 3.0


class ScriptedBackend:
    """A plain HTTP server answering from a list of (status, JSON body), counting requests."""

    def __init__(self, answers: list[tuple[int, dict[str, object]]]) -> None:
        self.answers = answers
        self.requests = 0
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                status, body = scripted.answers[min(scripted.requests, len(scripted.answers) - 1)]
                scripted.requests += 1
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> ScriptedBackend:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()  # returns within serve_forever's poll interval
        self.server.server_close()


def test_server_errors_are_retried_then_unavailable() -> None:
    with (
        ScriptedBackend([(503, {"error": "maintenance"})]) as scripted,
        BackendClient(scripted.url, "0311.secret", max_attempts=3) as client,
        pytest.raises(BackendUnavailable, match="503"),
    ):
        client.whoami()
    assert scripted.requests == 3


def test_a_retry_that_succeeds_returns_the_answer() -> None:
    identity = {
        "code": "0311",
        "name": "Kiosk 311",
        "status_link_key": "00" * 32,
        "public_base_url": "https://status.example.uz",
    }
    with (
        ScriptedBackend([(502, {}), (200, identity)]) as scripted,
        BackendClient(scripted.url, "0311.secret") as client,
    ):
        assert client.whoami().name == "Kiosk 311"
    assert scripted.requests == 2


def test_client_errors_are_not_retried() -> None:
    with (
        ScriptedBackend([(409, {"error": "case_number_taken", "detail": "used"})]) as scripted,
        BackendClient(scripted.url, "0311.secret") as client,
        pytest.raises(BackendRejected) as rejected,
    ):
        client.submit_case(submission())
    assert scripted.requests == 1
    assert (rejected.value.error, rejected.value.detail) == ("case_number_taken", "used")
