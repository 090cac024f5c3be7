"""``POST /api/v1/identity/verifications``: 1:1 face verification against the registry."""

from __future__ import annotations

import json
import resource
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.contracts import MAX_PORTRAIT_BYTES, make_personal_number
from backend.db import Database
from backend.identity.demo_people import demo_person
from backend.identity.sealing import DataSealer
from backend.models import AuditEntry, FaceVerification
from config.face import FaceMatchSettings
from config.settings import BackendSettings
from tests.backend.identity_support import (
    NO_FACE,
    TWO_PEOPLE,
    VERIFICATIONS,
    photo,
    verification_body,
)
from tests.image_bombs import jpeg_bomb

AppFactory = Callable[..., TestClient]


def _rows(database: Database) -> list[FaceVerification]:
    with database.reading() as session:
        return list(session.scalars(select(FaceVerification).order_by(FaceVerification.created_at)))


def test_a_genuine_portrait_is_verified_and_recorded(
    identity_app: AppFactory,
    kiosk_headers: dict[str, str],
    database: Database,
    settings: BackendSettings,
) -> None:
    client = identity_app()
    body = verification_body("obama", photo("obama_2"), liveness="blink,smile")

    response = client.post(VERIFICATIONS, json=body, headers=kiosk_headers)

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["decision"] == "verified"
    assert result["refusal"] is None
    assert result["attempts_left"] == 3
    assert result["refer_to_staff"] is False
    [row] = _rows(database)
    assert str(row.id) == result["verification_id"]
    assert str(row.request_id) == body["request_id"]
    obama = demo_person("obama").personal_number
    assert row.personal_number_digest == DataSealer.from_settings(settings).personal_number_digest(
        obama
    )
    assert row.distance is not None and 0.2 < row.distance < 0.5
    assert (row.verify_max_distance, row.review_max_distance) == (0.5, 0.6)
    assert row.liveness == "blink,smile"
    assert row.portrait_sealed and row.template_sealed
    with database.reading() as session:
        audit = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "identity.verification")
        )
    assert audit is not None and audit.subject == f"verification:{row.id}"
    details = json.loads(audit.details)
    assert details["decision"] == "verified"
    assert details["distance"] == pytest.approx(row.distance, abs=1e-4)


def test_another_persons_portrait_is_not_verified(
    identity_app: AppFactory, kiosk_headers: dict[str, str]
) -> None:
    client = identity_app()

    response = client.post(
        VERIFICATIONS, json=verification_body("obama", photo("biden_1")), headers=kiosk_headers
    )

    assert response.status_code == 200
    assert response.json()["decision"] == "not_verified"
    assert response.json()["attempts_left"] == 2
    assert response.json()["refer_to_staff"] is False


def test_a_distance_in_the_review_band_goes_to_an_officer(
    identity_app: AppFactory, kiosk_headers: dict[str, str], database: Database
) -> None:
    # obama_2 is about 0.38 from obama's reference: between these two thresholds.
    client = identity_app(
        face_match=FaceMatchSettings(verify_max_distance=0.30, review_max_distance=0.45)
    )

    response = client.post(
        VERIFICATIONS, json=verification_body("obama", photo("obama_2")), headers=kiosk_headers
    )

    assert response.json()["decision"] == "manual_review"
    assert response.json()["attempts_left"] == 3
    [row] = _rows(database)
    assert (row.verify_max_distance, row.review_max_distance) == (0.30, 0.45)


@pytest.mark.parametrize(
    ("portrait", "reason"),
    [
        (TWO_PEOPLE, "multiple_faces"),
        (NO_FACE, "no_face"),
        (b"this is not a picture", "unreadable_image"),
    ],
)
def test_an_unusable_portrait_is_refused_without_using_an_attempt(
    identity_app: AppFactory,
    kiosk_headers: dict[str, str],
    database: Database,
    portrait: object,
    reason: str,
) -> None:
    client = identity_app()

    response = client.post(
        VERIFICATIONS, json=verification_body("leslie", portrait), headers=kiosk_headers
    )

    assert response.status_code == 200
    assert response.json()["decision"] == "refused"
    assert response.json()["refusal"] == reason
    assert response.json()["attempts_left"] == 3
    [row] = _rows(database)
    assert (row.decision, row.refusal, row.template_sealed) == ("refused", reason, None)


