"""Validation of how a citizen identifies: personal number (PINFL) and date of birth."""

from __future__ import annotations

from datetime import date

from backend.contracts import PERSONAL_NUMBER_DIGITS, PersonalNumberError, validate_personal_number
from kiosk.session import ErrorCode

BIRTH_DATE_DIGITS = 8  # DDMMYYYY
OLDEST_AGE_YEARS = 120

_NUMBER_ERRORS = {
    "empty": ErrorCode.PERSONAL_NUMBER_EMPTY,
    "not_digits": ErrorCode.PERSONAL_NUMBER_FORMAT,
    "length": ErrorCode.PERSONAL_NUMBER_LENGTH,
    "format": ErrorCode.PERSONAL_NUMBER_FORMAT,
    "check_digit": ErrorCode.PERSONAL_NUMBER_CHECK_DIGIT,
    "birth_date_mismatch": ErrorCode.BIRTH_DATE_MISMATCH,
}


def is_digit_prefix(entry: str, length: int) -> bool:
    """Whether ``entry`` can be the start of a number of ``length`` digits."""
    return entry == "" or (entry.isascii() and entry.isdigit() and len(entry) <= length)


def personal_number_error(entry: str, birth_date: date | None = None) -> ErrorCode | None:
    try:
        validate_personal_number(entry, birth_date)
    except PersonalNumberError as error:
        return _NUMBER_ERRORS[error.reason]
    return None


def parse_birth_digits(entry: str) -> date | None:
    """``DDMMYYYY`` to a date, or None when it is not a real date."""
    if len(entry) != BIRTH_DATE_DIGITS or not entry.isdigit():
        return None
    try:
        return date(int(entry[4:]), int(entry[2:4]), int(entry[:2]))
    except ValueError:
        return None


def birth_date_error(entry: str, personal_number: str, today: date) -> ErrorCode | None:
    """Why the typed date of birth cannot be used with this personal number, or None."""
    if len(entry) < BIRTH_DATE_DIGITS:
        return ErrorCode.BIRTH_DATE_INCOMPLETE
    born = parse_birth_digits(entry)
    if born is None or born > today or today.year - born.year > OLDEST_AGE_YEARS:
        return ErrorCode.BIRTH_DATE_INVALID
    return personal_number_error(personal_number, born)


def group_birth_digits(entry: str) -> str:
    """``04081961`` -> ``04.08.1961``; partial entries are grouped as far as they go."""
    parts = (entry[:2], entry[2:4], entry[4:8])
    return ".".join(part for part in parts if part)


def group_personal_number(entry: str) -> str:
    """Fourteen digits in readable groups: ``3 040861 026 0013``."""
    parts = (entry[:1], entry[1:7], entry[7:10], entry[10:PERSONAL_NUMBER_DIGITS])
    return " ".join(part for part in parts if part)
