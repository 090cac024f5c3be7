"""Fingerprint quality, minutiae templates and matching on 500 dpi grey images."""

from biometrics.fingerprint.matching import (
    FingerprintMatcher,
    PreparedTemplate,
    match_score,
    prepare_template,
)
from biometrics.fingerprint.minutiae import Minutia, MinutiaKind
from biometrics.fingerprint.quality import (
    FingerprintIssue,
    FingerprintQuality,
    QualityFeatures,
    assess_fingerprint,
)
from biometrics.fingerprint.template import FingerprintTemplate, extract_template

__all__ = [
    "FingerprintIssue",
    "FingerprintMatcher",
    "FingerprintQuality",
    "FingerprintTemplate",
    "Minutia",
    "MinutiaKind",
    "PreparedTemplate",
    "QualityFeatures",
    "assess_fingerprint",
    "extract_template",
    "match_score",
    "prepare_template",
]
