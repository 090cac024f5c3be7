"""A receipt as data: every string already translated by the caller."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Receipt:
    """What a printed receipt says; printing adds layout, never wording."""

    title: str
    service: str
    fields: Sequence[tuple[str, str]]
    case_number_label: str
    case_number: str
    qr_data: str
    follow_hint: str
    footer: str = ""

    def __post_init__(self) -> None:
        # Stored as a tuple so a receipt cannot change after it was built.
        object.__setattr__(self, "fields", tuple((str(k), str(v)) for k, v in self.fields))
        if not self.case_number.strip():
            raise ValueError("a receipt needs a case number")
        if not self.qr_data:
            raise ValueError("a receipt needs QR data")
