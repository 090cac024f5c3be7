"""Genuine and impostor pairs over named portraits, decided exactly as a 1:1 verification is."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from biometrics.face.encoding import (
    FaceRefused,
    PortraitTemplate,
    RefusalReason,
    decode_image,
    encode_portrait,
)
from biometrics.face.matching import MatchDecision, decide, face_distance
from config.face import FaceMatchSettings

_NUMBERED_NAME = re.compile(r"^(?P<person>.+)_\d+$")


def person_of(name: str) -> str:
    """The person in a photo named ``<person>_<n>``; any other name is a person of its own."""
    numbered = _NUMBERED_NAME.match(name)
    return numbered.group("person") if numbered else name


@dataclass(frozen=True)
class EncodedPhoto:
    """One photo after the encoding pipeline: its template, or why it was refused."""

    name: str
    person: str
    seconds: float
    template: PortraitTemplate | None = None
    refusal: RefusalReason | None = None
    detail: str = ""


def encode_photo(name: str, data: bytes, settings: FaceMatchSettings) -> EncodedPhoto:
    """Decode and encode one photo as the backend does, timing it."""
    start = time.perf_counter()
    try:
        template = encode_portrait(decode_image(data), settings)
    except FaceRefused as refused:
        seconds = time.perf_counter() - start
        return EncodedPhoto(
            name, person_of(name), seconds, refusal=refused.reason, detail=str(refused)
        )
    return EncodedPhoto(name, person_of(name), time.perf_counter() - start, template=template)


@dataclass(frozen=True)
class PairOutcome:
    """The decision on two photos; ``distance`` is None when either photo was refused."""

    first: str
    second: str
    genuine: bool
    distance: float | None
    decision: MatchDecision

    @property
    def accepted(self) -> bool:
        return self.decision is MatchDecision.VERIFIED


def decide_pairs(photos: Sequence[EncodedPhoto], settings: FaceMatchSettings) -> list[PairOutcome]:
    """Every pair of photos, decided; a refused photo's pairs are not verified."""
    outcomes = []
    for one, other in combinations(photos, 2):
        genuine = one.person == other.person
        if one.template is None or other.template is None:
            outcomes.append(
                PairOutcome(one.name, other.name, genuine, None, MatchDecision.NOT_VERIFIED)
            )
            continue
        distance = face_distance(one.template.vector, other.template.vector)
        outcomes.append(
            PairOutcome(one.name, other.name, genuine, distance, decide(distance, settings))
        )
    return outcomes


def format_threshold(value: float) -> str:
    """0.5 as ``0.50``, finer thresholds with all their digits."""
    return f"{value:.2f}" if round(value, 2) == value else f"{value:g}"


@dataclass(frozen=True)
class AccuracyReport:
    """Error counts over decided pairs; only VERIFIED counts as accepted."""

    pairs: tuple[PairOutcome, ...]
    threshold: float

    @property
    def genuine_pairs(self) -> list[PairOutcome]:
        return [pair for pair in self.pairs if pair.genuine]

    @property
    def impostor_pairs(self) -> list[PairOutcome]:
        return [pair for pair in self.pairs if not pair.genuine]

    @property
    def false_accepts(self) -> int:
        return sum(pair.accepted for pair in self.impostor_pairs)

    @property
    def false_rejects(self) -> int:
        return sum(not pair.accepted for pair in self.genuine_pairs)

    def in_review(self, *, genuine: bool) -> list[PairOutcome]:
        pool = self.genuine_pairs if genuine else self.impostor_pairs
        return [pair for pair in pool if pair.decision is MatchDecision.MANUAL_REVIEW]

    def refused(self, *, genuine: bool) -> list[PairOutcome]:
        """Pairs decided without a distance because a photo was refused."""
        pool = self.genuine_pairs if genuine else self.impostor_pairs
        return [pair for pair in pool if pair.distance is None]

    @property
    def false_non_match_rate(self) -> float | None:
        genuine = len(self.genuine_pairs)
        return self.false_rejects / genuine if genuine else None

    @property
    def false_match_rate(self) -> float | None:
        impostor = len(self.impostor_pairs)
        return self.false_accepts / impostor if impostor else None

    def hardest_genuine(self, count: int) -> list[PairOutcome]:
        """Scored genuine pairs, the farthest apart first."""
        scored = [pair for pair in self.genuine_pairs if pair.distance is not None]
        return sorted(scored, key=lambda pair: pair.distance, reverse=True)[:count]

    def hardest_impostor(self, count: int) -> list[PairOutcome]:
        """Scored impostor pairs, the closest first."""
        scored = [pair for pair in self.impostor_pairs if pair.distance is not None]
        return sorted(scored, key=lambda pair: pair.distance)[:count]

    @property
    def impostor_margin(self) -> float | None:
        """Smallest impostor distance minus the threshold: how far strangers stay from it."""
        closest = self.hardest_impostor(1)
        return closest[0].distance - self.threshold if closest else None

    @property
    def largest_verified_genuine(self) -> float | None:
        verified = [pair.distance for pair in self.genuine_pairs if pair.accepted]
        return max(verified) if verified else None

    def summary_line(self) -> str:
        return (
            f"false_accepts={self.false_accepts} false_rejects={self.false_rejects} "
            f"genuine={len(self.genuine_pairs)} impostor={len(self.impostor_pairs)} "
            f"threshold={format_threshold(self.threshold)}"
        )


def evaluate(photos: Sequence[EncodedPhoto], settings: FaceMatchSettings) -> AccuracyReport:
    """Decide every pair of ``photos`` and count the errors at the verify threshold."""
    pairs = tuple(decide_pairs(photos, settings))
    return AccuracyReport(pairs=pairs, threshold=settings.verify_max_distance)
