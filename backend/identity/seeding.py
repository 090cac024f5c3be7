"""Filling the database registry with the demo people (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from backend.db import Database
from backend.identity.demo_people import DEMO_PEOPLE
from backend.identity.registry import (
    RegistryPerson,
    enroll_registry_person,
    find_registry_entry,
    read_registry_entry,
)
from backend.identity.sealing import DataSealer
from backend.identity.templates import PortraitEncoder, portrait_encoder
from config.settings import BackendSettings


@dataclass(frozen=True)
class SeedPerson:
    name: str
    personal_number: str
    birth_date: date
    created: bool  # False when the same reference was already stored


def seed_demo_registry(
    settings: BackendSettings, folder: Path, encoder: PortraitEncoder | None = None
) -> list[SeedPerson]:
    """Store each demo person's reference photo and its template, encoded once.

    A person whose stored reference is already this photo is left alone, so seeding again
    costs no encoding. The schema must be migrated.
    """
    encode = encoder or portrait_encoder(settings.face_match)
    sealer = DataSealer.from_settings(settings)
    database = Database(settings.resolved_database_url, audit_key=settings.resolved_audit_key)
    seeded: list[SeedPerson] = []
    try:
        for demo in DEMO_PEOPLE:
            portrait = demo.reference_photo(folder).read_bytes()
            number = demo.personal_number
            with database.reading() as session:
                entry = find_registry_entry(session, sealer, number)
                stored = None if entry is None else read_registry_entry(entry, sealer, number)
            if (
                stored is not None
                and stored.portrait == portrait
                and stored.birth_date == demo.birth_date
                and stored.template is not None
            ):
                seeded.append(SeedPerson(demo.name, number, demo.birth_date, created=False))
                continue
            template = encode(portrait)  # outside the write transaction: it takes a while
            with database.transaction() as session:
                enroll_registry_person(
                    session,
                    sealer,
                    RegistryPerson(number, demo.birth_date, portrait, template),
                )
            seeded.append(SeedPerson(demo.name, number, demo.birth_date, created=True))
    finally:
        database.dispose()
    return seeded