def test_a_portrait_declaring_huge_dimensions_is_413_before_any_decoding(
    identity_app: AppFactory, kiosk_headers: dict[str, str], database: Database
) -> None:
    client = identity_app()
    bomb = jpeg_bomb(20000, 20000)  # 632 bytes
    before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    response = client.post(
        VERIFICATIONS, json=verification_body("leslie", bomb), headers=kiosk_headers
    )

    assert response.status_code == 413, response.text
    assert response.json()["error"] == "image_too_large"
    assert response.json()["detail"].startswith("portrait_jpeg: image declares")
    # Decoding would have taken 1.1 GiB at least.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_kib < 200 * 1024
    assert _rows(database) == []


def test_a_portrait_that_is_not_base64_is_unreadable(
    identity_app: AppFactory, kiosk_headers: dict[str, str]
) -> None:
    body = verification_body("leslie", photo("leslie_2"), portrait_jpeg="%%% not base64 %%%")

    response = identity_app().post(VERIFICATIONS, json=body, headers=kiosk_headers)

    assert response.json()["refusal"] == "unreadable_image"


def test_an_unknown_number_and_a_wrong_birth_date_get_the_same_answer(
    identity_app: AppFactory, kiosk_headers: dict[str, str], database: Database
) -> None:
    client = identity_app()
    stranger = make_personal_number(date(1990, 5, 17), male=False, region=26, serial=99)
    unknown = verification_body("leslie", photo("leslie_2"), personal_number=stranger)
    unknown["birth_date"] = "1990-05-17"
    wrong_date = verification_body("leslie", photo("leslie_2"), birth_date=date(1987, 2, 19))

    answers = [
        client.post(VERIFICATIONS, json=b, headers=kiosk_headers) for b in (unknown, wrong_date)
    ]

    for response in answers:
        assert response.status_code == 404
        assert response.json()["error"] == "person_not_found"
    assert answers[0].json() == answers[1].json()
    assert [row.decision for row in _rows(database)] == ["person_not_found"] * 2
    assert all(row.portrait_sealed is None for row in _rows(database))


def test_a_repeated_request_is_answered_from_the_record(
    identity_app: AppFactory,
    kiosk_headers: dict[str, str],
    register: Callable[..., str],
    database: Database,
) -> None:
    client = identity_app()
    body = verification_body("obama", photo("biden_1"))

    first = client.post(VERIFICATIONS, json=body, headers=kiosk_headers)
    again = client.post(VERIFICATIONS, json=body, headers=kiosk_headers)

    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.json()["attempts_left"] == 2  # the repeat used no second attempt
    assert len(_rows(database)) == 1

    changed = dict(body, liveness="something else")
    conflict = client.post(VERIFICATIONS, json=changed, headers=kiosk_headers)
    assert conflict.status_code == 409
    assert conflict.json()["error"] == "verification_conflict"

    other_kiosk = {"Authorization": f"Bearer {register('0043', 'Kiosk 43')}"}
    stolen = client.post(VERIFICATIONS, json=body, headers=other_kiosk)
    assert stolen.status_code == 409
    assert len(_rows(database)) == 1


