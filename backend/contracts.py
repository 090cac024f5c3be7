"""What travels between kiosk and backend: pydantic models and the case-number format.

The only module of ``backend`` a kiosk may import; it must never import FastAPI.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import numbers
import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

# --- JSON types ---------------------------------------------------------------------------
# Pydantic's lax mode reads true as 1, "7" as 7 and 0 as 1970-01-01: none of them is what the
# schema says, so a request must send a JSON number for an integer and text for a time.


def _json_number(value: object) -> object:
    if isinstance(value, bool | str | bytes):
        raise ValueError("must be a JSON integer")
    return value


def _json_text(value: object) -> object:
    if isinstance(value, numbers.Number):
        raise ValueError("must be an ISO 8601 string")
    return value


JsonInt = Annotated[int, BeforeValidator(_json_number)]
Timestamp = Annotated[datetime, BeforeValidator(_json_text)]
CalendarDate = Annotated[date, BeforeValidator(_json_text)]

# --- Case numbers -------------------------------------------------------------------------
# Four-digit kiosk code, seven-digit kiosk sequence, one Damm check digit: twelve digits,
# printed as three groups of four. Unique without asking the backend.

KIOSK_CODE_DIGITS = 4
SEQUENCE_DIGITS = 7
CASE_NUMBER_DIGITS = KIOSK_CODE_DIGITS + SEQUENCE_DIGITS + 1

_DAMM_TABLE = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


class CaseNumberError(ValueError):
    """A typed or scanned case number is malformed; ``reason`` says how."""

    def __init__(self, reason: Literal["empty", "not_digits", "length", "check_digit"]) -> None:
        super().__init__(reason)
        self.reason = reason


def damm_check_digit(digits: str) -> int:
    """The Damm check digit of a string of decimal digits."""
    interim = 0
    for char in digits:
        interim = _DAMM_TABLE[interim][int(char)]
    return interim


def make_case_number(kiosk_code: str, sequence: int) -> str:
    """The twelve-digit case number for a kiosk's n-th submission."""
    if not re.fullmatch(rf"\d{{{KIOSK_CODE_DIGITS}}}", kiosk_code):
        raise ValueError(f"kiosk code must be {KIOSK_CODE_DIGITS} digits: {kiosk_code!r}")
    if not 0 < sequence < 10**SEQUENCE_DIGITS:
        raise ValueError(f"sequence out of range: {sequence}")
    body = f"{kiosk_code}{sequence:0{SEQUENCE_DIGITS}d}"
    return body + str(damm_check_digit(body))


def normalize_case_number(text: str) -> str:
    """Strip spaces and dashes from a typed or scanned number and validate it."""
    compact = re.sub(r"[\s\-]", "", text or "")
    if not compact:
        raise CaseNumberError("empty")
    if not compact.isdigit() or not compact.isascii():
        raise CaseNumberError("not_digits")
    if len(compact) != CASE_NUMBER_DIGITS:
        raise CaseNumberError("length")
    if damm_check_digit(compact) != 0:
        raise CaseNumberError("check_digit")
    return compact


