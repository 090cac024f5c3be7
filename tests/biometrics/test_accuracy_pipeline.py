"""Verification accuracy of the backend's face pipeline on the shared photos of real people."""

from __future__ import annotations

from pathlib import Path

import pytest

from biometrics.face.encoding import RefusalReason
from biometrics.face.evaluation import (
    AccuracyReport,
    EncodedPhoto,
    encode_photo,
    evaluate,
    person_of,
)
from biometrics.face.matching import MatchDecision
from config.face import FaceMatchSettings
from config.settings import PROJECT_ROOT

FACES = PROJECT_ROOT.parent / "shared" / "data" / "faces"


def encode_folder(folder: Path, settings: FaceMatchSettings) -> list[EncodedPhoto]:
    paths = sorted(folder.glob("*.jpg")) + sorted(folder.glob("*.png"))
    assert paths, f"no photos in {folder}"
    return [encode_photo(path.stem, path.read_bytes(), settings) for path in paths]


@pytest.fixture(scope="module")
def people() -> list[EncodedPhoto]:
    return encode_folder(FACES / "people", FaceMatchSettings())


@pytest.fixture(scope="module")
def report(people: list[EncodedPhoto]) -> AccuracyReport:
    return evaluate(people, FaceMatchSettings())


def test_every_pair_of_people_is_formed(people: list[EncodedPhoto], report: AccuracyReport) -> None:
    persons = [photo.person for photo in people]
    counts = [persons.count(person) for person in set(persons)]
    genuine = sum(count * (count - 1) // 2 for count in counts)
    total = len(people) * (len(people) - 1) // 2
    assert len(report.genuine_pairs) == genuine > 0
    assert len(report.impostor_pairs) == total - genuine > 0
    assert {photo.person for photo in people} >= {"obama", "biden", "lacamoire", "leslie"}


def test_no_stranger_is_verified(report: AccuracyReport) -> None:
    assert report.false_accepts == 0
    assert all(pair.decision is MatchDecision.NOT_VERIFIED for pair in report.impostor_pairs)
    assert report.impostor_margin is not None and report.impostor_margin > 0


def test_few_genuine_pairs_are_rejected(report: AccuracyReport) -> None:
    genuine = len(report.genuine_pairs)
    assert report.false_rejects <= 0.03 * genuine
    # a genuine pair in review is not accepted: it is one of the false rejects
    assert len(report.in_review(genuine=True)) <= report.false_rejects
    assert report.summary_line() == (
        f"false_accepts=0 false_rejects={report.false_rejects} genuine={genuine} "
        f"impostor={len(report.impostor_pairs)} threshold=0.50"
    )


def test_a_refused_photo_is_a_false_reject_in_its_genuine_pairs(
    people: list[EncodedPhoto],
) -> None:
    refused = EncodedPhoto("obama_99", "obama", 0.0, refusal=RefusalReason.FACE_TOO_SMALL)
    report = evaluate([*people, refused], FaceMatchSettings())
    baseline = evaluate(people, FaceMatchSettings())
    obama_photos = sum(photo.person == "obama" for photo in people)
    assert report.false_rejects == baseline.false_rejects + obama_photos
    assert len(report.refused(genuine=True)) == obama_photos
    assert report.false_accepts == 0


def test_group_photos_are_refused_as_multiple_faces() -> None:
    photos = encode_folder(FACES / "multi", FaceMatchSettings())
    assert [photo.refusal for photo in photos] == [RefusalReason.MULTIPLE_FACES] * len(photos)
    report = evaluate(photos, FaceMatchSettings())
    assert report.false_accepts == 0
    assert report.genuine_pairs == []
    assert report.false_non_match_rate is None


def test_person_is_the_name_before_the_number() -> None:
    assert person_of("obama_10") == "obama"
    assert person_of("van_der_berg_2") == "van_der_berg"
    assert person_of("harington_with_leslie") == "harington_with_leslie"
    assert person_of("selfie") == "selfie"
