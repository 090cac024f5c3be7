"""Case numbers (Damm check digit) and status-link tags from backend.contracts."""

from __future__ import annotations

import random

import pytest

from backend.contracts import (
    CASE_NUMBER_DIGITS,
    CaseNumberError,
    damm_check_digit,
    derive_status_link_key,
    group_case_number,
    kiosk_code_of,
    make_case_number,
    normalize_case_number,
    parse_status_url,
    status_tag,
    status_url,
)


def _sample_numbers(count: int = 300) -> list[str]:
    rng = random.Random(20261122)
    return [
        make_case_number(f"{rng.randrange(10_000):04d}", rng.randrange(1, 10_000_000))
        for _ in range(count)
    ]


def test_known_damm_values() -> None:
    # Published example of Damm's algorithm: 572 -> check digit 4.
    assert damm_check_digit("572") == 4
    assert damm_check_digit("5724") == 0


def test_case_number_layout() -> None:
    number = make_case_number("0001", 42)
    assert number == "000100000423"
    assert len(number) == CASE_NUMBER_DIGITS
    assert kiosk_code_of(number) == "0001"
    assert group_case_number(number) == "0001 0000 0423"
    assert normalize_case_number("0001 0000 0423") == number
    assert normalize_case_number("0001-0000-0423") == number


def test_every_single_digit_error_is_caught() -> None:
    for number in _sample_numbers():
        for position in range(len(number)):
            for digit in "0123456789":
                if digit == number[position]:
                    continue
                typo = number[:position] + digit + number[position + 1 :]
                with pytest.raises(CaseNumberError) as caught:
                    normalize_case_number(typo)
                assert caught.value.reason == "check_digit"


def test_every_adjacent_transposition_is_caught() -> None:
    for number in _sample_numbers():
        for position in range(len(number) - 1):
            a, b = number[position], number[position + 1]
            if a == b:
                continue
            swapped = number[:position] + b + a + number[position + 2 :]
            with pytest.raises(CaseNumberError):
                normalize_case_number(swapped)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty"), ("   ", "empty"), ("0001 0000 042x", "not_digits"), ("1234", "length"),
     ("٠٠٠١٠٠٠٠٠٤٢٣", "not_digits")],
)  # fmt: skip
def test_malformed_numbers_say_why(text: str, reason: str) -> None:
    with pytest.raises(CaseNumberError) as caught:
        normalize_case_number(text)
    assert caught.value.reason == reason


@pytest.mark.parametrize(("code", "sequence"), [("12345", 1), ("0001", 0), ("0001", 10**7)])
def test_make_case_number_refuses_out_of_range(code: str, sequence: int) -> None:
    with pytest.raises(ValueError):
        make_case_number(code, sequence)


def test_status_tags_depend_on_secret_kiosk_and_number() -> None:
    key = derive_status_link_key(b"master", "0001")
    number = make_case_number("0001", 7)
    tag = status_tag(key, number)
    assert len(tag) == 10 and tag.isalnum() and tag == tag.lower()
    assert status_tag(key, number) == tag
    assert status_tag(derive_status_link_key(b"other", "0001"), number) != tag
    assert status_tag(derive_status_link_key(b"master", "0002"), number) != tag
    assert status_tag(key, make_case_number("0001", 8)) != tag


def test_status_url_round_trip() -> None:
    key = derive_status_link_key(b"master", "0001")
    number = make_case_number("0001", 7)
    url = status_url("https://status.example.uz/", key, number)
    assert url == f"https://status.example.uz/s/{number}/{status_tag(key, number)}"
    assert parse_status_url(url) == (number, status_tag(key, number))
    assert parse_status_url(url + "/") == (number, status_tag(key, number))
    assert parse_status_url("https://example.uz/s/123/abc") is None
    assert parse_status_url("hello") is None