def group_case_number(number: str) -> str:
    """``000100000423`` -> ``0001 0000 0423`` for screens and receipts."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def kiosk_code_of(number: str) -> str:
    return number[:KIOSK_CODE_DIGITS]


def sequence_of(number: str) -> int:
    """The kiosk sequence a (valid) case number carries."""
    return int(number[KIOSK_CODE_DIGITS : KIOSK_CODE_DIGITS + SEQUENCE_DIGITS])


def _validated_case_number(value: str) -> str:
    return normalize_case_number(value)


# The check digit cannot be said in JSON Schema: the format names the rule for clients and
# fuzzers, the length bounds what the server reads.
CASE_NUMBER_SCHEMA = {"type": "string", "format": "case-number", "minLength": 12, "maxLength": 20}
CaseNumber = Annotated[
    str,
    StringConstraints(max_length=20),
    AfterValidator(_validated_case_number),
    WithJsonSchema(CASE_NUMBER_SCHEMA),
]

# --- Status links -------------------------------------------------------------------------
# The receipt's QR carries the case number and a short HMAC, so numbers cannot be enumerated.
# Each kiosk gets its own link key derived from the backend's master secret, so it can print a
# valid link while offline, and a leaked key exposes only that kiosk's numbers.

STATUS_TAG_CHARS = 10


def derive_status_link_key(master_secret: bytes, kiosk_code: str) -> bytes:
    return hmac.new(master_secret, f"status-link:{kiosk_code}".encode(), hashlib.sha256).digest()


def status_tag(link_key: bytes, case_number: str) -> str:
    """A 50-bit lowercase base32 tag over the case number."""
    digest = hmac.new(link_key, case_number.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:STATUS_TAG_CHARS]


def status_path(case_number: str, tag: str) -> str:
    return f"/s/{case_number}/{tag}"


def status_url(public_base_url: str, link_key: bytes, case_number: str) -> str:
    return public_base_url.rstrip("/") + status_path(case_number, status_tag(link_key, case_number))


_STATUS_URL_TAIL = re.compile(
    rf"/s/(\d{{{CASE_NUMBER_DIGITS}}})/([a-z2-7]{{{STATUS_TAG_CHARS}}})/?$"
)


def parse_status_url(text: str) -> tuple[str, str] | None:
    """(case number, tag) from a scanned status URL, or None when it is not one."""
    match = _STATUS_URL_TAIL.search(text.strip())
    if not match:
        return None
    return match.group(1), match.group(2)


# --- Wire models --------------------------------------------------------------------------

# --- Personal numbers (PINFL) -------------------------------------------------------------
# Fourteen digits: century and sex (1-6), birth date DDMMYY, region (3), serial (3), and a
# check digit: the sum of the first thirteen digits weighted 7, 3, 1, 7, 3, 1... modulo 10.

PERSONAL_NUMBER_DIGITS = 14
_PINFL_WEIGHTS = (7, 3, 1)
_CENTURY_OF_FIRST_DIGIT = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}

PersonalNumberProblem = Literal[
    "empty", "not_digits", "length", "format", "check_digit", "birth_date_mismatch"
]


class PersonalNumberError(ValueError):
    """A typed personal number is malformed; ``reason`` says how."""

    def __init__(self, reason: PersonalNumberProblem) -> None:
        super().__init__(reason)
        self.reason: PersonalNumberProblem = reason


def personal_number_check_digit(first_digits: str) -> int:
    weights = (_PINFL_WEIGHTS[i % 3] for i in range(len(first_digits)))
    return sum(int(d) * w for d, w in zip(first_digits, weights, strict=False)) % 10


def birth_date_of_personal_number(number: str) -> date | None:
    """The birth date encoded in a personal number, or None when it encodes no real date."""
    century = _CENTURY_OF_FIRST_DIGIT.get(number[:1])
    if century is None or len(number) < 7 or not number[1:7].isdigit():
        return None
    try:
        return date(century + int(number[5:7]), int(number[3:5]), int(number[1:3]))
    except ValueError:
        return None


def validate_personal_number(text: str, birth_date: date | None = None) -> str:
    """The 14 digits of a personal number; raises PersonalNumberError with the reason."""
    number = re.sub(r"\s", "", text or "")
    if not number:
        raise PersonalNumberError("empty")
    if not (number.isascii() and number.isdigit()):
        raise PersonalNumberError("not_digits")
    if len(number) != PERSONAL_NUMBER_DIGITS:
        raise PersonalNumberError("length")
    encoded = birth_date_of_personal_number(number)
    if encoded is None:
        raise PersonalNumberError("format")
    if personal_number_check_digit(number[:-1]) != int(number[-1]):
        raise PersonalNumberError("check_digit")
    if birth_date is not None and encoded != birth_date:
        raise PersonalNumberError("birth_date_mismatch")
    return number


def make_personal_number(birth_date: date, *, male: bool, region: int, serial: int) -> str:
    """A well-formed personal number (for registries, seeds and tests)."""
    first = {1800: 1, 1900: 3, 2000: 5}[birth_date.year // 100 * 100] + (0 if male else 1)
    body = f"{first}{birth_date:%d%m}{birth_date.year % 100:02d}{region:03d}{serial:03d}"
    return body + str(personal_number_check_digit(body))


def _validated_personal_number(value: str) -> str:
    return validate_personal_number(value)


PERSONAL_NUMBER_SCHEMA = {
    "type": "string",
    "format": "personal-number",
    "minLength": 14,
    "maxLength": 20,
}
PersonalNumber = Annotated[
    str,
    StringConstraints(max_length=20),
    AfterValidator(_validated_personal_number),
    WithJsonSchema(PERSONAL_NUMBER_SCHEMA),
]

# --- Face verification ---------------------------------------------------------------------

MAX_PORTRAIT_BYTES = 512 * 1024


class VerificationDecision(StrEnum):
    VERIFIED = "verified"
    MANUAL_REVIEW = "manual_review"
    NOT_VERIFIED = "not_verified"
    REFUSED = "refused"


class FaceVerificationRequest(BaseModel):
    """A live portrait to compare with the registry's photo of the personal number."""

    request_id: UUID = Field(description="idempotency key: a repeat returns the same result")
    personal_number: PersonalNumber
    birth_date: CalendarDate
    portrait_jpeg: str = Field(
        description="base64 JPEG", max_length=4 * (MAX_PORTRAIT_BYTES + 2) // 3
    )
    liveness: str = Field(
        default="", max_length=200, description="the challenges passed, for the record"
    )


