"""The fee schedule: the base calculation amount (BCA) and each service's fee, in tiyin."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from payments.money import som_to_tiyin


class FeeScheduleError(ValueError):
    """The fee schedule file is malformed."""


@dataclass(frozen=True)
class ServiceFee:
    """A service's fee: a share of the BCA, or a fixed amount of so'm."""

    service_code: str
    bca_share: Decimal | None = None
    fixed_som: Decimal | None = None


@dataclass(frozen=True)
class FeeSchedule:
    bca_som: Decimal
    bca_effective_from: date
    services: dict[str, ServiceFee]

    def fee_tiyin(self, service_code: str) -> int | None:
        """The fee of a service in tiyin (BCA x share, half up to a tiyin); None if it has none."""
        fee = self.services.get(service_code)
        if fee is None:
            return None
        if fee.fixed_som is not None:
            return som_to_tiyin(fee.fixed_som)
        assert fee.bca_share is not None
        return som_to_tiyin(self.bca_som * fee.bca_share)


def _decimal(raw: object, where: str) -> Decimal:
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise FeeScheduleError(f"{where}: give a decimal string, not {raw!r}")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise FeeScheduleError(f"{where}: {raw!r} is not a decimal number") from None
    if not value.is_finite() or value < 0:
        raise FeeScheduleError(f"{where}: {raw!r} must be a non-negative number")
    return value


def parse_fee_schedule(data: dict[str, object]) -> FeeSchedule:
    """A fee schedule from the parsed TOML document."""
    bca = data.get("bca")
    if not isinstance(bca, dict):
        raise FeeScheduleError("missing [bca] table")
    effective = bca.get("effective_from")
    if not isinstance(effective, date):
        raise FeeScheduleError("bca.effective_from must be a date (YYYY-MM-DD)")
    services: dict[str, ServiceFee] = {}
    raw_services = data.get("services", {})
    if not isinstance(raw_services, dict):
        raise FeeScheduleError("[services] must be a table")
    for code, entry in raw_services.items():
        if not isinstance(entry, dict) or ("bca_share" in entry) == ("fixed_som" in entry):
            raise FeeScheduleError(f"services.{code}: give exactly one of bca_share, fixed_som")
        if "bca_share" in entry:
            share = _decimal(entry["bca_share"], f"services.{code}.bca_share")
            services[code] = ServiceFee(code, bca_share=share)
        else:
            fixed = _decimal(entry["fixed_som"], f"services.{code}.fixed_som")
            services[code] = ServiceFee(code, fixed_som=fixed)
    return FeeSchedule(_decimal(bca.get("amount_som"), "bca.amount_som"), effective, services)


def load_fee_schedule(path: Path) -> FeeSchedule:
    """Read and check a fee schedule TOML file."""
    with path.open("rb") as handle:
        return parse_fee_schedule(tomllib.load(handle))


@lru_cache(maxsize=8)
def cached_fee_schedule(path: Path) -> FeeSchedule:
    """``load_fee_schedule`` read once per process and path."""
    return load_fee_schedule(path)
