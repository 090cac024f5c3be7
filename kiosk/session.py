"""The data of one citizen's session: steps, error codes, entered values, results."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from backend.contracts import (
    CaseStatusView,
    DeviceReport,
    FaceVerificationRequest,
    FaceVerificationResult,
    PaymentOrderRequest,
    PaymentOrderView,
    group_case_number,
)
from config.profiles import LanguageCode

if TYPE_CHECKING:
    from config.profiles import Category, Service


class Step(StrEnum):
    """Where the citizen is; each step has one screen of the same name."""

    LANGUAGE = "language"
    HOME = "home"
    SERVICE = "service"
    IDENTIFY_NUMBER = "identify_number"
    IDENTIFY_BIRTH = "identify_birth"
    FACE_CAPTURE = "face_capture"
    FACE_CONFIRM = "face_confirm"
    FACE_VERIFYING = "face_verifying"
    FACE_RESULT = "face_result"
    FINGER_CAPTURE = "finger_capture"
    FINGER_EXCEPTION = "finger_exception"
    FINGER_SUMMARY = "finger_summary"
    CATEGORY = "category"
    TEXT = "text"
    PHONE = "phone"
    REVIEW = "review"
    PAYMENT = "payment"
    PAYMENT_RESULT = "payment_result"
    SUBMITTING = "submitting"
    DONE = "done"
    PRINT_FAILED = "print_failed"
    STATUS_ENTRY = "status_entry"
    STATUS_LOOKUP = "status_lookup"
    STATUS_RESULT = "status_result"
    IDLE_WARNING = "idle_warning"
    OUT_OF_SERVICE = "out_of_service"  # no citizen is served until the station is back
    TECHNICIAN_PIN = "technician_pin"  # reached by the hidden gesture; no citizen data shown
    TECHNICIAN = "technician"


class ErrorCode(StrEnum):
    """What went wrong, as a code; screens show it through the message catalogs."""

    TEXT_EMPTY = "text_empty"
    TEXT_TOO_SHORT = "text_too_short"
    TEXT_TOO_LONG = "text_too_long"
    PHONE_INCOMPLETE = "phone_incomplete"
    PHONE_NOT_DIGITS = "phone_not_digits"
    CONSENT_REQUIRED = "consent_required"
    SUBMIT_FAILED = "submit_failed"
    NUMBERING_OFFLINE = "numbering_offline"
    NUMBER_UNAVAILABLE = "number_unavailable"
    CASE_EMPTY = "case_empty"
    CASE_NOT_DIGITS = "case_not_digits"
    CASE_LENGTH = "case_length"
    CASE_CHECK_DIGIT = "case_check_digit"
    CASE_NOT_FOUND = "case_not_found"
    STATUS_UNAVAILABLE = "status_unavailable"
    SCAN_UNREADABLE = "scan_unreadable"
    PRINTER_OUT_OF_PAPER = "printer_out_of_paper"
    PRINTER_OFFLINE = "printer_offline"
    PRINTER_UNAVAILABLE = "printer_unavailable"
    PERSONAL_NUMBER_EMPTY = "personal_number_empty"
    PERSONAL_NUMBER_LENGTH = "personal_number_length"
    PERSONAL_NUMBER_FORMAT = "personal_number_format"
    PERSONAL_NUMBER_CHECK_DIGIT = "personal_number_check_digit"
    BIRTH_DATE_INCOMPLETE = "birth_date_incomplete"
    BIRTH_DATE_INVALID = "birth_date_invalid"
    BIRTH_DATE_MISMATCH = "birth_date_mismatch"
    PERSON_NOT_FOUND = "person_not_found"
    CAMERA_UNAVAILABLE = "camera_unavailable"
    LIVENESS_FAILED = "liveness_failed"
    VERIFY_UNAVAILABLE = "verify_unavailable"
    FACE_NOT_VERIFIED = "face_not_verified"
    FACE_REFUSED = "face_refused"
    REFER_TO_STAFF = "refer_to_staff"
    FINGER_READER_UNAVAILABLE = "finger_reader_unavailable"
    PAYMENT_UNAVAILABLE = "payment_unavailable"
    PAYMENT_CANCELLED = "payment_cancelled"
    PAYMENT_TIMED_OUT = "payment_timed_out"
    PAYMENT_REFUND = "payment_refund"


class TechnicianError(StrEnum):
    """What went wrong on the technician's screens (staff only, not the citizen's errors)."""

    WRONG_PIN = "wrong_pin"
    LOCKED_OUT = "locked_out"  # too many wrong PINs: none is checked for a while
    PRINT_FAILED = "print_failed"


class VerificationUnavailable(Exception):
    """The backend could not be asked to verify a face right now."""


class VerificationRejected(Exception):
    """The backend refused the request: ``code`` is its error (person_not_found...)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class PaymentUnavailable(Exception):
    """The backend could not be asked about a payment right now."""