class FaceVerificationResult(BaseModel):
    verification_id: UUID
    decision: VerificationDecision
    refusal: str | None = Field(
        default=None, description="why the portrait was unusable: no_face, multiple_faces..."
    )
    attempts_left: int
    refer_to_staff: bool = Field(description="no retries left: send the citizen to a desk")


# --- Fingerprints ----------------------------------------------------------------------------

MAX_FINGER_IMAGE_BYTES = 96 * 1024
MAX_FINGERS = 10


class FingerPosition(StrEnum):
    """The ten fingers, in the order of ISO/IEC 19794-2 finger position codes 1..10."""

    RIGHT_THUMB = "right_thumb"
    RIGHT_INDEX = "right_index"
    RIGHT_MIDDLE = "right_middle"
    RIGHT_RING = "right_ring"
    RIGHT_LITTLE = "right_little"
    LEFT_THUMB = "left_thumb"
    LEFT_INDEX = "left_index"
    LEFT_MIDDLE = "left_middle"
    LEFT_RING = "left_ring"
    LEFT_LITTLE = "left_little"


class FingerException(StrEnum):
    """Why a finger could not be given; the officer sees it."""

    BANDAGED = "bandaged"
    INJURED = "injured"
    MISSING = "missing"
    UNREADABLE = "unreadable"


# Exactly one of the two is a string: both given, or neither, matches no branch or both.
_IMAGE_OR_EXCEPTION = [
    {"required": ["image_png"], "properties": {"image_png": {"type": "string"}}},
    {"required": ["exception"], "properties": {"exception": {"type": "string"}}},
]


class FingerprintCapture(BaseModel):
    """One finger as the kiosk took it: an image, or the reason there is none."""

    model_config = ConfigDict(json_schema_extra={"oneOf": _IMAGE_OR_EXCEPTION})

    finger: FingerPosition
    image_png: str | None = Field(
        default=None,
        description="base64 PNG of the reader's grey image",
        max_length=4 * (MAX_FINGER_IMAGE_BYTES + 2) // 3,
    )
    kiosk_quality: JsonInt | None = Field(
        default=None, ge=0, le=100, description="the kiosk's own quality score, for the record"
    )
    attempts: JsonInt = Field(default=1, ge=0, le=20)
    exception: FingerException | None = None

    @model_validator(mode="after")
    def _image_or_exception(self) -> FingerprintCapture:
        if (self.image_png is None) == (self.exception is None):
            raise ValueError("a finger has either an image or an exception, not both or neither")
        return self


