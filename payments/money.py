"""Money as integer tiyin (1 so'm = 100 tiyin); never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

TIYIN_PER_SOM = 100


def som_to_tiyin(som: Decimal | int | str) -> int:
    """An amount of so'm as whole tiyin, half a tiyin rounded up (away from zero)."""
    amount = Decimal(som) * TIYIN_PER_SOM
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_som(tiyin: int) -> str:
    """``16480000`` -> ``"164 800.00 so'm"``: thousands split by spaces, as receipts print it."""
    sign = "-" if tiyin < 0 else ""
    whole, fraction = divmod(abs(tiyin), TIYIN_PER_SOM)
    grouped = f"{whole:,}".replace(",", " ")
    return f"{sign}{grouped}.{fraction:02d} so'm"