class SubmissionFailed(Exception):
    """Nothing was registered: the submission could not be stored or numbered on the kiosk;
    ``code`` says what to tell the citizen."""

    def __init__(self, message: str, code: ErrorCode = ErrorCode.SUBMIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


class StatusUnavailable(Exception):
    """The backend could not be asked about a case right now."""


@dataclass(frozen=True)
class CaseDraft:
    """A complete, validated form, ready to submit."""

    language: LanguageCode
    service: Service
    category: Category
    text: str
    phone: str | None
    personal_number: str | None = None
    verification_id: UUID | None = None
    fingers: tuple[FingerResult, ...] = ()
    payment: PaymentOrderView | None = None


@dataclass(frozen=True)
class SubmissionOutcome:
    """What became of a submission: its number, the receipt's QR, delivery and printing."""

    submission_id: UUID
    case_number: str
    qr_data: str
    delivered: bool
    print_error: ErrorCode | None
    receipt: Any = field(default=None, compare=False, repr=False)

    @property
    def grouped_case_number(self) -> str:
        return group_case_number(self.case_number)


@dataclass(frozen=True)
class FaceView:
    """What the face screen shows: one instruction, or the liveness challenge, and progress."""

    phase: str
    instruction: str | None = None
    challenge: str | None = None
    challenge_index: int = 0
    challenge_total: int = 0
    hold_progress: float = 0.0
    failure: str | None = None


class FingerPhase(StrEnum):
    """Where the capture of one finger is."""

    PLACE = "place"  # waiting for the finger on the glass
    READING = "reading"  # a finger is on the glass; its image is coming over the wire
    LIFT = "lift"  # the image is judged; the finger must leave the glass
    CHOOSE = "choose"  # every attempt was poor: keep the best one, or say why it cannot be given
    READER_ERROR = "reader_error"  # the reader does not work


class FingerOutcome(StrEnum):
    CAPTURED = "captured"
    LOW_QUALITY = "low_quality"  # the best of the allowed attempts, below the quality bar
    EXCEPTION = "exception"  # cannot be given; the reason goes to the officer


@dataclass(frozen=True)
class FingerView:
    """What the finger screen shows for the finger being asked."""

    finger: str
    index: int
    total: int
    phase: FingerPhase
    attempts: int = 0
    max_attempts: int = 3
    issue: str | None = None  # a FingerprintIssue value, or capture_failed
    accepted: bool = False  # the last image passed the quality check
    score: int | None = None
    has_best: bool = False  # a poor but usable image can be kept when the attempts run out
    preview_png: bytes | None = field(default=None, repr=False)
    reader_detail: str = ""  # for staff: what the reader said


@dataclass(frozen=True)
class FingerResult:
    """One finger's result as it will be sent: an image, or the reason there is none."""

    finger: str
    outcome: FingerOutcome
    attempts: int
    score: int | None = None
    image_png: bytes | None = field(default=None, repr=False)
    exception: str | None = None


@dataclass(frozen=True)
class SessionData:
    """Everything the citizen entered or was shown; wiped when the session ends."""

    language: LanguageCode | None = None
    service_code: str | None = None
    personal_number: str = ""
    birth_digits: str = ""
    face: FaceView | None = None
    portrait_jpeg: bytes | None = field(default=None, repr=False)
    verification_request_id: UUID | None = None
    verification: FaceVerificationResult | None = None
    face_failures: int = 0
    finger: FingerView | None = None
    fingers: tuple[FingerResult, ...] = ()
    payment_request_id: UUID | None = None
    payment: PaymentOrderView | None = None
    category_code: str | None = None
    text: str = ""
    phone_digits: str = ""
    consent: bool = False
    case_entry: str = ""
    outcome: SubmissionOutcome | None = None
    status: CaseStatusView | None = None

    @property
    def is_blank(self) -> bool:
        return self == SessionData()


@dataclass(frozen=True)
class TechnicianCheck:
    """One round of the technician's checks: devices, backend link, outbox."""

    devices: tuple[DeviceReport, ...]
    backend_answers: bool
    outbox_backlog: int


@dataclass(frozen=True)
class TechnicianView:
    """What the technician screens show: the kiosk's identity and its checks, never a
    citizen's data. ``check`` is None while the checks run."""

    kiosk_code: str
    kiosk_name: str
    office: str
    software_version: str
    backend_url: str
    check: TechnicianCheck | None = None
    error: TechnicianError | None = None
    locked_seconds: int = 0  # with LOCKED_OUT: how long until a PIN is checked again
    printing: bool = False
    test_page_printed: bool = False


@dataclass(frozen=True)
class FlowState:
    """An immutable snapshot of the session handed to observers."""

    step: Step
    data: SessionData
    error: ErrorCode | None = None
    busy: bool = False
    editing: bool = False
    resume_step: Step | None = None
    idle_seconds_left: int | None = None
    technician: TechnicianView | None = None

    @property
    def screen(self) -> Step:
        """The screen to show: during the idle warning, the one under the warning."""
        if self.step is Step.IDLE_WARNING and self.resume_step is not None:
            return self.resume_step
        return self.step


class Submitter(Protocol):
    """Registers a case and prints its receipt (kiosk.submission.SubmissionService)."""

    def submit(self, draft: CaseDraft) -> SubmissionOutcome: ...

    def reprint(self, outcome: SubmissionOutcome) -> SubmissionOutcome: ...


class FaceVerifier(Protocol):
    """Asks the backend whether a portrait is the person of a personal number."""

    def verify(self, request: FaceVerificationRequest) -> FaceVerificationResult: ...


class PaymentDesk(Protocol):
    """Fee payments through the backend (kiosk.payment_desk.BackendPaymentDesk); every method
    raises PaymentUnavailable when the backend cannot be asked."""

    def create(self, request: PaymentOrderRequest) -> PaymentOrderView: ...

    def status(self, order_id: UUID) -> PaymentOrderView: ...

    def cancel(self, order_id: UUID) -> PaymentOrderView: ...


class TechnicianDesk(Protocol):
    """What the technician screen checks and does (kiosk.flow_technician.RuntimeDesk);
    every method may block and runs in the background."""

    backend_url: str

    def check(self) -> TechnicianCheck: ...

    def print_test_page(self) -> None:
        """Print a test page; raises with the reason when it cannot."""


class StatusSource(Protocol):
    """Answers "where is my case?" (kiosk.case_status.BackendStatusSource)."""

    def lookup(self, case_number: str) -> CaseStatusView | None: ...
