"""Minutiae matching on the shared prints, as stored and through the reader, and under motion."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from biometrics.fingerprint import (
    FingerprintMatcher,
    FingerprintTemplate,
    PreparedTemplate,
    extract_template,
    match_score,
    prepare_template,
)
from config.fingerprint import FingerprintMatchSettings
from devices.fingerprint.finger_images import load_finger_image
from tests.biometrics.fingerprint.samples import (
    FINGER_NAMES,
    pairs,
    sensor_image,
    stored_image,
)

THRESHOLD = FingerprintMatchSettings().threshold


@pytest.fixture(scope="module")
def stored_templates() -> dict[str, FingerprintTemplate]:
    return {name: extract_template(stored_image(name)) for name in FINGER_NAMES}


@pytest.fixture(scope="module")
def sensor_templates() -> dict[str, FingerprintTemplate]:
    return {name: extract_template(sensor_image(name)) for name in FINGER_NAMES}


def test_the_shared_set_has_seven_genuine_and_29_impostor_pairs() -> None:
    assert (len(pairs(True)), len(pairs(False))) == (7, 29)


@pytest.mark.parametrize("source", ["stored_templates", "sensor_templates"])
def test_genuine_pairs_match_and_impostors_do_not(source: str, request) -> None:
    templates = request.getfixturevalue(source)
    genuine = {(a, b): match_score(templates[a], templates[b]) for a, b in pairs(True)}
    impostor = {(a, b): match_score(templates[a], templates[b]) for a, b in pairs(False)}
    assert min(genuine.values()) >= THRESHOLD, genuine
    assert max(impostor.values()) < THRESHOLD, max(impostor.items(), key=lambda item: item[1])


@pytest.mark.parametrize("source", ["stored_templates", "sensor_templates"])
def test_genuine_scores_are_at_least_twice_the_impostor_scores(source: str, request) -> None:
    templates = request.getfixturevalue(source)
    lowest_genuine = min(match_score(templates[a], templates[b]) for a, b in pairs(True))
    highest_impostor = max(match_score(templates[a], templates[b]) for a, b in pairs(False))
    assert lowest_genuine >= 2 * highest_impostor, (lowest_genuine, highest_impostor)


def test_scores_are_symmetric_enough(sensor_templates) -> None:
    for a, b in pairs(True) + pairs(False)[:5]:
        forward = match_score(sensor_templates[a], sensor_templates[b])
        backward = match_score(sensor_templates[b], sensor_templates[a])
        assert abs(forward - backward) <= 0.25 * max(forward, backward) + 0.01


def _turned_and_shifted(image: np.ndarray, degrees: float, shift: tuple[int, int]) -> np.ndarray:
    height, width = image.shape
    transform = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    transform[:, 2] += shift
    return cv2.warpAffine(image, transform, (width, height), borderValue=255)


@pytest.mark.parametrize("degrees", [15, 20, -20, 30, -30])
def test_a_turned_and_shifted_copy_matches_its_original(degrees: float, sensor_templates) -> None:
    moved = _turned_and_shifted(load_finger_image("nbisP2_1"), degrees, (12, -9))
    moved_template = extract_template(moved)
    assert match_score(sensor_templates["nbisP2_1"], moved_template) >= THRESHOLD
    for other in ("nbisP1_1", "afisA_2"):
        assert match_score(sensor_templates[other], moved_template) < THRESHOLD


def test_two_different_crops_of_one_finger_match() -> None:
    image = cv2.cvtColor(stored_image("nbisP2_2"), cv2.COLOR_BGRA2GRAY)
    upper, lower = image[40:328, 60:316], image[150:438, 90:346]
    assert match_score(extract_template(upper), extract_template(lower)) >= THRESHOLD


def test_an_empty_template_scores_zero(sensor_templates) -> None:
    empty = FingerprintTemplate(256, 288, ())
    some = sensor_templates["afisA_1"]
    assert match_score(empty, some) == 0.0
    assert match_score(some, empty) == 0.0
    assert match_score(empty, empty) == 0.0


def test_a_template_matches_itself_fully(sensor_templates) -> None:
    template = sensor_templates["nbisP1_3"]
    assert match_score(template, template) == pytest.approx(1.0)


def test_a_prepared_matcher_agrees_with_match_score(sensor_templates) -> None:
    probe = sensor_templates["nbisP1_1"]
    matcher = FingerprintMatcher(probe)
    for _name, candidate in sensor_templates.items():
        assert matcher.score(candidate) == match_score(probe, candidate)
        assert matcher.is_match(candidate) == (match_score(probe, candidate) >= THRESHOLD)
    assert matcher.is_match(sensor_templates["nbisP1_2"])


def test_prepared_candidates_score_as_templates_do(sensor_templates) -> None:
    names = sorted(sensor_templates)
    prepared = {name: prepare_template(sensor_templates[name]) for name in names}
    for probe in names[:3]:
        matcher = FingerprintMatcher(sensor_templates[probe])
        prepared_matcher = FingerprintMatcher(prepared[probe])
        for name in names:
            expected = matcher.score(sensor_templates[name])
            assert matcher.score(prepared[name]) == expected
            assert prepared_matcher.score(prepared[name]) == expected
            assert match_score(prepared[probe], sensor_templates[name]) == expected


def test_a_prepared_template_is_reused_only_for_the_same_neighbours(sensor_templates) -> None:
    template = sensor_templates["nbisP2_1"]
    prepared = prepare_template(template)
    assert isinstance(prepared, PreparedTemplate)
    assert prepare_template(prepared) is prepared
    fewer = FingerprintMatchSettings(neighbours=5)
    reprepared = prepare_template(prepared, fewer)
    assert reprepared.neighbours == 5 and reprepared.template is template
    candidate = sensor_templates["nbisP2_2"]
    assert FingerprintMatcher(candidate, fewer).score(prepared) == match_score(
        candidate, template, fewer
    )
