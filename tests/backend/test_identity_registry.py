"""The database person registry and its demo seed."""

from __future__ import annotations

from datetime import date

import numpy as np
from sqlalchemy import func, select

from backend.commands import seed_registry_command
from backend.contracts import make_personal_number, validate_personal_number
from backend.db import Database
from backend.identity.demo_people import DEMO_PEOPLE, demo_person
from backend.identity.registry import DatabasePersonRegistry
from backend.identity.sealing import DataSealer
from backend.identity.seeding import seed_demo_registry
from backend.models import AuditEntry, RegistryEntry
from config.settings import BackendSettings
from tests.backend.identity_support import PEOPLE, MemoizingEncoder, photo


def _refuse_to_encode(_portrait: bytes) -> np.ndarray:
    raise AssertionError("seeding again must not encode")


def test_demo_people_have_valid_numbers_and_reference_photos() -> None:
    numbers = [person.personal_number for person in DEMO_PEOPLE]

    assert len(set(numbers)) == 6
    for person in DEMO_PEOPLE:
        assert validate_personal_number(person.personal_number, person.birth_date)
        assert person.reference_photo(PEOPLE).stem == f"{person.name}_1"
    assert demo_person("obama").personal_number == make_personal_number(
        date(1961, 8, 4), male=True, region=26, serial=1
    )
    assert demo_person("leslie").personal_number[0] == "4"  # a woman born in the 1900s


def test_the_registry_finds_a_person_only_with_the_right_birth_date(
    seeded_settings: BackendSettings, database: Database, face_encoder: MemoizingEncoder
) -> None:
    registry = DatabasePersonRegistry(database, DataSealer.from_settings(seeded_settings))
    obama = demo_person("obama")

    found = registry.find(obama.personal_number, obama.birth_date)

    assert found is not None
    assert found.template is not None
    reference = face_encoder(photo("obama_1").read_bytes())
    assert np.allclose(found.template, reference)
    assert found.portrait is None  # a cached template makes the photo unnecessary
    assert registry.find(obama.personal_number, date(1961, 8, 5)) is None
    unknown = make_personal_number(date(1961, 8, 4), male=True, region=26, serial=77)
    assert registry.find(unknown, date(1961, 8, 4)) is None


def test_seeding_again_changes_nothing_and_encodes_nothing(
    seeded_settings: BackendSettings, database: Database
) -> None:
    again = seed_demo_registry(seeded_settings, PEOPLE, encoder=_refuse_to_encode)

    assert [person.created for person in again] == [False] * 6
    assert [person.name for person in again] == [person.name for person in DEMO_PEOPLE]
    assert seed_registry_command(seeded_settings, PEOPLE) == 0
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(RegistryEntry)) == 6
        enrolled = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "registry.enrolled")
        )
    assert enrolled == 6
