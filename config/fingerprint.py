"""Thresholds of fingerprint capture quality and minutiae matching."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FingerprintQualitySettings(BaseModel):
    """Limits of the fingerprint quality checks, for ~500 dpi grey images.

    The analysis runs on blocks of ``block_size`` pixels. A block is foreground when its grey
    levels vary enough, and a ridge block when its gradients also agree on one direction and its
    spectrum peaks at a ridge period plausible at 500 dpi.

    Measured on the shared images (stored, reader-fitted, and the reader's simulated faults):
    ridge likeness is 0.65..0.92 on prints and 0.22..0.39 on a face, a landscape and a portrait
    (0.5 between); contrast is 52..84 on prints and 7..10 on faint ones (25); the foreground mean
    is 155..211 on prints, 17..65 smudged and 88..138 on the photos (75); ridge blocks cover
    0.38..0.92 of a print and 0.11..0.14 of a partial one (0.2).
    """

    block_size: int = Field(default=16, ge=8, le=64)
    min_period_px: float = Field(default=5.0, gt=2, description="shortest ridge period")
    max_period_px: float = Field(default=15.0, gt=2, description="longest ridge period")
    foreground_min_std: float = Field(
        default=2.0, gt=0, description="grey-level spread of a lightly blurred block with content"
    )
    no_finger_max_share: float = Field(
        default=0.06, ge=0, le=1, description="at most this share of foreground is empty glass"
    )
    ridge_min_coherence: float = Field(default=0.35, ge=0, le=1)
    ridge_min_band_share: float = Field(
        default=0.25, ge=0, le=1, description="of a block's spectral energy at ridge periods"
    )
    min_ridge_likeness: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="mean of the ridge share of foreground blocks and their median band share",
    )
    min_ridge_area_share: float = Field(
        default=0.2, ge=0, le=1, description="of the image covered by ridge blocks"
    )
    min_ridge_area_px: int = Field(
        default=20000,
        ge=0,
        description="or this many pixels of ridge blocks (0.5 cm2 at 500 dpi), whichever is less",
    )
    min_contrast: float = Field(
        default=25.0, ge=0, description="grey-level spread of the ridge blocks, at least"
    )
    smudged_max_mean: float = Field(
        default=75.0, ge=0, le=255, description="a darker finger area is wet or smudged"
    )
    min_score: int = Field(
        default=40, ge=0, le=100, description="below, the weakest measure is reported as the issue"
    )


class FingerprintMatchSettings(BaseModel):
    """When two minutiae templates count as one finger, and the tolerances of pairing.

    Measured on the shared prints (benchmarks/fingerprint_match.py), lowest genuine / highest
    impostor score: 0.193 / 0.012 as stored; 0.220 / 0.012 through the reader's 256x288 4-bit
    crop, where two impressions of a finger may share only a third of their area; 0.079 / 0.012
    with every genuine pair's second image also turned (-30..30 degrees in steps of 5) and
    shifted (``--rotate``). ``threshold`` sits near the middle of that span, nearer the impostors
    by ratio (3.6x above them, 1.75x below the stressed genuine scores) as a 1:N search meets far
    more impostors than genuine prints.
    """

    threshold: float = Field(
        default=0.045, ge=0, description="match_score at or above: same finger"
    )
    neighbours: int = Field(default=8, ge=2, le=12, description="per local structure")
    local_distance_tolerance: float = Field(default=6.0, gt=0, description="pixels")
    local_angle_tolerance: float = Field(default=0.3, gt=0, description="radians")
    max_rotation: float = Field(
        default=0.8, gt=0, description="radians between two placements of a finger, at most"
    )
    candidate_alignments: int = Field(default=24, ge=1, description="top local pairs tried")
    pair_distance_tolerance: float = Field(default=14.0, gt=0, description="pixels")
    pair_angle_tolerance: float = Field(default=0.35, gt=0, description="radians")
    pair_weight_power: float = Field(
        default=2.0, ge=0, description="a pair weighs its local agreement to this power"
    )
    overlap_floor_share: float = Field(
        default=0.5, ge=0, le=1, description="overlap counts are at least this share of a template"
    )
    refinements: int = Field(default=1, ge=0, le=5, description="least-squares rounds")
    refined: int = Field(default=5, ge=1, description="best alignments refined each round")
    min_minutiae: int = Field(default=4, ge=1, description="fewer in a template scores 0")
