"""Validation of what a citizen types: free text, phone number, case number."""

from __future__ import annotations

from backend.contracts import (
    CASE_NUMBER_DIGITS,
    MAX_TEXT_CHARS,
    CaseNumberError,
    normalize_case_number,
    parse_status_url,
)
from kiosk.session import ErrorCode, SessionData, Step

MIN_TEXT_CHARS = 10
PHONE_PREFIX = "+998"
PHONE_DIGITS = 9
FORM_STEPS = (Step.SERVICE, Step.CATEGORY, Step.TEXT, Step.PHONE)

_CASE_ERRORS = {
    "empty": ErrorCode.CASE_EMPTY,
    "not_digits": ErrorCode.CASE_NOT_DIGITS,
    "length": ErrorCode.CASE_LENGTH,
    "check_digit": ErrorCode.CASE_CHECK_DIGIT,
}


def text_error(text: str) -> ErrorCode | None:
    """Why the free text cannot be submitted, or None when it can."""
    stripped = text.strip()
    if not stripped:
        return ErrorCode.TEXT_EMPTY
    if len(stripped) < MIN_TEXT_CHARS:
        return ErrorCode.TEXT_TOO_SHORT
    if len(stripped) > MAX_TEXT_CHARS:
        return ErrorCode.TEXT_TOO_LONG
    return None


def phone_error(digits: str) -> ErrorCode | None:
    """Why the digits after +998 are not a phone number; an empty entry means "no phone"."""
    if not digits:
        return None
    if not (digits.isascii() and digits.isdigit()):
        return ErrorCode.PHONE_NOT_DIGITS
    if len(digits) != PHONE_DIGITS:
        return ErrorCode.PHONE_INCOMPLETE
    return None


def full_phone(digits: str) -> str | None:
    """``901234567`` -> ``+998901234567``; None when no phone was given."""
    return PHONE_PREFIX + digits if digits else None


def group_phone(digits: str) -> str:
    """Digits after +998 as they are written in Uzbekistan: ``90 123 45 67``."""
    parts = (digits[:2], digits[2:5], digits[5:7], digits[7:9])
    return " ".join(part for part in parts if part)


def case_number_error(entry: str) -> ErrorCode | None:
    """Why a typed case number is not valid, or None when it is."""
    try:
        normalize_case_number(entry)
    except CaseNumberError as error:
        return _CASE_ERRORS[error.reason]
    return None


def case_number_from_scan(text: str) -> str | None:
    """The case number in a scanned receipt QR (status URL) or barcode (bare number)."""
    parsed = parse_status_url(text)
    candidate = parsed[0] if parsed else text.strip()
    try:
        return normalize_case_number(candidate)
    except CaseNumberError:
        return None


def is_case_entry_prefix(entry: str) -> bool:
    """Whether ``entry`` can be what a citizen has typed so far of a case number."""
    if entry == "":
        return True
    return entry.isascii() and entry.isdigit() and len(entry) <= CASE_NUMBER_DIGITS


def step_error(step: Step, data: SessionData) -> ErrorCode | None:
    """Why what was entered at a form step cannot be submitted, or None."""
    if step is Step.TEXT:
        return text_error(data.text)
    if step is Step.PHONE:
        return phone_error(data.phone_digits)
    return None


def step_complete(step: Step, data: SessionData) -> bool:
    """Whether a form step holds a usable answer."""
    if step is Step.SERVICE:
        return data.service_code is not None
    if step is Step.CATEGORY:
        return data.category_code is not None
    return step_error(step, data) is None
