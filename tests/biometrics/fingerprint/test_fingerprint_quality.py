"""Fingerprint quality: real prints pass, other pictures and the reader's faults are refused."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest

from biometrics.fingerprint import FingerprintIssue, assess_fingerprint
from devices.fingerprint.finger_images import (
    empty_glass,
    faint_image,
    load_finger_image,
    partial_image,
    smudged_image,
)
from devices.fingerprint.protocol import quantise
from tests.biometrics.fingerprint.samples import (
    FINGER_NAMES,
    NEGATIVE_PATHS,
    sensor_image,
    sensor_sized,
    stored_image,
)

NOT_FINGERS = {FingerprintIssue.NOT_A_FINGERPRINT, FingerprintIssue.NO_FINGER}


def test_the_shared_sets_are_there() -> None:
    assert len(FINGER_NAMES) == 9
    assert len(NEGATIVE_PATHS) == 3


@pytest.mark.parametrize("name", FINGER_NAMES)
def test_every_stored_finger_image_is_acceptable(name: str) -> None:
    quality = assess_fingerprint(stored_image(name))
    assert quality.acceptable, (quality.issues, quality.features)
    assert quality.score >= 60


@pytest.mark.parametrize("name", FINGER_NAMES)
def test_every_finger_image_from_the_reader_is_acceptable(name: str) -> None:
    quality = assess_fingerprint(sensor_image(name))
    assert quality.acceptable, (quality.issues, quality.features)


@pytest.mark.parametrize("path", NEGATIVE_PATHS, ids=lambda p: p.name)
def test_pictures_without_ridges_are_not_fingerprints(path) -> None:
    colour = cv2.imread(str(path), cv2.IMREAD_COLOR)
    grey = cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY)
    height, width = grey.shape
    top, left = (height - 288) // 2, (width - 256) // 2
    for image in (colour, grey, sensor_sized(grey), grey[top : top + 288, left : left + 256]):
        quality = assess_fingerprint(image)
        assert not quality.acceptable
        assert quality.issues[0] in NOT_FINGERS, (quality.issues, quality.features)


@pytest.mark.parametrize(
    "glass", [empty_glass(), quantise(empty_glass()), np.full((288, 256), 255, np.uint8)]
)
def test_empty_glass_is_no_finger(glass: np.ndarray) -> None:
    quality = assess_fingerprint(glass)
    assert quality.issues == (FingerprintIssue.NO_FINGER,)
    assert quality.score == 0


@pytest.mark.parametrize(
    ("fault", "issue"),
    [
        (faint_image, FingerprintIssue.LOW_CONTRAST),
        (smudged_image, FingerprintIssue.SMUDGED),
        (partial_image, FingerprintIssue.TOO_SMALL_AREA),
    ],
)
@pytest.mark.parametrize("name", FINGER_NAMES)
def test_each_reader_fault_is_named(fault, issue: FingerprintIssue, name: str) -> None:
    for image in (fault(load_finger_image(name)), quantise(fault(load_finger_image(name)))):
        quality = assess_fingerprint(image)
        assert quality.issues[:1] == (issue,), (quality.issues, quality.features)


@pytest.mark.parametrize("name", FINGER_NAMES)
def test_a_clean_print_scores_above_a_faint_one(name: str) -> None:
    clean = assess_fingerprint(sensor_image(name))
    faint = assess_fingerprint(quantise(faint_image(load_finger_image(name))))
    assert clean.score > faint.score + 30


def test_features_describe_a_fingerprint() -> None:
    features = assess_fingerprint(sensor_image("afisA_1")).features
    assert 0.5 < features.foreground_share <= 1
    assert 0.5 < features.coherence <= 1
    # 500 dpi ridges are 0.4..0.55 mm apart: 8..11 pixels
    assert 1 / 12 < features.ridge_frequency < 1 / 7


def test_assessing_a_reader_image_is_fast() -> None:
    image = sensor_image("nbisP2_2")
    assess_fingerprint(image)
    cv2.setNumThreads(1)
    try:
        start = time.perf_counter()
        for _ in range(5):
            assess_fingerprint(image)
        elapsed = (time.perf_counter() - start) / 5
    finally:
        cv2.setNumThreads(-1)
    assert elapsed < 0.15


def test_a_finger_on_a_large_scan_is_not_too_small() -> None:
    grey = cv2.cvtColor(stored_image("nbisP2_1"), cv2.COLOR_BGRA2GRAY)
    scan = cv2.copyMakeBorder(grey, 250, 250, 300, 300, cv2.BORDER_CONSTANT, value=255)
    assert scan.shape == (1000, 1000)
    quality = assess_fingerprint(scan)
    assert quality.acceptable, (quality.issues, quality.features)


@pytest.mark.parametrize("shape", [(5, 5), (20, 300)])
def test_images_smaller_than_a_block_hold_no_finger(shape: tuple[int, int]) -> None:
    assert assess_fingerprint(np.full(shape, 128, np.uint8)).issues == (FingerprintIssue.NO_FINGER,)


def test_noise_is_not_a_fingerprint() -> None:
    noise = np.random.default_rng(3).integers(0, 256, (288, 256), dtype=np.uint8)
    assert assess_fingerprint(noise).issues[0] is FingerprintIssue.NOT_A_FINGERPRINT
