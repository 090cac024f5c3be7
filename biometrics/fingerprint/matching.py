"""Minutiae matching: rotation-invariant local structures, then one global alignment.

Each minutia is described by its nearest neighbours (distance, bearing and direction relative to
its own direction), which survives any turn and shift of the finger. The best-agreeing pairs of
local structures each propose an alignment; under each, minutiae pair with their mutual nearest
neighbour within a distance and angle tolerance, and a pair counts by how well the two local
structures agree, so chance pairs of unrelated prints weigh little.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from biometrics.fingerprint.template import FingerprintTemplate
from config.fingerprint import FingerprintMatchSettings


@dataclass(frozen=True, eq=False)
class PreparedTemplate:
    """A template's minutiae as arrays with the local structure of each: the part of a
    comparison that depends on one template only, worth keeping for templates compared often."""

    template: FingerprintTemplate
    neighbours: int
    xy: np.ndarray  # (n, 2) float
    angle: np.ndarray  # (n,)
    local: np.ndarray  # (n, k, 5): neighbour distance, cos and sin of relative bearing and
    # of relative direction (cosines and sines compare angles without wrapping them)
    hull: np.ndarray  # (h, 2) convex hull of the minutiae: the print's area, roughly
    direction: np.ndarray  # (n, 2) cos and sin of each angle

    @classmethod
    def of(cls, template: FingerprintTemplate, neighbours: int) -> PreparedTemplate:
        xy = np.array([(m.x, m.y) for m in template.minutiae], np.float64).reshape(-1, 2)
        angle = np.array([m.angle for m in template.minutiae], np.float64)
        count = len(angle)
        k = min(neighbours, max(count - 1, 0))
        local = np.zeros((count, k, 5), np.float32)
        if k:
            offset = xy[None, :, :] - xy[:, None, :]
            distance = np.hypot(offset[..., 0], offset[..., 1])
            np.fill_diagonal(distance, np.inf)
            nearest = np.argsort(distance, axis=1)[:, :k]
            rows = np.arange(count)[:, None]
            near_offset = offset[rows, nearest]
            bearing = np.arctan2(near_offset[..., 1], near_offset[..., 0]) - angle[:, None]
            turn = angle[nearest] - angle[:, None]
            local[..., 0] = distance[rows, nearest]
            local[..., 1], local[..., 2] = np.cos(bearing), np.sin(bearing)
            local[..., 3], local[..., 4] = np.cos(turn), np.sin(turn)
        hull = cv2.convexHull(xy.astype(np.float32))[:, 0, :] if count >= 3 else np.zeros((0, 2))
        direction = np.stack((np.cos(angle), np.sin(angle)), axis=-1)
        return cls(template, neighbours, xy, angle, local, hull.astype(np.float64), direction)


def prepare_template(
    template: FingerprintTemplate | PreparedTemplate,
    settings: FingerprintMatchSettings | None = None,
) -> PreparedTemplate:
    """``template`` ready for ``FingerprintMatcher.score``; a prepared one is returned as is
    when it was prepared for the same number of neighbours."""
    neighbours = (settings or FingerprintMatchSettings()).neighbours
    if isinstance(template, PreparedTemplate):
        if template.neighbours == neighbours:
            return template
        template = template.template
    return PreparedTemplate.of(template, neighbours)


class FingerprintMatcher:
    """Compares one probe template with many candidates; the probe is prepared once."""

    def __init__(
        self,
        probe: FingerprintTemplate | PreparedTemplate,
        settings: FingerprintMatchSettings | None = None,
    ) -> None:
        self.settings = settings or FingerprintMatchSettings()
        self._probe = prepare_template(probe, self.settings)

    def score(self, candidate: FingerprintTemplate | PreparedTemplate) -> float:
        """Similarity 0..1: paired minutiae, each weighted by the agreement of its two local
        structures (squared by default), over the geometric mean of both overlap counts.

        Only minutiae inside the other print's area (after alignment) can pair, so each count is
        of those; it is floored at a share of the whole template lest a sliver of overlap with a
        few chance pairs score high.
        """
        settings = self.settings
        probe = self._probe
        other = prepare_template(candidate, settings)
        if min(len(probe.angle), len(other.angle)) < settings.min_minutiae:
            return 0.0
        local = self._local_similarity(probe, other)
        order = np.argsort(local, axis=None, kind="stable")[::-1][: settings.candidate_alignments]
        order = order[local.flat[order] > 0]
        if order.size == 0:
            return 0.0
        anchors_probe, anchors_other = np.unravel_index(order, local.shape)
        turn = other.angle[anchors_other] - probe.angle[anchors_probe]
        shift = other.xy[anchors_other] - _rotate(probe.xy[anchors_probe][:, None, :], turn)[:, 0]
        alignment = self._align(probe, other, local, turn, shift)
        for _ in range(settings.refinements):
            alignment = self._refine(probe, other, local, alignment)
        # the alignment that pairs the most decides (the best normalised of equals); its own
        # overlap normalises it, so only those need their overlap measured
        best = np.nonzero(alignment.paired == alignment.paired.max())[0]
        turn, shift = alignment.turn[best], alignment.shift[best]
        probe_inside = _inside(other.hull, _rotate(probe.xy[None], turn) + shift[:, None, :])
        other_inside = _inside(probe.hull, _rotate(other.xy[None] - shift[:, None, :], -turn))
        floor = settings.overlap_floor_share
        probe_count = np.maximum(probe_inside, max(floor * len(probe.angle), 1))
        other_count = np.maximum(other_inside, max(floor * len(other.angle), 1))
        scores = alignment.paired[best] / np.sqrt(probe_count * other_count)
        return float(min(1.0, scores.max()))

    def is_match(self, candidate: FingerprintTemplate | PreparedTemplate) -> bool:
        return self.score(candidate) >= self.settings.threshold

    def _local_similarity(self, probe: PreparedTemplate, other: PreparedTemplate) -> np.ndarray:
        """(n_probe, n_candidate): share of neighbours that agree in both local structures, 0
        for minutiae further apart in direction than a finger turns on the glass."""
        settings = self.settings
        similarity = np.zeros((len(probe.angle), len(other.angle)))
        # a finger on the glass turns a little; pairs that need more are chance agreements
        turn_apart = np.cos(other.angle[None, :] - probe.angle[:, None])
        rows, cols = np.nonzero(turn_apart >= np.cos(settings.max_rotation))
        k = max(probe.local.shape[1], other.local.shape[1], 1)
        if rows.size == 0 or min(probe.local.shape[1], other.local.shape[1]) == 0:
            return similarity
        a = probe.local[rows][:, :, None, :]  # (p, k, 1, 5)
        b = other.local[cols][:, None, :, :]  # (p, 1, k, 5)
        min_cos = np.float32(np.cos(settings.local_angle_tolerance))
        agree = (
            (np.abs(a[..., 0] - b[..., 0]) <= settings.local_distance_tolerance)
            & (a[..., 1] * b[..., 1] + a[..., 2] * b[..., 2] >= min_cos)
            & (a[..., 3] * b[..., 3] + a[..., 4] * b[..., 4] >= min_cos)
        )
        shared = np.minimum(agree.any(axis=2).sum(axis=1), agree.any(axis=1).sum(axis=1))
        similarity[rows, cols] = shared / k
        return similarity

    def _align(
        self,
        probe: PreparedTemplate,
        other: PreparedTemplate,
        local: np.ndarray,
        turn: np.ndarray,
        shift: np.ndarray,
    ) -> _Alignments:
        """Pair minutiae under each transform (turn (t,), shift (t, 2)): mutual nearest within
        the tolerances, each pair weighted by the agreement of its local structures."""
        settings = self.settings
        moved = _rotate(probe.xy[None, :, :], turn) + shift[:, None, :]  # (t, n, 2)
        offset = moved[:, :, None, :] - other.xy[None, None, :, :]
        distance = offset[..., 0] ** 2 + offset[..., 1] ** 2  # (t, n, m), squared
        # cos(probe angle + turn - candidate angle), from products of cosines and sines
        turned = probe.angle[None, :] + turn[:, None]  # (t, n)
        angle_agreement = (
            np.cos(turned)[:, :, None] * other.direction[None, None, :, 0]
            + np.sin(turned)[:, :, None] * other.direction[None, None, :, 1]
        )
        close = (distance <= settings.pair_distance_tolerance**2) & (
            angle_agreement >= np.cos(settings.pair_angle_tolerance)
        )
        distance = np.where(close, distance, np.inf)
        nearest_other = distance.argmin(axis=2)  # (t, n)
        nearest_probe = distance.argmin(axis=1)  # (t, m)
        alignments = np.arange(len(turn))[:, None]
        rows = np.arange(len(probe.angle))[None, :]
        mutual = np.isfinite(distance[alignments, rows, nearest_other]) & (
            nearest_probe[alignments, nearest_other] == rows
        )
        paired = np.where(
            mutual, local[rows, nearest_other] ** settings.pair_weight_power, 0.0
        ).sum(axis=1)
        return _Alignments(turn, shift, paired, mutual, nearest_other)

    def _refine(
        self,
        probe: PreparedTemplate,
        other: PreparedTemplate,
        local: np.ndarray,
        alignment: _Alignments,
    ) -> _Alignments:
        """The alignments plus, for the best few, the least-squares fit to their pairs."""
        best = np.argsort(alignment.paired, kind="stable")[::-1][: self.settings.refined]
        turns, shifts = [], []
        for index in best:
            rows = np.nonzero(alignment.mutual[index])[0]
            if len(rows) >= 3:
                cols = alignment.nearest_other[index, rows]
                turn, shift = _rigid_fit(probe.xy[rows], other.xy[cols])
                turns.append(turn)
                shifts.append(shift)
        if not turns:
            return alignment
        refined = self._align(probe, other, local, np.array(turns), np.array(shifts))
        return _Alignments.joined(alignment, refined)


@dataclass(frozen=True)
class _Alignments:
    """Candidate transforms of the probe onto the candidate and the pairs each gives."""

    turn: np.ndarray  # (t,)
    shift: np.ndarray  # (t, 2)
    paired: np.ndarray  # (t,) weighted pair count
    mutual: np.ndarray  # (t, n) probe minutia is paired
    nearest_other: np.ndarray  # (t, n) its candidate minutia

    @classmethod
    def joined(cls, first: _Alignments, second: _Alignments) -> _Alignments:
        return cls(
            *(
                np.concatenate((getattr(first, name), getattr(second, name)))
                for name in cls.__dataclass_fields__
            )
        )


def _rotate(points: np.ndarray, turn: np.ndarray) -> np.ndarray:
    """Points (t, p, 2) or (1, p, 2) turned by each of ``turn`` (t,) about the origin."""
    cos, sin = np.cos(turn)[:, None], np.sin(turn)[:, None]
    x, y = points[..., 0], points[..., 1]
    return np.stack((cos * x - sin * y, sin * x + cos * y), axis=-1)


def _rigid_fit(source: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Least-squares turn and shift taking ``source`` points (p, 2) onto ``target`` points."""
    source_mean, target_mean = source.mean(axis=0), target.mean(axis=0)
    a, b = source - source_mean, target - target_mean
    turn = float(np.arctan2((a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]).sum(), (a * b).sum()))
    moved_mean = _rotate(source_mean[None, None, :], np.array([turn]))[0, 0]
    return turn, target_mean - moved_mean


def _inside(hull: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Per row of ``points`` (..., p, 2): how many lie inside the convex polygon ``hull``."""
    if len(hull) < 3:
        return np.zeros(points.shape[:-2], np.int64)
    start = hull[None, :, :]
    edge = np.roll(hull, -1, axis=0)[None, :, :] - start
    relative = points[..., :, None, :] - start  # (..., p, h, 2)
    cross = edge[..., 0] * relative[..., 1] - edge[..., 1] * relative[..., 0]
    # inside a convex polygon, a point is on the same side of every edge
    inside = (cross >= 0).all(axis=-1) | (cross <= 0).all(axis=-1)
    return inside.sum(axis=-1)


def match_score(
    probe: FingerprintTemplate | PreparedTemplate,
    candidate: FingerprintTemplate | PreparedTemplate,
    settings: FingerprintMatchSettings | None = None,
) -> float:
    """Similarity of two templates, higher for the same finger (0 when either is nearly empty)."""
    return FingerprintMatcher(probe, settings).score(candidate)
