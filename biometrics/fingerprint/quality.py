"""Is an image a usable fingerprint? Block-wise measurements in the spirit of NFIQ 2."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np

from biometrics.fingerprint.image import to_grey
from biometrics.fingerprint.orientation import BlockField, block_field
from config.fingerprint import FingerprintQualitySettings

# sensor and JPEG noise is white; a light blur removes most of it and keeps 5..15 px ridges
_NOISE_BLUR_SIGMA = 1.5


class FingerprintIssue(StrEnum):
    """Why a capture is refused, most important first."""

    NO_FINGER = "no_finger"
    NOT_A_FINGERPRINT = "not_a_fingerprint"
    TOO_SMALL_AREA = "too_small_area"
    LOW_CONTRAST = "low_contrast"
    SMUDGED = "smudged"


_ISSUE_ORDER = list(FingerprintIssue)


@dataclass(frozen=True)
class QualityFeatures:
    """Measured figures of one image; shares are of all blocks unless named otherwise."""

    foreground_share: float  # blocks holding anything but empty glass
    ridge_share: float  # blocks with a clear ridge pattern
    ridge_area_px: int  # pixels of those blocks
    ridge_per_foreground: float  # ridge blocks among foreground blocks
    band_share: float  # median spectral energy share at ridge periods, foreground blocks
    ridge_likeness: float  # mean of ridge_per_foreground and band_share
    coherence: float  # median orientation coherence of the ridge blocks
    ridge_frequency: float  # median ridges per pixel of the ridge blocks (0 if none)
    contrast: float  # median grey-level standard deviation of the ridge blocks
    foreground_mean: float  # mean grey level of the foreground blocks


@dataclass(frozen=True)
class FingerprintQuality:
    """The verdict on one capture: a 0..100 score and the reasons to refuse it."""

    score: int
    issues: tuple[FingerprintIssue, ...]
    features: QualityFeatures

    @property
    def acceptable(self) -> bool:
        return not self.issues


def _median(values: np.ndarray) -> float:
    return float(np.median(values)) if values.size else 0.0


def measure_features(
    grey: np.ndarray, settings: FingerprintQualitySettings
) -> tuple[QualityFeatures, BlockField, np.ndarray]:
    """Features of a grey image, its block field and the mask of its ridge blocks."""
    field = block_field(grey, settings.block_size, settings.min_period_px, settings.max_period_px)
    smooth = cv2.GaussianBlur(grey, (0, 0), _NOISE_BLUR_SIGMA)
    smooth_std = _block_std(smooth, settings.block_size)
    foreground = smooth_std >= settings.foreground_min_std
    ridge = (
        foreground
        & (field.coherence >= settings.ridge_min_coherence)
        & (field.band_share >= settings.ridge_min_band_share)
    )
    total = max(foreground.size, 1)
    foreground_count = int(foreground.sum())
    ridge_per_foreground = float(ridge.sum()) / foreground_count if foreground_count else 0.0
    band_share = _median(field.band_share[foreground])
    periods = field.period[ridge]
    period = _median(periods[periods > 0])
    features = QualityFeatures(
        foreground_share=foreground_count / total,
        ridge_share=float(ridge.sum()) / total,
        ridge_area_px=int(ridge.sum()) * settings.block_size**2,
        ridge_per_foreground=ridge_per_foreground,
        band_share=band_share,
        ridge_likeness=(ridge_per_foreground + band_share) / 2,
        coherence=_median(field.coherence[ridge]),
        ridge_frequency=1.0 / period if period > 0 else 0.0,
        contrast=_median(field.std[ridge]),
        foreground_mean=float(field.mean[foreground].mean()) if foreground_count else 0.0,
    )
    return features, field, ridge


def _block_std(grey: np.ndarray, block: int) -> np.ndarray:
    rows, cols = grey.shape[0] // block, grey.shape[1] // block
    tiles = grey[: rows * block, : cols * block].astype(np.float32)
    return tiles.reshape(rows, block, cols, block).std(axis=(1, 3))


def _issues(
    features: QualityFeatures, settings: FingerprintQualitySettings
) -> list[FingerprintIssue]:
    if features.foreground_share <= settings.no_finger_max_share:
        return [FingerprintIssue.NO_FINGER]
    issues = []
    ridged = features.ridge_likeness >= settings.min_ridge_likeness
    dark = features.foreground_mean < settings.smudged_max_mean
    if not ridged and not dark:
        issues.append(FingerprintIssue.NOT_A_FINGERPRINT)
    if ridged and _area_factor(features, settings) < 0.5:
        issues.append(FingerprintIssue.TOO_SMALL_AREA)
    if ridged and not dark and features.contrast < settings.min_contrast:
        issues.append(FingerprintIssue.LOW_CONTRAST)
    if dark:
        issues.append(FingerprintIssue.SMUDGED)
    return issues


def _area_factor(features: QualityFeatures, settings: FingerprintQualitySettings) -> float:
    """0..1, half at the smaller of the area limits (a share of a sensor frame or an absolute
    area, so a small finger on a large scan is not too small)."""
    by_share = features.ridge_share / settings.min_ridge_area_share
    by_pixels = features.ridge_area_px / settings.min_ridge_area_px
    return min(1.0, max(by_share, by_pixels) / 2)


def _score(features: QualityFeatures, settings: FingerprintQualitySettings) -> int:
    """0..100: each factor is 1 once comfortably past its limit."""
    ridge = np.clip(features.ridge_likeness, 0, 1)
    contrast = min(1.0, features.contrast / (2 * settings.min_contrast))
    area = _area_factor(features, settings)
    coherence = min(1.0, 0.5 + features.coherence)
    return round(100 * ridge * contrast * area * coherence)


def assess_fingerprint(
    image: np.ndarray, settings: FingerprintQualitySettings | None = None
) -> FingerprintQuality:
    """Score a fingerprint capture (dark ridges on light, ~500 dpi) and list what is wrong."""
    settings = settings or FingerprintQualitySettings()
    grey = to_grey(image)
    features, _, _ = measure_features(grey, settings)
    issues = _issues(features, settings)
    score = _score(features, settings)
    if not issues and score < settings.min_score:
        issues.append(_weakest(features, settings))
    issues.sort(key=_ISSUE_ORDER.index)
    return FingerprintQuality(score, tuple(issues), features)


def _weakest(features: QualityFeatures, settings: FingerprintQualitySettings) -> FingerprintIssue:
    margins = {
        FingerprintIssue.NOT_A_FINGERPRINT: features.ridge_likeness / settings.min_ridge_likeness,
        FingerprintIssue.TOO_SMALL_AREA: 2 * _area_factor(features, settings),
        FingerprintIssue.LOW_CONTRAST: features.contrast / max(settings.min_contrast, 1e-6),
    }
    return min(margins, key=margins.__getitem__)
