"""The backend holds each case to its service's requirements, whatever the kiosk sends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.app import create_app
from backend.db import Database
from backend.identity.demo_people import demo_person
from backend.models import AuditEntry, Case, CaseEvent, CaseFingerprint, PaymentOrder
from config.profiles import load_profile
from config.services import load_service_catalogue
from config.settings import PROJECT_ROOT, BackendSettings
from payments.fees import load_fee_schedule
from tests.backend.fingerprint_support import exception_capture, finger_capture
from tests.backend.identity_support import VERIFICATIONS, photo, verification_body
from tests.payments.payme_support import (
    CHECKOUT_BASE,
    MERCHANT_ID,
    PAYME_KEY,
    Payme,
    SettableClock,
    create_order,
)

CASES = "/api/v1/cases"
OBAMA = demo_person("obama").personal_number
ID_CARD_FINGERS = {
    "right_index": "afisA_1",
    "left_index": "afisB_1",
    "right_thumb": "nbisP1_1",
    "left_thumb": "nbisP2_1",
}
AppFactory = Callable[..., TestClient]
Submission = Callable[..., dict[str, Any]]


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
def app(identity_app: AppFactory, clock: SettableClock) -> TestClient:
    """The app with the face registry seeded and Payme configured."""
    client = identity_app(
        payme_key=PAYME_KEY, payme_merchant_id=MERCHANT_ID, checkout_base_url=CHECKOUT_BASE
    )
    client.app.state.payment_clock = clock  # type: ignore[attr-defined]
    return client


def _paid_order(client: TestClient, headers: dict[str, str], clock: SettableClock) -> str:
    order = create_order(client, headers, "id_card")
    Payme(client, clock).pay(order["account"], order["amount_tiyin"])
    return order["order_id"]


def _verify(client: TestClient, headers: dict[str, str]) -> str:
    body = verification_body("obama", photo("obama_2"))
    response = client.post(VERIFICATIONS, json=body, headers=headers)
    assert response.json()["decision"] == "verified", response.text
    return response.json()["verification_id"]


def _stored(database: Database) -> dict[str, int]:
    with database.reading() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Case, CaseEvent, CaseFingerprint)
        } | {
            "case_audit": session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "case.created")
            )
            or 0,
            "orders_used": session.scalar(
                select(func.count())
                .select_from(PaymentOrder)
                .where(PaymentOrder.case_id.is_not(None))
            )
            or 0,
        }


NOTHING = {"cases": 0, "case_events": 0, "case_fingerprints": 0, "case_audit": 0, "orders_used": 0}


def test_a_paid_id_card_case_without_identity_or_fingers_is_refused_naming_each_item(
    app: TestClient,
    kiosk_headers: dict[str, str],
    clock: SettableClock,
    make_submission: Submission,
    database: Database,
) -> None:
    body = make_submission(
        service_code="id_card",
        category_code="first",
        payment_order_id=_paid_order(app, kiosk_headers, clock),
    )

    response = app.post(CASES, json=body, headers=kiosk_headers)

    assert response.status_code == 422, response.text
    assert response.json() == {
        "error": "requirements_missing",
        "detail": "service id_card requires: personal_number, face_verification, "
        "fingerprint:right_index, fingerprint:left_index, fingerprint:right_thumb, "
        "fingerprint:left_thumb",
    }
    assert _stored(database) == NOTHING


def test_each_required_finger_is_given_or_excepted_and_a_missing_one_stores_nothing(
    app: TestClient,
    kiosk_headers: dict[str, str],
    clock: SettableClock,
    make_submission: Submission,
    database: Database,
) -> None:
    fields = {
        "service_code": "id_card",
        "category_code": "first",
        "personal_number": OBAMA,
        "verification_id": _verify(app, kiosk_headers),
        "payment_order_id": _paid_order(app, kiosk_headers, clock),
    }
    three = [
        finger_capture("right_index", "afisA_1"),
        exception_capture("left_index", "bandaged", attempts=2),
        finger_capture("right_thumb", "nbisP1_1"),
    ]

    short = app.post(
        CASES, json=make_submission(1, fingerprints=three, **fields), headers=kiosk_headers
    )
    assert (short.status_code, short.json()["error"]) == (422, "requirements_missing")
    assert short.json()["detail"] == "service id_card requires: fingerprint:left_thumb"
    assert _stored(database) == NOTHING

    complete = [*three, finger_capture("left_thumb", "nbisP2_1")]
    filed = app.post(
        CASES, json=make_submission(2, fingerprints=complete, **fields), headers=kiosk_headers
    )
    assert filed.status_code == 201, filed.text
    stored = _stored(database)
    assert (stored["cases"], stored["case_fingerprints"], stored["orders_used"]) == (1, 4, 1)


def test_a_face_service_case_needs_a_personal_number_and_a_verification(
    app: TestClient,
    kiosk_headers: dict[str, str],
    clock: SettableClock,
    make_submission: Submission,
    database: Database,
) -> None:
    fingers = [finger_capture(finger, name) for finger, name in ID_CARD_FINGERS.items()]
    body = make_submission(
        service_code="id_card",
        category_code="first",
        personal_number=OBAMA,
        fingerprints=fingers,
        payment_order_id=_paid_order(app, kiosk_headers, clock),
    )

    response = app.post(CASES, json=body, headers=kiosk_headers)

    assert (response.status_code, response.json()["detail"]) == (
        422,
        "service id_card requires: face_verification",
    )
    assert _stored(database) == NOTHING


def test_an_unpaid_passport_case_names_the_payment_with_everything_else(
    client: TestClient, kiosk_headers: dict[str, str], make_submission: Submission
) -> None:
    body = make_submission(service_code="passport", category_code="first", personal_number=OBAMA)

    response = client.post(CASES, json=body, headers=kiosk_headers)

    assert response.status_code == 422
    assert response.json()["detail"].endswith("fingerprint:left_thumb, payment")
    assert "face_verification" in response.json()["detail"]


def test_a_service_the_catalogue_does_not_list_is_refused(
    client: TestClient,
    kiosk_headers: dict[str, str],
    make_submission: Submission,
    database: Database,
) -> None:
    body = make_submission(service_code="id_card_express", category_code="first")

    response = client.post(CASES, json=body, headers=kiosk_headers)

    assert (response.status_code, response.json()["error"]) == (422, "service_unknown")
    assert _stored(database) == NOTHING


@pytest.mark.parametrize(
    "submitted_at",
    [
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(2999, 12, 31, tzinfo=UTC),
        datetime.now(UTC) + timedelta(hours=1),
        datetime.now(UTC) - timedelta(days=31),
    ],
    ids=["1970", "2999", "an_hour_ahead", "31_days_old"],
)
def test_a_kiosk_time_far_from_the_backend_clock_is_refused(
    client: TestClient,
    kiosk_headers: dict[str, str],
    make_submission: Submission,
    database: Database,
    submitted_at: datetime,
) -> None:
    body = make_submission(submitted_at=submitted_at.isoformat())

    response = client.post(CASES, json=body, headers=kiosk_headers)

    assert (response.status_code, response.json()["error"]) == (422, "submitted_at_out_of_range")
    assert "backend's clock" in response.json()["detail"]
    assert _stored(database) == NOTHING


def test_a_case_queued_offline_for_days_or_from_a_clock_slightly_ahead_is_accepted(
    client: TestClient, kiosk_headers: dict[str, str], make_submission: Submission
) -> None:
    for sequence, moment in enumerate(
        [datetime.now(UTC) - timedelta(days=3), datetime.now(UTC) + timedelta(minutes=2)], 1
    ):
        body = make_submission(sequence, submitted_at=moment.isoformat())
        response = client.post(CASES, json=body, headers=kiosk_headers)
        assert response.status_code == 201, response.text


def test_a_catalogue_that_disagrees_with_the_fee_schedule_stops_the_backend(
    settings: BackendSettings, tmp_path: Path
) -> None:
    catalogue = tmp_path / "services.toml"
    catalogue.write_text("[services.id_card]\nfee = true\n[services.passport]\n")

    with pytest.raises(ValueError, match="passport"):
        create_app(settings.model_copy(update={"service_catalogue_path": catalogue}))


def test_the_demo_kiosk_asks_for_what_the_backend_catalogue_requires() -> None:
    defaults = BackendSettings()
    catalogue = load_service_catalogue(defaults.service_catalogue_path)
    fees = load_fee_schedule(defaults.fee_schedule_path)
    for service in load_profile(PROJECT_ROOT / "config" / "profiles" / "demo.toml").services:
        required = catalogue.requirements(service.code)
        assert required is not None, service.code
        asked = (service.identity, service.fingers, service.fee)
        assert asked == (required.identity, required.fingers, required.fee), service.code
    assert catalogue.fee_codes() == set(fees.services)
