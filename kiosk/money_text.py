"""Amounts of money as the citizen reads them: so'm, grouped in their language's way."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

from kiosk.i18n import Translator

TIYIN_PER_SOM = 100


def som_text(tr: Translator, tiyin: int) -> str:
    """``16480000`` tiyin -> ``164 800 so'm`` (tiyin shown only when there are any)."""
    amount = Decimal(tiyin) / TIYIN_PER_SOM
    pattern = "#,##0" if tiyin % TIYIN_PER_SOM == 0 else "#,##0.00"
    number = format_decimal(amount, format=pattern, locale=tr.locale)
    return tr.gettext("%(amount)s so'm") % {"amount": number}
