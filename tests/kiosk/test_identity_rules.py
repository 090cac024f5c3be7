"""Personal number and birth date as typed at the kiosk."""

from __future__ import annotations

from datetime import date

import pytest

from backend.contracts import make_personal_number
from kiosk.identity_rules import (
    birth_date_error,
    group_birth_digits,
    group_personal_number,
    is_digit_prefix,
    parse_birth_digits,
    personal_number_error,
)
from kiosk.session import ErrorCode

BORN = date(1961, 8, 4)
NUMBER = make_personal_number(BORN, male=True, region=26, serial=1)
TODAY = date(2026, 11, 22)


def test_a_well_formed_number_passes_and_encodes_the_birth_date() -> None:
    assert NUMBER == "30408610260013"
    assert personal_number_error(NUMBER) is None
    assert birth_date_error("04081961", NUMBER, TODAY) is None


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        ("", ErrorCode.PERSONAL_NUMBER_EMPTY),
        ("3040861026001", ErrorCode.PERSONAL_NUMBER_LENGTH),
        ("90408610260013", ErrorCode.PERSONAL_NUMBER_FORMAT),  # no century 9
        ("33213610260013", ErrorCode.PERSONAL_NUMBER_FORMAT),  # 32 December
        ("30408610260014", ErrorCode.PERSONAL_NUMBER_CHECK_DIGIT),
        ("30480610260013", ErrorCode.PERSONAL_NUMBER_FORMAT),  # month 80
    ],
)
def test_malformed_numbers_say_why(entry: str, error: ErrorCode) -> None:
    assert personal_number_error(entry) is error


def test_every_single_digit_typo_in_the_serial_part_is_caught() -> None:
    caught = 0
    for position in range(7, 13):
        for digit in "0123456789":
            typo = NUMBER[:position] + digit + NUMBER[position + 1 :]
            if typo != NUMBER:
                assert personal_number_error(typo) is not None, typo
                caught += 1
    assert caught == 6 * 9


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        ("0408196", ErrorCode.BIRTH_DATE_INCOMPLETE),
        ("31021961", ErrorCode.BIRTH_DATE_INVALID),
        ("04082061", ErrorCode.BIRTH_DATE_INVALID),  # in the future
        ("04081861", ErrorCode.BIRTH_DATE_INVALID),  # over 120 years old
        ("05081961", ErrorCode.BIRTH_DATE_MISMATCH),
    ],
)
def test_birth_date_must_be_real_and_agree_with_the_number(entry: str, error: ErrorCode) -> None:
    assert birth_date_error(entry, NUMBER, TODAY) is error


def test_grouping_and_prefixes() -> None:
    assert group_personal_number(NUMBER) == "3 040861 026 0013"
    assert group_personal_number("3040") == "3 040"
    assert group_birth_digits("0408") == "04.08"
    assert parse_birth_digits("04081961") == BORN
    assert is_digit_prefix("123", 14) and not is_digit_prefix("12a", 14)
    assert not is_digit_prefix("1" * 15, 14)
