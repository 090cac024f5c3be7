"""Domain errors of the backend; ``backend.http_errors`` maps them to HTTP in one place."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the service was broken; ``code`` is the stable, machine-readable name."""

    code = "domain_error"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.code)
        self.detail = detail


# --- Kiosk credentials (401) --------------------------------------------------------------


class CredentialError(DomainError):
    code = "credential_invalid"


class CredentialMissing(CredentialError):
    code = "credential_missing"


class CredentialMalformed(CredentialError):
    code = "credential_malformed"


class CredentialInvalid(CredentialError):
    code = "credential_invalid"


class CredentialRevoked(CredentialError):
    code = "credential_revoked"


# --- Kiosk registry -----------------------------------------------------------------------


class KioskCodeInvalid(DomainError):
    code = "kiosk_code_invalid"


class KioskDetailsInvalid(DomainError):
    code = "kiosk_details_invalid"


class KioskAlreadyRegistered(DomainError):
    code = "kiosk_already_registered"


class KioskNotFound(DomainError):
    code = "kiosk_not_found"


# --- Cases --------------------------------------------------------------------------------


class CaseNumberInvalid(DomainError):
    """A malformed case number; ``reason`` is the contracts' CaseNumberError reason."""

    code = "case_number_invalid"

    def __init__(self, reason: str) -> None:
        super().__init__(f"case number is invalid: {reason}")
        self.reason = reason


class CaseNumberForeign(DomainError):
    code = "case_number_foreign"


class CaseNumberTaken(DomainError):
    code = "case_number_taken"


class SubmissionConflict(DomainError):
    code = "submission_conflict"


class CaseNotFound(DomainError):
    code = "case_not_found"


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"


class ServiceUnknown(DomainError):
    """A case names a service the backend's catalogue does not list."""

    code = "service_unknown"


class RequirementsMissing(DomainError):
    """A case lacks what its service requires; ``missing`` names each item."""

    code = "requirements_missing"

    def __init__(self, service_code: str, missing: list[str]) -> None:
        super().__init__(f"service {service_code} requires: {', '.join(missing)}")
        self.missing = missing


class SubmittedAtOutOfRange(DomainError):
    """A kiosk's submission time is too far from the backend's clock to be believed."""

    code = "submitted_at_out_of_range"


class ImageTooLarge(DomainError):
    """An image declares more pixels than the backend will decode."""

    code = "image_too_large"


# --- Requests -----------------------------------------------------------------------------


class RateLimited(DomainError):
    code = "rate_limited"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"too many requests; retry in {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


class KioskRateLimited(RateLimited):
    """Too many face verifications from one kiosk."""

    code = "kiosk_rate_limited"


class PersonalNumberRateLimited(RateLimited):
    """Too many face verifications for one personal number."""

    code = "personal_number_rate_limited"


# --- Identity -----------------------------------------------------------------------------


class PersonNotFound(DomainError):
    """No registry person with this personal number and birth date (one answer for both)."""

    code = "person_not_found"


class ReferToStaff(DomainError):
    """No face attempts left for this personal number: the citizen must see an officer."""

    code = "refer_to_staff"


class VerificationConflict(DomainError):
    """A verification request id was already used for different content or another kiosk."""

    code = "verification_conflict"


class VerificationNotFound(DomainError):
    """A case names a verification that does not exist or belongs to another kiosk."""

    code = "verification_not_found"


class VerificationMismatch(DomainError):
    """A case's personal number is not the one its verification was made for."""

    code = "verification_mismatch"


class VerificationNotAccepted(DomainError):
    """A case names a verification whose outcome does not identify the applicant."""

    code = "verification_not_accepted"


class VerificationExpired(DomainError):
    """A case was filed too long after the face verification it names."""

    code = "verification_expired"


class VerificationAlreadyUsed(DomainError):
    """A verification already identifies the applicant of another case."""

    code = "verification_already_used"


# --- Fingerprints -------------------------------------------------------------------------


class FingerprintImageInvalid(DomainError):
    """A fingerprint image that is not a usable PNG; the submission may be sent again fixed."""

    code = "fingerprint_image_invalid"


# --- Payments -----------------------------------------------------------------------------


class NoFee(DomainError):
    """An order was asked for a service that has no fee."""

    code = "no_fee"


class PaymentOrderNotFound(DomainError):
    """No such payment order, or it belongs to another kiosk."""

    code = "payment_order_not_found"


class PaymentOrderConflict(DomainError):
    """An order id was already used with different content or by another kiosk."""

    code = "payment_order_conflict"


class PaymentRequired(DomainError):
    """A case of a service with a fee names no paid order of that service from this kiosk."""

    code = "payment_required"


class PaymentNotPaid(DomainError):
    """A case names a fee order that is not paid (pending, cancelled or due for refund)."""

    code = "payment_not_paid"


class PaymentAlreadyUsed(DomainError):
    """A case names a fee order another case already used."""

    code = "payment_already_used"


# --- Fleet and staff ----------------------------------------------------------------------


class StaffLoginFailed(DomainError):
    """Unknown user, wrong password or disabled account (one answer for all)."""

    code = "login_failed"


class StaffLoginThrottled(RateLimited):
    """Too many recent failed logins of this account or from this address: wait."""

    code = "login_throttled"


class StaffLoginLocked(RateLimited):
    """So many failed logins of this account name that it is locked for a while."""

    code = "login_locked"


class EnrolmentRequired(DomainError):
    """A session opened by password alone: it must enrol a second factor first."""

    code = "enrolment_required"


class SecondFactorEnrolled(DomainError):
    """The account already has a second factor; an administrator may reset it."""

    code = "second_factor_enrolled"


class SecondFactorCodeInvalid(DomainError):
    """The authenticator code does not match the secret being enrolled."""

    code = "code_invalid"


class StaffNotAuthenticated(DomainError):
    """No valid staff session cookie."""

    code = "not_authenticated"


class CsrfFailed(DomainError):
    code = "csrf_failed"


class Forbidden(DomainError):
    """The staff member's role does not allow this."""

    code = "forbidden"


class StaffUserInvalid(DomainError):
    code = "staff_user_invalid"


class StaffUserExists(DomainError):
    code = "staff_user_exists"


class StaffUserNotFound(DomainError):
    code = "staff_user_not_found"


class FleetCommandNotFound(DomainError):
    code = "command_not_found"


class AlertNotFound(DomainError):
    code = "alert_not_found"


class ScreenshotNotFound(DomainError):
    code = "screenshot_not_found"


class ScreenshotInvalid(DomainError):
    """The body is not a PNG image."""

    code = "screenshot_invalid"


class ScreenshotNotRequested(DomainError):
    """No pending take_screenshot command of this kiosk is waiting for this upload."""

    code = "screenshot_not_requested"


class ScreenshotTooLarge(DomainError):
    code = "body_too_large"
