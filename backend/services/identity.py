"""1:1 face verification of a kiosk's live portrait against the person registry.

The backend computes its own template from the submitted photo; a kiosk's numbers are never
trusted. Every request that gets past the rate limits is recorded, including the ones turned
away, because they count against the limits.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from backend.audit import append_audit
from backend.contracts import (
    FaceVerificationRequest,
    FaceVerificationResult,
    VerificationDecision,
)
from backend.db import Database
from backend.db_types import utc_now
from backend.errors import ImageTooLarge, PersonNotFound, ReferToStaff, VerificationConflict
from backend.identity.registry import PersonRegistry
from backend.identity.sealing import (
    DataSealer,
    verification_portrait_context,
    verification_template_context,
)
from backend.identity.templates import PortraitEncoder, template_to_bytes
from backend.models import FaceVerification
from backend.services.identity_limits import (
    VerificationLimits,
    enforce_rate_limits,
    failed_attempts,
)
from backend.services.kiosks import AuthenticatedKiosk
from biometrics.face.encoding import FaceRefused, RefusalReason
from biometrics.face.matching import decide, face_distance
from biometrics.image_header import ImageHeaderError, ImageTooLargeError, check_declared_size
from config.face import FaceMatchSettings

logger = logging.getLogger(__name__)

PERSON_NOT_FOUND = "person_not_found"
REFER_TO_STAFF = "refer_to_staff"
# Arbitrary constant naming the PostgreSQL advisory lock that serializes recording.
_POSTGRES_VERIFICATION_LOCK_KEY = 0x5354_4645_4143_45


def verification_payload_hash(request: FaceVerificationRequest) -> str:
    """SHA-256 of everything a request says, so a retry can be told from a different request."""
    content = {
        "request_id": str(request.request_id),
        "personal_number": request.personal_number,
        "birth_date": request.birth_date.isoformat(),
        "portrait_sha256": hashlib.sha256(request.portrait_jpeg.encode()).hexdigest(),
        "liveness": request.liveness,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _portrait_bytes(encoded: str) -> bytes | None:
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None


def _check_portrait_size(portrait: bytes) -> None:
    try:
        check_declared_size(portrait)
    except ImageTooLargeError as error:
        raise ImageTooLarge(f"portrait_jpeg: {error}") from None
    except ImageHeaderError:
        pass  # recorded as an unreadable image, like any other picture that cannot be used


@dataclass(frozen=True)
class _Outcome:
    """What the comparison found, before it is recorded."""

    decision: str
    refusal: str | None = None
    distance: float | None = None
    portrait: bytes | None = None
    template: bytes | None = None


def result_of(row: FaceVerification) -> FaceVerificationResult:
    return FaceVerificationResult(
        verification_id=row.id,
        decision=VerificationDecision(row.decision),
        refusal=row.refusal,
        attempts_left=row.attempts_left,
        refer_to_staff=row.refer_to_staff,
    )


def _answer(row: FaceVerification) -> FaceVerificationResult:
    """The response for a recorded row; requests turned away are answered with their error."""
    if row.decision == PERSON_NOT_FOUND:
        raise PersonNotFound("no person with this personal number and birth date")
    if row.decision == REFER_TO_STAFF:
        raise ReferToStaff("no face attempts left for this personal number; see an officer")
    return result_of(row)


class FaceVerificationService:
    """Holds the rules of ``POST /api/v1/identity/verifications``."""

    def __init__(
        self,
        database: Database,
        registry: PersonRegistry,
        sealer: DataSealer,
        face_settings: FaceMatchSettings,
        limits: VerificationLimits,
        encoder: PortraitEncoder,
    ) -> None:
        self._database = database
        self._registry = registry
        self._sealer = sealer
        self._face = face_settings
        self._limits = limits
        self._encode = encoder

    def verify(
        self, kiosk: AuthenticatedKiosk, request: FaceVerificationRequest
    ) -> FaceVerificationResult:
        """Compare, record and answer; a repeat of a request id is answered from the record.

        A portrait whose header declares too many pixels is refused first, undecoded."""
        portrait = _portrait_bytes(request.portrait_jpeg)
        if portrait is not None:
            _check_portrait_size(portrait)
        payload_hash = verification_payload_hash(request)
        number = self._sealer.personal_number_digest(request.personal_number)
        # A cheap look first, so a replay or a kiosk over its quota costs no encoding.
        with self._database.reading() as session:
            earlier = self._earlier(session, kiosk, request, payload_hash)
            if earlier is not None:
                return _answer(earlier)
            now = utc_now()
            enforce_rate_limits(session, kiosk.id, number, self._limits, now)
            exhausted = (
                failed_attempts(session, number, self._limits, now) >= self._limits.max_attempts
            )
        outcome = _Outcome(REFER_TO_STAFF) if exhausted else self._evaluate(request)
        # The encoding above ran outside any transaction; recording re-checks everything.
        with self._database.transaction() as session:
            self._serialize(session)
            earlier = self._earlier(session, kiosk, request, payload_hash)
            if earlier is None:
                row = self._record(session, kiosk, request, payload_hash, outcome)
        return _answer(earlier if earlier is not None else row)

    def _earlier(
        self,
        session: Session,
        kiosk: AuthenticatedKiosk,
        request: FaceVerificationRequest,
        payload_hash: str,
    ) -> FaceVerification | None:
        row = session.scalar(
            select(FaceVerification).where(FaceVerification.request_id == request.request_id)
        )
        if row is not None and (row.kiosk_id != kiosk.id or row.payload_hash != payload_hash):
            raise VerificationConflict(
                f"verification request {request.request_id} was already received "
                "with different content"
            )
        return row

    def _evaluate(self, request: FaceVerificationRequest) -> _Outcome:
        person = self._registry.find(request.personal_number, request.birth_date)
        if person is None:
            return _Outcome(PERSON_NOT_FOUND)
        portrait = _portrait_bytes(request.portrait_jpeg)
        if portrait is None:
            return _Outcome(
                VerificationDecision.REFUSED, refusal=RefusalReason.UNREADABLE_IMAGE.value
            )
        try:
            vector = self._encode(portrait)
        except FaceRefused as refused:
            return _Outcome(
                VerificationDecision.REFUSED, refusal=refused.reason.value, portrait=portrait
            )
        reference = person.template
        if reference is None:
            if person.portrait is None:
                raise RuntimeError(f"registry gave neither portrait nor template for {person}")
            # An unusable registry photo is the registry's fault: it surfaces as a server error.
            reference = self._encode(person.portrait)
        distance = face_distance(vector, reference)
        return _Outcome(
            decide(distance, self._face).value,
            distance=distance,
            portrait=portrait,
            template=template_to_bytes(vector),
        )

    def _serialize(self, session: Session) -> None:
        # SQLite writers already hold the database lock (BEGIN IMMEDIATE); PostgreSQL needs one
        # so two processes cannot both pass a limit with the last free slot.
        if session.get_bind().dialect.name == "postgresql":
            session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"),
                {"key": _POSTGRES_VERIFICATION_LOCK_KEY},
            )

    def _record(
        self,
        session: Session,
        kiosk: AuthenticatedKiosk,
        request: FaceVerificationRequest,
        payload_hash: str,
        outcome: _Outcome,
    ) -> FaceVerification:
        now = utc_now()
        number = self._sealer.personal_number_digest(request.personal_number)
        enforce_rate_limits(session, kiosk.id, number, self._limits, now)
        failures = failed_attempts(session, number, self._limits, now)
        if failures >= self._limits.max_attempts:
            outcome = _Outcome(REFER_TO_STAFF)
        if outcome.decision == VerificationDecision.NOT_VERIFIED:
            failures += 1
        attempts_left = max(0, self._limits.max_attempts - failures)
        refer = outcome.decision == REFER_TO_STAFF or (
            outcome.decision == VerificationDecision.NOT_VERIFIED and attempts_left == 0
        )
        verification_id = uuid.uuid4()
        row = FaceVerification(
            id=verification_id,
            request_id=request.request_id,
            kiosk_id=kiosk.id,
            personal_number_digest=number,
            payload_hash=payload_hash,
            decision=str(outcome.decision),
            refusal=outcome.refusal,
            distance=outcome.distance,
            verify_max_distance=self._face.verify_max_distance,
            review_max_distance=self._face.review_max_distance,
            attempts_left=attempts_left,
            refer_to_staff=refer,
            liveness=request.liveness,
            portrait_sealed=None
            if outcome.portrait is None
            else self._sealer.seal(
                outcome.portrait, verification_portrait_context(verification_id)
            ),
            template_sealed=None
            if outcome.template is None
            else self._sealer.seal(
                outcome.template, verification_template_context(verification_id)
            ),
            created_at=now,
        )
        session.add(row)
        session.flush()
        append_audit(
            session,
            f"kiosk:{kiosk.code}",
            "identity.verification",
            f"verification:{verification_id}",
            {
                "request_id": str(request.request_id),
                "decision": row.decision,
                "refusal": row.refusal,
                "distance": None if row.distance is None else round(row.distance, 4),
                "verify_max_distance": row.verify_max_distance,
                "review_max_distance": row.review_max_distance,
                "attempts_left": attempts_left,
                "refer_to_staff": refer,
            },
        )
        return row
