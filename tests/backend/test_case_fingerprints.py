"""Fingerprints in case submissions: measured by the backend, sealed at rest, searched for
duplicates under other personal numbers, and shown to officers."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.app import create_app
from backend.commands import show_case_identity_command
from backend.db import Database
from backend.identity.fingerprint_gallery import (
    fingerprint_image_context,
    fingerprint_template_context,
)
from backend.identity.sealing import DataSealer, SealError
from backend.models import AuditEntry, Case, CaseFingerprint, CaseFingerprintHit
from backend.services.fingerprint_report import fingerprint_report
from biometrics.fingerprint import FingerprintTemplate, assess_fingerprint
from config.settings import BackendSettings
from devices.fingerprint.finger_images import faint_image, load_finger_image
from devices.fingerprint.protocol import quantise
from tests.backend.fingerprint_support import (
    exception_capture,
    finger_capture,
    person,
    png_bytes,
    reader_pixels,
    reader_png,
)

Submission = Callable[..., dict[str, Any]]
CASES = "/api/v1/cases"
FOUR_FINGERS = {
    "right_thumb": "nbisP1_1",
    "right_index": "afisA_1",
    "left_thumb": "nbisP2_1",
    "left_index": "afisB_1",
}


@pytest.fixture
def post_case(
    client: TestClient, kiosk_headers: dict[str, str], make_submission: Submission
) -> Callable[..., dict[str, Any]]:
    """Submit a case with fingerprints through ``client``; returns the CaseAccepted JSON."""

    def _post(
        sequence: int, captures: list[dict[str, Any]], app: TestClient | None = None, **fields: Any
    ) -> dict[str, Any]:
        body = make_submission(sequence=sequence, fingerprints=captures, **fields)
        response = (app or client).post(CASES, json=body, headers=kiosk_headers)
        assert response.status_code == 201, response.text
        return response.json()

    return _post


def _case(database: Database, number: str) -> Case:
    with database.reading() as session:
        case = session.scalar(select(Case).where(Case.case_number == number))
        assert case is not None
        return case


def _fingerprints(database: Database, number: str) -> dict[str, CaseFingerprint]:
    with database.reading() as session:
        rows = session.scalars(
            select(CaseFingerprint)
            .join(Case, CaseFingerprint.case_id == Case.id)
            .where(Case.case_number == number)
        ).all()
        return {row.finger: row for row in rows}


def _hits(database: Database, number: str) -> list[CaseFingerprintHit]:
    with database.reading() as session:
        return list(
            session.scalars(
                select(CaseFingerprintHit)
                .join(Case, CaseFingerprintHit.case_id == Case.id)
                .where(Case.case_number == number)
            ).all()
        )


def _count(database: Database, model: type) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_four_fingers_are_stored_sealed_with_the_backends_own_measurements(
    post_case: Callable[..., dict[str, Any]], database: Database, settings: BackendSettings
) -> None:
    captures = [finger_capture(finger, name) for finger, name in FOUR_FINGERS.items()]
    number = post_case(1, captures, personal_number=person(1))["case_number"]

    rows = _fingerprints(database, number)
    assert set(rows) == set(FOUR_FINGERS)
    sealer = DataSealer.from_settings(settings)
    for finger, name in FOUR_FINGERS.items():
        row, png = rows[finger], reader_png(name)
        assert row.exception is None and row.kiosk_quality == 80 and row.attempts == 1
        assert row.image_sealed is not None and row.template_sealed is not None
        assert png[:64] not in row.image_sealed and png[-64:] not in row.image_sealed
        assert sealer.open(row.image_sealed, fingerprint_image_context(number, finger)) == png
        template = FingerprintTemplate.from_bytes(
            sealer.open(row.template_sealed, fingerprint_template_context(number, finger))
        )
        assert row.minutiae_count == len(template.minutiae) > 0
        quality = assess_fingerprint(reader_pixels(name))
        assert row.quality_score == round(quality.score)
        assert row.quality_issues == ",".join(quality.issues)
    # a blob is bound to its finger: moved to another finger's row it no longer opens
    with pytest.raises(SealError):
        sealer.open(
            rows["right_index"].image_sealed, fingerprint_image_context(number, "left_index")
        )


def test_an_exception_finger_keeps_its_reason_and_sends_the_case_to_an_officer(
    post_case: Callable[..., dict[str, Any]], database: Database
) -> None:
    captures = [
        finger_capture("right_index", "afisA_1"),
        exception_capture("left_index", "bandaged", attempts=2),
    ]
    number = post_case(1, captures, personal_number=person(1))["case_number"]

    rows = _fingerprints(database, number)
    bandaged = rows["left_index"]
    assert bandaged.exception == "bandaged" and bandaged.attempts == 2
    assert bandaged.image_sealed is None and bandaged.template_sealed is None
    assert bandaged.quality_score is None and bandaged.minutiae_count is None
    assert _case(database, number).needs_officer_review is True
    with database.reading() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.created")).one()
    details = json.loads(entry.details)
    assert details["fingerprints_given"] == ["right_index"]
    assert details["finger_exceptions"] == {"left_index": "bandaged"}
    assert details["fingerprint_hits"] == []
    assert details["needs_officer_review"] is True


def test_a_poor_finger_is_judged_by_the_backend_not_by_the_kiosk(
    post_case: Callable[..., dict[str, Any]], database: Database, settings: BackendSettings
) -> None:
    faint = quantise(faint_image(load_finger_image("afisA_1")))
    captures = [
        finger_capture("right_index", "afisA_1"),
        finger_capture(
            "left_index", "afisB_1", image_png=base64.b64encode(png_bytes(faint)).decode()
        )
        | {"kiosk_quality": 95, "attempts": 3},
        exception_capture("left_thumb", "missing"),
    ]
    number = post_case(1, captures, personal_number=person(1))["case_number"]

    rows = _fingerprints(database, number)
    assert rows["left_index"].quality_score == assess_fingerprint(faint).score < 40
    assert rows["left_index"].quality_issues == "low_contrast"
    assert rows["right_index"].quality_issues == ""
    assert _case(database, number).needs_officer_review is True
    with database.reading() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.created")).one()
    assert json.loads(entry.details)["fingerprints_poor_quality"] == ["left_index"]

    lines = show_case_identity_command(settings, number).splitlines()
    assert "  fingerprints: 2 given, 1 exception(s), 0 hit(s)" in lines
    assert any(
        line.startswith("    left_index: quality ") and "(low_contrast; kiosk said 95)" in line
        for line in lines
    )
    assert "    left_thumb: exception missing, 0 attempt(s)" in lines


def test_the_same_finger_under_another_number_is_a_hit_and_another_persons_is_not(
    post_case: Callable[..., dict[str, Any]],
    database: Database,
    settings: BackendSettings,
) -> None:
    first = post_case(1, [finger_capture("right_index", "afisA_1")], personal_number=person(1))
    own_again = post_case(2, [finger_capture("right_index", "afisA_1")], personal_number=person(1))
    stranger = post_case(3, [finger_capture("right_index", "afisB_1")], personal_number=person(2))
    impostor = post_case(4, [finger_capture("right_index", "afisA_1")], personal_number=person(3))
    other_finger = post_case(
        5, [finger_capture("left_index", "afisA_1")], personal_number=person(4)
    )

    hits = _hits(database, impostor["case_number"])
    assert {hit.other_case_number for hit in hits} == {
        first["case_number"],
        own_again["case_number"],
    }
    assert all(hit.finger == "right_index" for hit in hits)
    assert all(hit.score >= settings.fingerprint_match.threshold for hit in hits)
    assert _case(database, impostor["case_number"]).needs_officer_review is True
    # the applicant's own earlier case, another person's finger, another finger position
    for quiet in (own_again, stranger, other_finger):
        assert _hits(database, quiet["case_number"]) == []
    assert _case(database, stranger["case_number"]).needs_officer_review is False

    text = show_case_identity_command(settings, impostor["case_number"])
    assert "fingerprints: 1 given, 0 exception(s), 2 hit(s)" in text
    assert f"hit: case {first['case_number']}, personal number {person(1)}" in text
    assert "minutiae" in text


def test_the_gallery_stays_current_across_app_instances(
    settings: BackendSettings,
    post_case: Callable[..., dict[str, Any]],
    database: Database,
) -> None:
    with (
        TestClient(create_app(settings)) as first_app,
        TestClient(create_app(settings)) as second_app,
    ):
        one = post_case(1, [finger_capture("right_thumb", "nbisP1_1")], first_app, text="a")
        two = post_case(2, [finger_capture("right_thumb", "nbisP1_1")], second_app, text="b")
        three = post_case(3, [finger_capture("right_thumb", "nbisP1_1")], first_app, text="c")
        gallery = first_app.app.state.fingerprint_search.gallery

    # no personal number: nobody's earlier case can be told to be the applicant's own
    assert {h.other_case_number for h in _hits(database, two["case_number"])} == {
        one["case_number"]
    }
    assert {h.other_case_number for h in _hits(database, three["case_number"])} == {
        one["case_number"],
        two["case_number"],
    }
    with database.reading() as session:
        report = fingerprint_report(
            session, three["case_number"], DataSealer.from_settings(settings)
        )
    assert [hit.other_personal_number for finger in report.fingers for hit in finger.hits] == [
        None,
        None,
    ]
    assert len(gallery) == 2  # its own third case is loaded on the next search


def test_a_repeated_submission_is_not_stored_or_searched_again(
    client: TestClient,
    kiosk_headers: dict[str, str],
    make_submission: Submission,
    post_case: Callable[..., dict[str, Any]],
    database: Database,
) -> None:
    post_case(1, [finger_capture("right_index", "afisA_1")], personal_number=person(1))
    body = make_submission(
        sequence=2,
        personal_number=person(2),
        fingerprints=[finger_capture("right_index", "afisA_1")],
    )

    first = client.post(CASES, json=body, headers=kiosk_headers)
    again = client.post(CASES, json=body, headers=kiosk_headers)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["case_number"] == first.json()["case_number"]
    assert _count(database, CaseFingerprint) == 2
    assert _count(database, CaseFingerprintHit) == 1
    with database.reading() as session:
        created = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.created"))
        assert len(created.all()) == 2


def _grey_png(width: int, height: int) -> str:
    return base64.b64encode(png_bytes(np.full((height, width), 200, np.uint8))).decode()


BAD_IMAGES = {
    "not base64": ("@@not base64@@", "not valid base64"),
    "not a png": (base64.b64encode(b"GIF89a" + bytes(64)).decode(), "not a PNG"),
    "truncated png": (
        base64.b64encode(reader_png("afisA_1")[:400]).decode(),
        "damaged PNG",
    ),
    "too small": (_grey_png(60, 300), "60x300 pixels"),
    "too large": (_grey_png(1200, 300), "1200x300 pixels"),
}


@pytest.mark.parametrize("image_png, reason", BAD_IMAGES.values(), ids=BAD_IMAGES.keys())
def test_an_unusable_image_is_422_stores_nothing_and_can_be_sent_again_fixed(
    client: TestClient,
    kiosk_headers: dict[str, str],
    make_submission: Submission,
    database: Database,
    image_png: str,
    reason: str,
) -> None:
    good = finger_capture("right_index", "afisA_1")
    body = make_submission(
        sequence=1,
        fingerprints=[good, finger_capture("left_index", "afisB_1", image_png=image_png)],
    )

    refused = client.post(CASES, json=body, headers=kiosk_headers)

    assert refused.status_code == 422
    assert refused.json()["error"] == "fingerprint_image_invalid"
    assert "left_index" in refused.json()["detail"] and reason in refused.json()["detail"]
    assert _count(database, Case) == 0 and _count(database, CaseFingerprint) == 0
    body["fingerprints"][1] = finger_capture("left_index", "afisB_1")
    assert client.post(CASES, json=body, headers=kiosk_headers).status_code == 201
    assert _count(database, CaseFingerprint) == 2


def test_the_case_route_takes_ten_fingers_but_not_more_than_its_limit(
    client: TestClient,
    kiosk_headers: dict[str, str],
    make_submission: Submission,
    settings: BackendSettings,
    database: Database,
) -> None:
    names = ["afisA_1", "afisA_2", "afisB_1", "nbisP1_1", "nbisP1_2"] * 2
    fingers = [
        "right_thumb", "right_index", "right_middle", "right_ring", "right_little",
        "left_thumb", "left_index", "left_middle", "left_ring", "left_little",
    ]  # fmt: skip
    body = make_submission(
        sequence=1,
        fingerprints=[finger_capture(f, n) for f, n in zip(fingers, names, strict=True)],
    )
    assert len(json.dumps(body)) > settings.max_body_bytes  # over the default limit

    accepted = client.post(CASES, json=body, headers=kiosk_headers)
    assert accepted.status_code == 201, accepted.text
    assert _count(database, CaseFingerprint) == 10

    oversized = b'{"text": "' + b"x" * settings.max_case_body_bytes + b'"}'
    headers = {**kiosk_headers, "Content-Type": "application/json"}
    response = client.post(CASES, content=oversized, headers=headers)
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"
