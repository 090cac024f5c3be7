"""The templates of enrolled applicants, held in memory and searched for duplicates.

An applicant is enrolled when a case names their face verification. The gallery decrypts each
template once and afterwards loads only cases it has not seen, so a duplicate search does not
open every sealed template each time.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.identity.sealing import DataSealer, verification_template_context
from backend.identity.templates import template_from_bytes
from backend.models import Case, FaceVerification
from biometrics.face.matching import TemplateGallery

# Case ids come from a sequence but commit in any order on PostgreSQL, so a case with a lower id
# than the newest one loaded may still appear; refreshes look back this many ids for such late
# arrivals.
LATE_COMMIT_LOOKBACK_IDS = 1000
# Search this many more neighbours than the entries of the applicant's own number, which are
# then skipped.
_EXTRA_NEIGHBOURS = 64


@dataclass(frozen=True)
class ApplicantHit:
    case_number: str
    person_digest: str  # keyed digest of the other case's personal number
    distance: float


class ApplicantGallery:
    """Per-process cache of enrolled templates, keyed by case number."""

    def __init__(self, sealer: DataSealer) -> None:
        self._sealer = sealer
        self._gallery = TemplateGallery()
        self._number_of_case: dict[str, str] = {}
        self._cases_per_number: Counter[str] = Counter()
        self._loaded_case_ids: set[int] = set()
        self._newest_case_id = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._gallery)

    def _refresh(self, session: Session) -> int:
        enrolled = (
            select(Case.id)
            .where(
                Case.id > self._newest_case_id - LATE_COMMIT_LOOKBACK_IDS,
                Case.verification_id.is_not(None),
                Case.personal_number_digest.is_not(None),
            )
            .order_by(Case.id)
        )
        new_ids = [
            case_id for case_id in session.scalars(enrolled) if case_id not in self._loaded_case_ids
        ]
        if not new_ids:
            return 0
        rows = session.execute(
            select(
                Case.id,
                Case.case_number,
                Case.personal_number_digest,
                FaceVerification.id,
                FaceVerification.template_sealed,
            )
            .join(FaceVerification, Case.verification_id == FaceVerification.id)
            .where(Case.id.in_(new_ids), FaceVerification.template_sealed.is_not(None))
        ).all()
        keys, vectors = [], []
        for case_id, case_number, person_digest, verification_id, sealed in rows:
            context = verification_template_context(verification_id)
            vectors.append(template_from_bytes(self._sealer.open(sealed, context)))
            keys.append(case_number)
            self._number_of_case[case_number] = person_digest
            self._cases_per_number[person_digest] += 1
            self._loaded_case_ids.add(case_id)
            self._newest_case_id = max(self._newest_case_id, case_id)
        if keys:
            self._gallery.add_many(keys, np.stack(vectors))
        return len(keys)

    def refresh(self, session: Session) -> int:
        """Load the committed cases not yet seen; the number of templates added."""
        with self._lock:
            return self._refresh(session)

    def find_duplicates(
        self, session: Session, vector: np.ndarray, person_digest: str, max_distance: float
    ) -> list[ApplicantHit]:
        """Enrolled applicants under other personal numbers (told apart by their keyed digests)
        within ``max_distance``, nearest first. Call before the applicant's own case is added,
        so it only sees earlier cases."""
        with self._lock:
            self._refresh(session)
            k = self._cases_per_number[person_digest] + _EXTRA_NEIGHBOURS
            hits = self._gallery.search(vector, k=k, max_distance=max_distance)
            return [
                ApplicantHit(hit.key, self._number_of_case[hit.key], hit.distance)
                for hit in hits
                if self._number_of_case[hit.key] != person_digest
            ]
