"""A case's text, phone and personal number are stored sealed, bound to their case and field;
personal numbers are found by a keyed digest."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update

from backend.db import Database
from backend.identity.personal_data import open_case_personal_data
from backend.identity.sealing import DataSealer, SealError, lookup_key_from_settings
from backend.models import Case
from config.settings import BackendSettings
from tests.backend.conftest import CITIZEN_PHONE, CITIZEN_TEXT

NUMBER = "30408612600011"


def test_no_column_of_a_case_holds_its_personal_data(
    submit: Callable[..., dict[str, Any]], database: Database, settings: BackendSettings
) -> None:
    number = submit(personal_number=NUMBER)["case_number"]

    with database.reading() as session:
        row = session.execute(text("SELECT * FROM cases")).mappings().one()
        case = session.scalars(select(Case)).one()
    stored = b"".join(
        value if isinstance(value, bytes) else str(value).encode() for value in row.values()
    )
    for secret in (NUMBER, CITIZEN_PHONE, CITIZEN_PHONE[4:], CITIZEN_TEXT[:12]):
        assert secret.encode() not in stored
    opened = open_case_personal_data(case, DataSealer.from_settings(settings))
    assert (opened.text, opened.phone, opened.personal_number) == (
        CITIZEN_TEXT,
        CITIZEN_PHONE,
        NUMBER,
    )
    assert case.case_number == number


def test_a_sealed_field_moved_to_another_case_or_field_does_not_open(
    submit: Callable[..., dict[str, Any]], database: Database, settings: BackendSettings
) -> None:
    first = submit(sequence=1, personal_number=NUMBER)["case_number"]
    second = submit(sequence=2, text="Boshqa ariza")["case_number"]
    sealer = DataSealer.from_settings(settings)
    with database.transaction() as session:
        first_text = session.scalar(select(Case.text_sealed).where(Case.case_number == first))
        session.execute(
            update(Case).where(Case.case_number == second).values(text_sealed=first_text)
        )
        session.execute(
            update(Case)
            .where(Case.case_number == first)
            .values(phone_sealed=Case.personal_number_sealed)
        )

    with database.reading() as session:
        for number in (first, second):
            case = session.scalars(select(Case).where(Case.case_number == number)).one()
            with pytest.raises(SealError):
                open_case_personal_data(case, sealer)


def test_the_personal_number_digest_is_keyed_and_stable(tmp_path: Path) -> None:
    key = os.urandom(32)
    sealer = DataSealer(key)
    digest = sealer.personal_number_digest(NUMBER)

    assert digest == DataSealer(key).personal_number_digest(NUMBER)
    assert len(digest) == 64 and NUMBER not in digest
    assert digest != sealer.personal_number_digest("30408612600028")
    assert digest != DataSealer(os.urandom(32)).personal_number_digest(NUMBER)
    assert digest != DataSealer(key, os.urandom(32)).personal_number_digest(NUMBER)
    assert digest != sealer.lookup_digest("phone", NUMBER)  # each kind its own digests


def test_the_lookup_key_comes_from_settings_or_the_data_key(tmp_path: Path) -> None:
    lookup = os.urandom(32)
    configured = BackendSettings(var_dir=tmp_path, lookup_key=base64.b64encode(lookup).decode())
    assert lookup_key_from_settings(configured) == lookup
    derived = BackendSettings(var_dir=tmp_path, secret_key="one master secret")
    assert lookup_key_from_settings(derived) == lookup_key_from_settings(derived)
    assert lookup_key_from_settings(derived) != lookup_key_from_settings(configured)
    with pytest.raises(ValueError, match="STATION_LOOKUP_KEY must decode to 32 bytes"):
        lookup_key_from_settings(
            BackendSettings(var_dir=tmp_path, lookup_key=base64.b64encode(b"short").decode())
        )