def _unique_fingers(captures: list[FingerprintCapture]) -> list[FingerprintCapture]:
    fingers = [capture.finger for capture in captures]
    if len(set(fingers)) != len(fingers):
        raise ValueError("each finger may be given once")
    return captures


FingerprintCaptures = Annotated[
    list[FingerprintCapture], Field(max_length=MAX_FINGERS), AfterValidator(_unique_fingers)
]


Language = Literal["uz_Latn", "uz_Cyrl", "ru", "en"]
MAX_TEXT_CHARS = 2000
Phone = Annotated[str, StringConstraints(pattern=r"^\+\d{9,15}$")]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")]


# --- Payments ----------------------------------------------------------------------------


class PaymentState(StrEnum):
    """A state fee payment as the kiosk sees it."""

    PENDING = "pending"  # waiting for the citizen to pay from their phone
    PAID = "paid"  # the provider performed the transaction: the money arrived
    CANCELLED = "cancelled"  # cancelled or expired before any money arrived; nothing charged
    REFUND_DUE = "refund_due"  # paid, but the session was cancelled: reported for refund


class PaymentOrderRequest(BaseModel):
    """The kiosk asks for the fee of a service to be paid; a repeat returns the same order."""

    order_id: UUID = Field(description="idempotency key chosen by the kiosk")
    service_code: Code
    language: Language


class PaymentOrderView(BaseModel):
    order_id: UUID
    account: str = Field(description="the short order number the provider's app shows")
    service_code: str
    amount_tiyin: int = Field(ge=0, description="1 so'm = 100 tiyin; never a float")
    state: PaymentState
    provider: str
    pay_url: str = Field(description="what the QR code holds: the provider's checkout link")
    transaction_id: str | None = Field(
        default=None, description="the provider's transaction id, once it created one"
    )
    created_at: datetime
    expires_at: datetime = Field(description="the kiosk stops waiting for payment at this time")
    paid_at: datetime | None = None


# --- Fleet: heartbeats and commands ---------------------------------------------------------

MAX_HEARTBEAT_DETAIL_CHARS = 200
MAX_UPTIME_SECONDS = 10 * 365 * 24 * 3600
MAX_OUTBOX_ENTRIES = 1_000_000


class DeviceKind(StrEnum):
    CAMERA = "camera"
    FINGERPRINT = "fingerprint"
    PRINTER = "printer"
    SCANNER = "scanner"


class DeviceHealth(StrEnum):
    OK = "ok"
    WARNING = "warning"  # works, but needs attention soon (paper near its end)
    ERROR = "error"  # does not work (unplugged, silent, paper out)
    ABSENT = "absent"  # not configured on this kiosk


class PaperLevel(StrEnum):
    OK = "ok"
    NEAR_END = "near_end"
    OUT = "out"


class DeviceReport(BaseModel):
    device: DeviceKind
    health: DeviceHealth
    detail: str = Field(default="", max_length=MAX_HEARTBEAT_DETAIL_CHARS)
    paper: PaperLevel | None = Field(default=None, description="printers only")


class CommandKind(StrEnum):
    OUT_OF_SERVICE = "out_of_service"
    BACK_IN_SERVICE = "back_in_service"
    RESTART_APP = "restart_app"
    RELOAD_CONFIG = "reload_config"
    TAKE_SCREENSHOT = "take_screenshot"
    PRINT_TEST_PAGE = "print_test_page"


class KioskCommand(BaseModel):
    """An operator's command, delivered in the answer to a heartbeat, at most once."""

    command_id: UUID
    kind: CommandKind
    issued_at: datetime
    note: str = Field(default="", max_length=MAX_HEARTBEAT_DETAIL_CHARS)


class CommandResult(BaseModel):
    """What became of a delivered command; sent with the next heartbeat."""

    command_id: UUID
    ok: StrictBool
    detail: str = Field(default="", max_length=MAX_HEARTBEAT_DETAIL_CHARS)