def test_failed_attempts_run_out_and_the_citizen_is_sent_to_staff(
    identity_app: AppFactory, kiosk_headers: dict[str, str], database: Database
) -> None:
    client = identity_app()

    results = [
        client.post(
            VERIFICATIONS, json=verification_body("obama", photo("biden_1")), headers=kiosk_headers
        ).json()
        for _ in range(3)
    ]

    assert [r["attempts_left"] for r in results] == [2, 1, 0]
    assert [r["refer_to_staff"] for r in results] == [False, False, True]
    genuine = verification_body("obama", photo("obama_2"))
    refused = client.post(VERIFICATIONS, json=genuine, headers=kiosk_headers)
    assert refused.status_code == 429
    assert refused.json()["error"] == "refer_to_staff"
    assert _rows(database)[-1].decision == "refer_to_staff"
    # Another person's attempts are untouched.
    biden = client.post(
        VERIFICATIONS, json=verification_body("biden", photo("biden_2")), headers=kiosk_headers
    )
    assert biden.status_code == 200


def test_a_kiosk_over_its_quota_is_rate_limited(
    identity_app: AppFactory, kiosk_headers: dict[str, str], database: Database
) -> None:
    client = identity_app(verification_rate_per_kiosk_per_minute=2)
    people = ["obama", "biden", "leslie"]
    portraits = ["obama_2", "biden_2", "leslie_2"]

    answers = [
        client.post(VERIFICATIONS, json=verification_body(name, photo(p)), headers=kiosk_headers)
        for name, p in zip(people, portraits, strict=True)
    ]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["error"] == "kiosk_rate_limited"
    assert 1 <= int(answers[2].headers["Retry-After"]) <= 60
    assert len(_rows(database)) == 2  # a request over the quota is not recorded


def test_probing_one_number_from_many_kiosks_is_rate_limited(
    identity_app: AppFactory, register: Callable[..., str], database: Database
) -> None:
    client = identity_app(verification_rate_per_person_per_hour=2)
    kiosks = [
        {"Authorization": f"Bearer {register(code, code)}"} for code in ("0051", "0052", "0053")
    ]
    guesses = [date(1961, 8, 5), date(1961, 8, 6), date(1961, 8, 4)]

    answers = [
        client.post(
            VERIFICATIONS,
            json=verification_body("obama", photo("obama_2"), birth_date=guess),
            headers=headers,
        )
        for headers, guess in zip(kiosks, guesses, strict=True)
    ]

    assert [a.status_code for a in answers] == [404, 404, 429]
    assert answers[2].json()["error"] == "personal_number_rate_limited"
    assert int(answers[2].headers["Retry-After"]) > 60


def test_the_route_admits_a_full_size_portrait_and_no_more(
    identity_app: AppFactory, kiosk_headers: dict[str, str]
) -> None:
    client = identity_app()
    portrait = photo("miranda_1").read_bytes()  # about 490 KiB, under the 512 KiB cap
    assert len(portrait) <= MAX_PORTRAIT_BYTES

    response = client.post(
        VERIFICATIONS, json=verification_body("miranda", portrait), headers=kiosk_headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["decision"] == "verified"
    too_big = verification_body("miranda", b"\xff" * (MAX_PORTRAIT_BYTES + 64 * 1024))
    oversized = client.post(VERIFICATIONS, json=too_big, headers=kiosk_headers)
    assert oversized.status_code == 413
    assert oversized.json()["error"] == "body_too_large"
    # Routes without their own limit keep the small default one.
    small_limit = client.post(
        "/api/v1/kiosks/me", content=b"x" * (64 * 1024), headers=kiosk_headers
    )
    assert small_limit.status_code == 413


def test_a_portrait_over_the_contract_limit_is_a_validation_error(
    identity_app: AppFactory, kiosk_headers: dict[str, str]
) -> None:
    body = verification_body("miranda", b"\x00" * (MAX_PORTRAIT_BYTES + 3 * 1024))

    response = identity_app().post(VERIFICATIONS, json=body, headers=kiosk_headers)

    assert response.status_code == 422
    assert "portrait_jpeg" in response.json()["detail"]


def test_verification_needs_a_kiosk_credential(identity_app: AppFactory) -> None:
    body = verification_body("obama", photo("obama_2"))

    response = identity_app().post(VERIFICATIONS, json=body)

    assert response.status_code == 401
