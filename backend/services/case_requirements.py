"""What a case of each service must carry, checked before anything of it is stored, and the
bounds a kiosk's clock must keep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from backend.contracts import CaseSubmission
from backend.errors import RequirementsMissing, ServiceUnknown, SubmittedAtOutOfRange
from config.services import ServiceCatalogue, load_service_catalogue
from config.settings import BackendSettings
from payments.fees import FeeSchedule


@dataclass(frozen=True)
class CaseRules:
    """What the backend holds every case to, whatever its kiosk says."""

    catalogue: ServiceCatalogue
    submission_max_age: timedelta = timedelta(days=30)
    clock_skew: timedelta = timedelta(minutes=5)


def case_rules_from_settings(settings: BackendSettings, fees: FeeSchedule) -> CaseRules:
    """The configured rules; a catalogue and fee schedule that disagree on fees are refused."""
    catalogue = load_service_catalogue(settings.service_catalogue_path)
    with_fee = catalogue.fee_codes()
    scheduled = set(fees.services)
    if with_fee != scheduled:
        raise ValueError(
            f"{settings.service_catalogue_path} and {settings.fee_schedule_path} disagree on "
            f"which services have a fee: {sorted(with_fee ^ scheduled)}"
        )
    return CaseRules(
        catalogue,
        submission_max_age=timedelta(days=settings.submission_max_age_days),
        clock_skew=timedelta(seconds=settings.clock_skew_seconds),
    )


def missing_requirements(
    submission: CaseSubmission, catalogue: ServiceCatalogue, fees: FeeSchedule
) -> list[str]:
    """The items a submission lacks for its service, in a stable order; empty when complete.

    ``personal_number``, ``face_verification``, ``fingerprint:<finger>`` for each required
    finger neither given nor excepted, ``payment`` and ``consent``. Whether a named
    verification or order is valid is checked later, by the identity and payment checks.
    """
    service = catalogue.requirements(submission.service_code)
    if service is None:
        raise ServiceUnknown(f"service {submission.service_code} is not offered")
    if service.fee and not fees.fee_tiyin(submission.service_code):
        raise RuntimeError(f"service {submission.service_code} has a fee but no fee schedule entry")
    missing: list[str] = []
    if service.identity == "face":
        if submission.personal_number is None:
            missing.append("personal_number")
        if submission.verification_id is None:
            missing.append("face_verification")
    given = {capture.finger.value for capture in submission.fingerprints}
    missing.extend(f"fingerprint:{finger}" for finger in service.fingers if finger not in given)
    if (service.fee or fees.fee_tiyin(submission.service_code)) and not (
        submission.payment_order_id
    ):
        missing.append("payment")
    if service.consent and submission.consent is not True:
        missing.append("consent")
    return missing


def check_case_requirements(
    submission: CaseSubmission, catalogue: ServiceCatalogue, fees: FeeSchedule
) -> None:
    """Refuse a submission that lacks anything its service requires, naming each item."""
    missing = missing_requirements(submission, catalogue, fees)
    if missing:
        raise RequirementsMissing(submission.service_code, missing)


def as_utc(moment: datetime) -> datetime:
    # A kiosk clock without an offset is taken as UTC, the only zone kiosks are told to send.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def check_submitted_at(
    submitted_at: datetime, now: datetime, max_age: timedelta, max_ahead: timedelta
) -> datetime:
    """The kiosk's submission time in UTC, if within ``max_age`` before and ``max_ahead``
    after the backend's clock; a kiosk queues cases offline, so some age is normal."""
    moment = as_utc(submitted_at)
    now = as_utc(now)
    if moment > now + max_ahead:
        raise SubmittedAtOutOfRange(
            f"submitted_at {moment.isoformat()} is ahead of the backend's clock "
            f"({now.isoformat()}) by more than {max_ahead}; set the kiosk's clock"
        )
    if moment < now - max_age:
        raise SubmittedAtOutOfRange(
            f"submitted_at {moment.isoformat()} is more than {max_age} before the backend's "
            f"clock ({now.isoformat()})"
        )
    return moment
