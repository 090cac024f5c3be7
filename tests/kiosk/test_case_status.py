"""Looking a case up: the backend's answer, or this kiosk's outbox while it is offline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from backend.contracts import CaseSubmission, PublicStage, make_case_number
from config.profiles import KioskProfile
from kiosk.backend_client import BackendClient
from kiosk.case_status import BackendStatusSource
from kiosk.outbox import Outbox
from kiosk.session import StatusUnavailable
from tests.kiosk.real_parts import RunningBackend


def submission(number: int) -> CaseSubmission:
    return CaseSubmission(
        submission_id=uuid4(),
        case_number=make_case_number("0001", number),
        service_code="customs_report",
        service_kind="report",
        category_code="smuggling",
        language="ru",
        text="На рынке продают контрабандные сигареты.",
        consent=True,
        submitted_at=datetime.now(UTC),
    )


@pytest.fixture
def client(station_backend: RunningBackend) -> Iterator[BackendClient]:
    with BackendClient(station_backend.url, station_backend.credential, timeout=5) as client:
        yield client


@pytest.fixture
def down(station_backend: RunningBackend, dead_url: str) -> Iterator[BackendClient]:
    with BackendClient(dead_url, station_backend.credential, timeout=0.5, max_attempts=1) as c:
        yield c


def test_a_registered_case_comes_from_the_backend(
    demo_profile: KioskProfile, kiosk_outbox: Outbox, client: BackendClient
) -> None:
    sent = submission(1)
    client.submit_case(sent)
    status = BackendStatusSource(demo_profile, client, kiosk_outbox).lookup(sent.case_number)
    assert status.case_number == sent.case_number
    assert status.stage is PublicStage.RECEIVED
    assert status.service_kind == "report"


def test_an_unknown_case_is_none(
    demo_profile: KioskProfile, kiosk_outbox: Outbox, client: BackendClient
) -> None:
    source = BackendStatusSource(demo_profile, client, kiosk_outbox)
    assert source.lookup(make_case_number("0001", 77)) is None


def test_offline_a_case_waiting_in_the_outbox_is_reported_received(
    demo_profile: KioskProfile, kiosk_outbox: Outbox, down: BackendClient
) -> None:
    waiting = submission(5)
    kiosk_outbox.add(waiting)
    source = BackendStatusSource(demo_profile, down, kiosk_outbox)
    status = source.lookup(waiting.case_number)
    assert status.stage is PublicStage.RECEIVED
    assert status.registered_at == waiting.submitted_at
    assert status.office == demo_profile.kiosk.office
    with pytest.raises(StatusUnavailable):
        source.lookup(make_case_number("0001", 6))


def test_a_case_not_yet_synced_is_found_even_when_the_backend_answers(
    demo_profile: KioskProfile, kiosk_outbox: Outbox, client: BackendClient
) -> None:
    waiting = submission(9)
    kiosk_outbox.add(waiting)
    status = BackendStatusSource(demo_profile, client, kiosk_outbox).lookup(waiting.case_number)
    assert status is not None and status.stage is PublicStage.RECEIVED


def test_without_a_credential_only_the_outbox_can_answer(
    demo_profile: KioskProfile, kiosk_outbox: Outbox
) -> None:
    source = BackendStatusSource(demo_profile, None, kiosk_outbox)
    with pytest.raises(StatusUnavailable):
        source.lookup(make_case_number("0001", 3))
