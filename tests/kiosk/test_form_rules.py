"""Validation of typed text, phone numbers and case numbers, and scanned receipts."""

from __future__ import annotations

import pytest

from backend.contracts import make_case_number, status_url
from kiosk.form_rules import (
    case_number_error,
    case_number_from_scan,
    full_phone,
    group_phone,
    is_case_entry_prefix,
    phone_error,
    text_error,
)
from kiosk.session import ErrorCode

NUMBER = make_case_number("0007", 1234)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", ErrorCode.TEXT_EMPTY),
        ("\n  \t", ErrorCode.TEXT_EMPTY),
        ("Qisqa", ErrorCode.TEXT_TOO_SHORT),
        ("   Qisqa     ", ErrorCode.TEXT_TOO_SHORT),  # spaces do not count
        ("Qoʻshnim tunda shovqin qiladi", None),
        ("x" * 2000, None),
        ("x" * 2001, ErrorCode.TEXT_TOO_LONG),
    ],
)
def test_text_rules(text: str, error: ErrorCode | None) -> None:
    assert text_error(text) is error


@pytest.mark.parametrize(
    ("digits", "error"),
    [
        ("", None),
        ("901234567", None),
        ("90123456", ErrorCode.PHONE_INCOMPLETE),
        ("9012345678", ErrorCode.PHONE_INCOMPLETE),
        ("90 123 45", ErrorCode.PHONE_NOT_DIGITS),
        ("９０１２３４５６７", ErrorCode.PHONE_NOT_DIGITS),  # full-width digits are not ASCII
    ],
)
def test_phone_rules(digits: str, error: ErrorCode | None) -> None:
    assert phone_error(digits) is error


def test_phone_formatting() -> None:
    assert full_phone("901234567") == "+998901234567"
    assert full_phone("") is None
    assert group_phone("901234567") == "90 123 45 67"
    assert group_phone("9012") == "90 12"
    assert group_phone("") == ""


def test_case_number_rules() -> None:
    assert case_number_error(NUMBER) is None
    assert case_number_error(f"{NUMBER[:4]} {NUMBER[4:8]} {NUMBER[8:]}") is None
    assert case_number_error("") is ErrorCode.CASE_EMPTY
    assert case_number_error(NUMBER[:-1]) is ErrorCode.CASE_LENGTH
    assert case_number_error(NUMBER[:-1] + str((int(NUMBER[-1]) + 1) % 10)) is (
        ErrorCode.CASE_CHECK_DIGIT
    )
    assert case_number_error("0007abc") is ErrorCode.CASE_NOT_DIGITS


def test_typing_prefixes() -> None:
    assert is_case_entry_prefix("")
    assert is_case_entry_prefix("0007")
    assert is_case_entry_prefix(NUMBER)
    assert not is_case_entry_prefix(NUMBER + "0")
    assert not is_case_entry_prefix("00a")


def test_scanned_receipts() -> None:
    url = status_url("https://status.example.uz", b"k" * 32, NUMBER)
    assert case_number_from_scan(url) == NUMBER
    assert case_number_from_scan(NUMBER + "\r") == NUMBER
    assert (
        case_number_from_scan(NUMBER[:-1] + "0" if NUMBER[-1] != "0" else NUMBER[:-1] + "1") is None
    )
    assert case_number_from_scan("https://example.com/") is None
    assert case_number_from_scan("") is None