class HeartbeatRequest(BaseModel):
    """A kiosk's health, sent every interval with its own credential."""

    sent_at: Timestamp
    software_version: str = Field(max_length=40)
    uptime_seconds: JsonInt = Field(ge=0, le=MAX_UPTIME_SECONDS)
    screen: str = Field(max_length=40, description="the step the kiosk shows")
    in_service: StrictBool
    out_of_service_reason: str | None = Field(default=None, max_length=MAX_HEARTBEAT_DETAIL_CHARS)
    devices: list[DeviceReport] = Field(default_factory=list, max_length=8)
    outbox_backlog: JsonInt = Field(ge=0, le=MAX_OUTBOX_ENTRIES)
    submissions_today: JsonInt = Field(ge=0, le=MAX_OUTBOX_ENTRIES)
    command_results: list[CommandResult] = Field(default_factory=list, max_length=20)
    outbox_rejected: JsonInt = Field(
        default=0,
        ge=0,
        le=MAX_OUTBOX_ENTRIES,
        description="submissions the backend refused for good, kept on the kiosk",
    )
    outbox_stuck: JsonInt = Field(
        default=0,
        ge=0,
        le=MAX_OUTBOX_ENTRIES,
        description="submissions the backend keeps failing on (5xx), set aside",
    )
    numbering_refused_today: JsonInt = Field(
        default=0,
        ge=0,
        le=MAX_OUTBOX_ENTRIES,
        description="citizens who could not be given a case number today",
    )


class HeartbeatReply(BaseModel):
    received_at: datetime
    interval_seconds: float = Field(description="when the backend expects the next heartbeat")
    commands: list[KioskCommand] = Field(default_factory=list)
    sequence_floor: int | None = Field(
        default=None, ge=0, description="the highest case sequence stored for this kiosk"
    )


class PublicStage(StrEnum):
    """The few stages a citizen sees; internal case states collapse into these."""

    RECEIVED = "received"
    IN_REVIEW = "in_review"
    ACTION_NEEDED = "action_needed"
    DECIDED = "decided"
    READY = "ready"
    CLOSED = "closed"


def _consent_given(value: bool) -> bool:
    if value is not True:
        raise ValueError("the citizen must consent")
    return value


Consent = Annotated[
    StrictBool, AfterValidator(_consent_given), WithJsonSchema({"type": "boolean", "const": True})
]


class CaseSubmission(BaseModel):
    """A citizen's application, appeal or report as the kiosk sends it."""

    submission_id: UUID
    case_number: CaseNumber
    service_code: Code
    service_kind: Literal["application", "appeal", "report"]
    category_code: Code
    language: Language
    text: Annotated[str, StringConstraints(strip_whitespace=True)] = Field(
        default="", max_length=MAX_TEXT_CHARS
    )
    phone: Phone | None = None
    consent: Consent
    submitted_at: Timestamp
    personal_number: PersonalNumber | None = None
    verification_id: UUID | None = Field(
        default=None, description="the face verification that identified the applicant"
    )
    fingerprints: FingerprintCaptures = Field(default_factory=list)
    payment_order_id: UUID | None = Field(
        default=None, description="the paid fee order of a service that has a fee"
    )


class CaseAccepted(BaseModel):
    case_number: str
    status_url: str
    registered_at: datetime
    stage: PublicStage
    created: bool = Field(description="False when this submission id was seen before")


class CaseStatusView(BaseModel):
    """What anyone with a receipt may see: no personal data."""

    case_number: str
    stage: PublicStage
    registered_at: datetime
    updated_at: datetime
    service_kind: Literal["application", "appeal", "report"]
    office: str


class KioskIdentityView(BaseModel):
    """What a kiosk learns about itself from the backend with its credential."""

    code: str
    name: str
    status_link_key: str = Field(description="hex")
    public_base_url: str
    sequence_floor: int | None = Field(
        default=None,
        ge=0,
        description="the highest case sequence stored for this kiosk: it numbers above it",
    )


class ErrorBody(BaseModel):
    error: str
    detail: str = ""
