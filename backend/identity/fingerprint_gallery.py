"""The fingerprint templates of earlier cases, held in memory and searched for duplicates.

Each template is unsealed once per process; afterwards a search loads only the rows it has not
seen, so several app instances over one database each stay current without decrypting every
row on every search.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.identity.sealing import DataSealer, sealing_context
from backend.models import Case, CaseFingerprint
from biometrics.fingerprint import (
    FingerprintMatcher,
    FingerprintTemplate,
    PreparedTemplate,
    prepare_template,
)
from config.fingerprint import FingerprintMatchSettings

# Row ids come from a sequence but commit in any order on PostgreSQL, so a row with a lower id
# than the newest one loaded may still appear; refreshes look back this many ids for it.
LATE_COMMIT_LOOKBACK_IDS = 1000


def fingerprint_image_context(case_number: str, finger: str) -> bytes:
    """Binds a sealed fingerprint image to its case and finger."""
    return sealing_context("case_fingerprints", "image", f"{case_number}/{finger}")


def fingerprint_template_context(case_number: str, finger: str) -> bytes:
    """Binds a sealed fingerprint template to its case and finger."""
    return sealing_context("case_fingerprints", "template", f"{case_number}/{finger}")


@dataclass(frozen=True)
class FingerprintHit:
    """An earlier case whose same finger matched a probe at ``score``."""

    finger: str
    case_number: str
    person_digest: str | None  # keyed digest of the other case's personal number
    score: float


@dataclass(frozen=True)
class _Enrolled:
    case_number: str
    person_digest: str | None
    template: PreparedTemplate  # prepared once on loading, compared with every probe


class FingerprintGallery:
    """Per-process cache of the fingerprint templates of stored cases, by finger position."""

    def __init__(
        self, sealer: DataSealer, settings: FingerprintMatchSettings | None = None
    ) -> None:
        self._sealer = sealer
        self.settings = settings or FingerprintMatchSettings()
        self._by_finger: defaultdict[str, list[_Enrolled]] = defaultdict(list)
        self._loaded_ids: set[int] = set()
        self._newest_id = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return sum(len(enrolled) for enrolled in self._by_finger.values())

    def _refresh(self, session: Session) -> int:
        recent = (
            select(CaseFingerprint.id)
            .where(
                CaseFingerprint.id > self._newest_id - LATE_COMMIT_LOOKBACK_IDS,
                CaseFingerprint.template_sealed.is_not(None),
            )
            .order_by(CaseFingerprint.id)
        )
        new_ids = [row_id for row_id in session.scalars(recent) if row_id not in self._loaded_ids]
        if not new_ids:
            return 0
        rows = session.execute(
            select(
                CaseFingerprint.id,
                CaseFingerprint.finger,
                CaseFingerprint.template_sealed,
                Case.case_number,
                Case.personal_number_digest,
            )
            .join(Case, CaseFingerprint.case_id == Case.id)
            .where(CaseFingerprint.id.in_(new_ids))
        ).all()
        added = 0
        for row_id, finger, sealed, case_number, person_digest in rows:
            context = fingerprint_template_context(case_number, finger)
            template = FingerprintTemplate.from_bytes(self._sealer.open(sealed, context))
            self._loaded_ids.add(row_id)
            self._newest_id = max(self._newest_id, row_id)
            if template.minutiae:
                prepared = prepare_template(template, self.settings)
                self._by_finger[finger].append(_Enrolled(case_number, person_digest, prepared))
                added += 1
        return added

    def refresh(self, session: Session) -> int:
        """Load the stored fingerprints not yet seen; the number of templates added."""
        with self._lock:
            return self._refresh(session)

    def find_duplicates(
        self,
        session: Session,
        probes: Mapping[str, FingerprintTemplate],
        person_digest: str | None,
    ) -> list[FingerprintHit]:
        """Earlier cases whose same finger scores at least the threshold against a probe,
        skipping cases under the personal number whose keyed digest is ``person_digest`` (none
        skipped when it is unknown); best first.

        Call before the new case's own fingerprints are stored, so only earlier cases are seen.
        """
        with self._lock:
            self._refresh(session)
            enrolled_by_finger = {
                finger: list(self._by_finger.get(finger, ())) for finger in probes
            }
        hits: list[FingerprintHit] = []
        threshold = self.settings.threshold
        for finger, probe in probes.items():
            matcher = FingerprintMatcher(probe, self.settings)
            for enrolled in enrolled_by_finger[finger]:
                if person_digest is not None and enrolled.person_digest == person_digest:
                    continue
                score = float(matcher.score(enrolled.template))
                if score >= threshold:
                    hits.append(
                        FingerprintHit(finger, enrolled.case_number, enrolled.person_digest, score)
                    )
        hits.sort(key=lambda hit: hit.score, reverse=True)
        return hits
