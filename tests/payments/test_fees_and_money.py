"""Fees from the schedule, in integer tiyin, and so'm as people read them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from config.settings import PROJECT_ROOT
from payments.fees import FeeScheduleError, load_fee_schedule, parse_fee_schedule
from payments.money import format_som, som_to_tiyin


def _schedule(services: dict[str, dict[str, object]], bca: object = "412000") -> dict:
    return {"bca": {"amount_som": bca, "effective_from": date(2026, 1, 1)}, "services": services}


def test_the_configured_schedule_charges_the_demo_figures() -> None:
    schedule = load_fee_schedule(PROJECT_ROOT / "config" / "fees.toml")
    assert schedule.bca_som == Decimal(412000)
    assert schedule.bca_effective_from == date(2026, 1, 1)
    assert schedule.fee_tiyin("id_card") == 16_480_000  # 0.4 x 412 000 so'm
    assert schedule.fee_tiyin("passport") == 41_200_000
    assert schedule.fee_tiyin("passport_replacement") is None


@pytest.mark.parametrize(
    ("bca", "share", "tiyin"),
    [
        ("412000", "0.4", 16_480_000),
        ("412000", "0.33", 13_596_000),
        ("412000", "0.3333333", 13_733_332),  # 13 733 331.96 tiyin rounds up
        ("412000", "0.33333331", 13_733_332),  # 13 733 332.37 tiyin rounds down
        ("1", "0.005", 1),  # half a tiyin rounds up
        ("1", "0.0049", 0),
    ],
)
def test_a_bca_share_becomes_whole_tiyin_rounded_half_up(bca: str, share: str, tiyin: int) -> None:
    schedule = parse_fee_schedule(_schedule({"s": {"bca_share": share}}, bca))
    assert schedule.fee_tiyin("s") == tiyin


def test_a_fixed_fee_in_som() -> None:
    schedule = parse_fee_schedule(_schedule({"s": {"fixed_som": "25000.50"}}))
    assert schedule.fee_tiyin("s") == 2_500_050


@pytest.mark.parametrize(
    "services",
    [
        {"s": {}},
        {"s": {"bca_share": "0.4", "fixed_som": "1"}},
        {"s": {"bca_share": 0.4}},
        {"s": {"bca_share": "-1"}},
        {"s": {"fixed_som": "lots"}},
    ],
)
def test_a_malformed_schedule_is_refused(services: dict[str, dict[str, object]]) -> None:
    with pytest.raises(FeeScheduleError):
        parse_fee_schedule(_schedule(services))


def test_a_schedule_without_a_bca_date_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fees.toml"
    path.write_text('[bca]\namount_som = "412000"\n')
    with pytest.raises(FeeScheduleError):
        load_fee_schedule(path)


def test_som_and_tiyin() -> None:
    assert som_to_tiyin("164800") == 16_480_000
    assert som_to_tiyin(Decimal("0.015")) == 2
    assert format_som(16_480_000) == "164 800.00 so'm"
    assert format_som(5) == "0.05 so'm"
    assert format_som(-123_456_789) == "-1 234 567.89 so'm"
