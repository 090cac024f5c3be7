"""The person registry the backend verifies faces against.

``PersonRegistry`` is where the national population registry plugs in; the database-backed
registry here holds the demo people and any locally enrolled reference photos, sealed at rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.audit import append_audit
from backend.db import Database
from backend.db_types import utc_now
from backend.identity.sealing import DataSealer, sealing_context
from backend.identity.templates import template_from_bytes, template_to_bytes
from backend.models import RegistryEntry

_TABLE = "registry_people"


@dataclass(frozen=True)
class RegistryPerson:
    """A registry record: its reference portrait, its reference template, or both."""

    personal_number: str
    birth_date: date
    portrait: bytes | None = None
    template: np.ndarray | None = None


class PersonRegistry(Protocol):
    def find(self, personal_number: str, birth_date: date) -> RegistryPerson | None:
        """The person with this number, or None when unknown or the birth date differs."""
        ...


def _portrait_context(personal_number: str) -> bytes:
    return sealing_context(_TABLE, "portrait", personal_number)


def _template_context(personal_number: str) -> bytes:
    return sealing_context(_TABLE, "template", personal_number)


def find_registry_entry(
    session: Session, sealer: DataSealer, personal_number: str
) -> RegistryEntry | None:
    """The entry of this personal number, found by its keyed digest."""
    digest = sealer.personal_number_digest(personal_number)
    return session.scalar(
        select(RegistryEntry).where(RegistryEntry.personal_number_digest == digest)
    )


def read_registry_entry(
    entry: RegistryEntry, sealer: DataSealer, number: str, *, with_portrait: bool = True
) -> RegistryPerson:
    """A stored entry, found under personal number ``number``, opened; raises SealError if a
    blob was altered or moved (the blobs are bound to the number, which is not stored)."""
    portrait = None
    if with_portrait and entry.portrait_sealed is not None:
        portrait = sealer.open(entry.portrait_sealed, _portrait_context(number))
    template = None
    if entry.template_sealed is not None:
        template = template_from_bytes(
            sealer.open(entry.template_sealed, _template_context(number))
        )
    return RegistryPerson(number, entry.birth_date, portrait, template)


def enroll_registry_person(
    session: Session,
    sealer: DataSealer,
    person: RegistryPerson,
    actor: str = "system",
) -> RegistryEntry:
    """Add a person, or replace the reference of the one with this number (audited)."""
    entry = find_registry_entry(session, sealer, person.personal_number)
    now = utc_now()
    if entry is None:
        digest = sealer.personal_number_digest(person.personal_number)
        entry = RegistryEntry(personal_number_digest=digest, created_at=now)
        session.add(entry)
    entry.birth_date = person.birth_date
    entry.updated_at = now
    number = person.personal_number
    entry.portrait_sealed = (
        None if person.portrait is None else sealer.seal(person.portrait, _portrait_context(number))
    )
    entry.template_sealed = (
        None
        if person.template is None
        else sealer.seal(template_to_bytes(person.template), _template_context(number))
    )
    session.flush()
    append_audit(
        session,
        actor,
        "registry.enrolled",
        f"registry:{entry.id}",
        {"portrait": person.portrait is not None, "template": person.template is not None},
    )
    return entry


class DatabasePersonRegistry:
    """``PersonRegistry`` over the ``registry_people`` table."""

    def __init__(self, database: Database, sealer: DataSealer) -> None:
        self._database = database
        self._sealer = sealer

    def find(self, personal_number: str, birth_date: date) -> RegistryPerson | None:
        with self._database.reading() as session:
            entry = find_registry_entry(session, self._sealer, personal_number)
            if entry is None or entry.birth_date != birth_date:
                return None
            # The portrait is only needed when no template was cached at enrolment.
            return read_registry_entry(
                entry, self._sealer, personal_number, with_portrait=entry.template_sealed is None
            )
