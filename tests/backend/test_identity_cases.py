"""Cases that name a face verification, and the duplicate search over enrolled applicants."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.commands import show_case_identity_command
from backend.contracts import make_personal_number
from backend.db import Database
from backend.identity.demo_people import demo_person
from backend.identity.personal_data import open_case_personal_data
from backend.identity.registry import RegistryPerson, enroll_registry_person
from backend.identity.sealing import DataSealer
from backend.models import AuditEntry, Case, CaseDuplicateHit, FaceVerification
from backend.services.identity_report import identity_report
from config.face import FaceMatchSettings
from config.settings import BackendSettings
from tests.backend.identity_support import VERIFICATIONS, MemoizingEncoder, photo, verification_body

AppFactory = Callable[..., TestClient]
Submission = Callable[..., dict[str, Any]]
OBAMA = demo_person("obama").personal_number


def _verify(client: TestClient, headers: dict[str, str], person: str, portrait: str) -> str:
    response = client.post(
        VERIFICATIONS, json=verification_body(person, photo(portrait)), headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()["verification_id"]


def _case(database: Database, number: str) -> Case:
    with database.reading() as session:
        case = session.scalar(select(Case).where(Case.case_number == number))
        assert case is not None
        return case


def test_a_case_names_its_verification_and_a_retry_is_still_idempotent(
    identity_app: AppFactory,
    kiosk_headers: dict[str, str],
    make_submission: Submission,
    database: Database,
    settings: BackendSettings,
) -> None:
    client = identity_app()
    verification_id = _verify(client, kiosk_headers, "obama", "obama_2")
    body = make_submission(personal_number=OBAMA, verification_id=verification_id, text="")

    first = client.post("/api/v1/cases", json=body, headers=kiosk_headers)
    again = client.post("/api/v1/cases", json=body, headers=kiosk_headers)

    assert first.status_code == 201, first.text
    assert again.status_code == 200
    assert again.json()["case_number"] == first.json()["case_number"]
    case = _case(database, first.json()["case_number"])
    sealer = DataSealer.from_settings(settings)
    assert open_case_personal_data(case, sealer).personal_number == OBAMA
    assert case.personal_number_digest == sealer.personal_number_digest(OBAMA)
    assert str(case.verification_id) == verification_id
    assert case.needs_officer_review is False


def test_a_verification_in_the_review_band_flags_the_case_for_an_officer(
    identity_app: AppFactory,
    kiosk_headers: dict[str, str],
    make_submission: Submission,
    database: Database,
) -> None:
    client = identity_app(
        face_match=FaceMatchSettings(verify_max_distance=0.30, review_max_distance=0.45)
    )
    verification_id = _verify(client, kiosk_headers, "obama", "obama_2")

    response = client.post(
        "/api/v1/cases",
        json=make_submission(personal_number=OBAMA, verification_id=verification_id),
        headers=kiosk_headers,
    )

    assert response.status_code == 201
    number = response.json()["case_number"]
    assert _case(database, number).needs_officer_review is True
    with database.reading() as session:
        audit = session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "case.created", AuditEntry.subject == f"case:{number}"
            )
        )
    assert audit is not None
    details = json.loads(audit.details)
    assert details["needs_officer_review"] is True
    assert details["verification_decision"] == "manual_review"
    assert details["verification_id"] == verification_id


def test_verifications_that_do_not_identify_the_applicant_are_refused(
    identity_app: AppFactory,
    kiosk_headers: dict[str, str],
    register: Callable[..., str],
    make_submission: Submission,
) -> None:
    client = identity_app()
    good = _verify(client, kiosk_headers, "obama", "obama_2")
    failed = _verify(client, kiosk_headers, "biden", "obama_3")
    other_headers = {"Authorization": f"Bearer {register('0043', 'Kiosk 43')}"}
    foreign = _verify(client, other_headers, "leslie", "leslie_2")
    biden = demo_person("biden").personal_number
    leslie = demo_person("leslie").personal_number
    unknown = "00000000-0000-4000-8000-000000000000"

    cases = [
        ({"personal_number": OBAMA, "verification_id": unknown}, 422, "verification_not_found"),
        ({"personal_number": leslie, "verification_id": foreign}, 422, "verification_not_found"),
        ({"personal_number": biden, "verification_id": good}, 422, "verification_mismatch"),
        ({"verification_id": good}, 422, "verification_mismatch"),
        ({"personal_number": biden, "verification_id": failed}, 422, "verification_not_accepted"),
    ]
    for sequence, (overrides, status, error) in enumerate(cases, start=1):
        response = client.post(
            "/api/v1/cases", json=make_submission(sequence, **overrides), headers=kiosk_headers
        )
        assert (response.status_code, response.json()["error"]) == (status, error), overrides

    accepted = client.post(
        "/api/v1/cases",
        json=make_submission(10, personal_number=OBAMA, verification_id=good),
        headers=kiosk_headers,
    )
    assert accepted.status_code == 201
    reused = client.post(
        "/api/v1/cases",
        json=make_submission(11, personal_number=OBAMA, verification_id=good),
        headers=kiosk_headers,
    )
    assert reused.status_code == 409
    assert reused.json()["error"] == "verification_already_used"


def _age_verification(database: Database, verification_id: str, minutes: float) -> datetime:
    """Make a verification as old as if it had been made ``minutes`` ago; its new time."""
    made_at = datetime.now(UTC) - timedelta(minutes=minutes)
    with database.transaction() as session:
        row = session.get(FaceVerification, UUID(verification_id))
        assert row is not None
        row.created_at = made_at
    return made_at


def test_a_verification_too_old_by_the_backend_clock_does_not_identify_a_case(
    identity_app: AppFactory,
    kiosk_headers: dict[str, str],
    make_submission: Submission,
    database: Database,
) -> None:
    client = identity_app()
    old = _verify(client, kiosk_headers, "obama", "obama_2")
    recent = _verify(client, kiosk_headers, "obama", "obama_3")
    old_made_at = _age_verification(database, old, 121)
    _age_verification(database, recent, 115)
    # The kiosk claims it filed a minute after the old verification: its clock is not trusted.
    backdated = (old_made_at + timedelta(minutes=1)).isoformat()

    expired = client.post(
        "/api/v1/cases",
        json=make_submission(1, personal_number=OBAMA, verification_id=old,
                             submitted_at=backdated),
        headers=kiosk_headers,
    )  # fmt: skip
    filed = client.post(
        "/api/v1/cases",
        json=make_submission(2, personal_number=OBAMA, verification_id=recent),
        headers=kiosk_headers,
    )

    assert (expired.status_code, expired.json()["error"]) == (422, "verification_expired")
    assert filed.status_code == 201, filed.text


@pytest.fixture
def impostor_number(
    seeded_settings: BackendSettings, database: Database, face_encoder: MemoizingEncoder
) -> str:
    """A registry person whose reference photo is obama_4: one face, two personal numbers."""
    number = make_personal_number(date(1970, 3, 3), male=True, region=27, serial=7)
    portrait = photo("obama_4").read_bytes()
    with database.transaction() as session:
        enroll_registry_person(
            session,
            DataSealer.from_settings(seeded_settings),
            RegistryPerson(number, date(1970, 3, 3), portrait, face_encoder(portrait)),
        )
    return number


def test_the_same_face_under_another_number_is_a_duplicate_hit(
    identity_app: AppFactory,
    kiosk_headers: dict[str, str],
    make_submission: Submission,
    database: Database,
    seeded_settings: BackendSettings,
    impostor_number: str,
) -> None:
    client = identity_app()
    obama_case = client.post(
        "/api/v1/cases",
        json=make_submission(
            1,
            personal_number=OBAMA,
            verification_id=_verify(client, kiosk_headers, "obama", "obama_2"),
        ),
        headers=kiosk_headers,
    ).json()["case_number"]
    # Obama's own second case is no duplicate of his first.
    second_obama = client.post(
        "/api/v1/cases",
        json=make_submission(
            2,
            personal_number=OBAMA,
            verification_id=_verify(client, kiosk_headers, "obama", "obama_3"),
        ),
        headers=kiosk_headers,
    ).json()["case_number"]
    impostor_check = client.post(
        VERIFICATIONS,
        json=verification_body(
            "obama",
            photo("obama_3"),
            personal_number=impostor_number,
            birth_date=date(1970, 3, 3),
        ),
        headers=kiosk_headers,
    ).json()
    assert impostor_check["decision"] == "verified"

    response = client.post(
        "/api/v1/cases",
        json=make_submission(
            3,
            personal_number=impostor_number,
            verification_id=impostor_check["verification_id"],
        ),
        headers=kiosk_headers,
    )

    assert response.status_code == 201
    impostor_case = response.json()["case_number"]
    with database.reading() as session:
        hits = session.scalars(select(CaseDuplicateHit).order_by(CaseDuplicateHit.distance)).all()
        report = identity_report(session, impostor_case, DataSealer.from_settings(seeded_settings))
    assert {hit.other_case_number for hit in hits} == {obama_case, second_obama}
    assert {hit.other_personal_number for hit in report.duplicates} == {OBAMA}
    assert all(hit.case_id == _case(database, impostor_case).id for hit in hits)
    distances = {hit.other_case_number: hit.distance for hit in hits}
    assert distances[second_obama] < 1e-3  # the very same photo, filed under two numbers
    assert 0.3 < distances[obama_case] <= 0.5  # obama_2 against obama_3
    assert _case(database, impostor_case).needs_officer_review is True
    assert _case(database, second_obama).needs_officer_review is False
    assert [d.other_case_number for d in report.duplicates] == [h.other_case_number for h in hits]
    assert report.verification is not None and report.verification.decision == "verified"

    text = show_case_identity_command(seeded_settings, impostor_case)
    assert impostor_number in text
    assert obama_case in text and second_obama in text
    assert "decision: verified" in text
    assert "verified <= 0.50, review <= 0.60" in text
    assert "blink,turn_left" in text
    gallery = client.app.state.duplicate_search.gallery
    assert len(gallery) == 2  # loaded incrementally: the impostor's own case comes next time


def test_the_identity_report_of_a_case_without_verification(
    submit: Submission, seeded_settings: BackendSettings
) -> None:
    number = submit()["case_number"]

    text = show_case_identity_command(seeded_settings, number)

    assert "face verification: none" in text
    assert "duplicate hits: none" in text
