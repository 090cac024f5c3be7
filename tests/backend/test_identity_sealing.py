"""Portraits and templates are sealed at rest with AES-256-GCM, bound to their row and field."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from backend.db import Database
from backend.identity.demo_people import DEMO_PEOPLE, demo_person
from backend.identity.registry import DatabasePersonRegistry
from backend.identity.sealing import (
    SEAL_VERSION,
    DataSealer,
    SealError,
    data_key_from_settings,
    lookup_key_from_settings,
    sealing_context,
)
from backend.identity.templates import template_to_bytes
from backend.models import FaceVerification, RegistryEntry
from config.settings import BackendSettings
from tests.backend.identity_support import (
    VERIFICATIONS,
    MemoizingEncoder,
    photo,
    verification_body,
)

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG"
CONTEXT = sealing_context("registry_people", "portrait", "30408612600011")


def test_a_sealed_blob_opens_only_with_its_key_and_context() -> None:
    sealer = DataSealer(os.urandom(32))
    blob = sealer.seal(b"portrait bytes", CONTEXT)

    assert blob[0] == SEAL_VERSION
    assert blob[1:5] == sealer.key_id
    assert b"portrait bytes" not in blob
    assert sealer.open(blob, CONTEXT) == b"portrait bytes"
    assert sealer.seal(b"portrait bytes", CONTEXT) != blob  # a fresh nonce each time
    with pytest.raises(SealError):
        sealer.open(blob, sealing_context("registry_people", "portrait", "30408612600028"))
    with pytest.raises(SealError):
        sealer.open(blob, sealing_context("registry_people", "template", "30408612600011"))
    with pytest.raises(SealError):
        DataSealer(os.urandom(32)).open(blob, CONTEXT)


@pytest.mark.parametrize("position", [0, 1, 7, 20, -1])
def test_any_altered_byte_is_detected(position: int) -> None:
    sealer = DataSealer(os.urandom(32))
    blob = bytearray(sealer.seal(b"template bytes" * 10, CONTEXT))
    blob[position] ^= 0x01

    with pytest.raises(SealError):
        sealer.open(bytes(blob), CONTEXT)


def test_the_data_key_comes_from_settings_or_from_the_master_secret(tmp_path: Path) -> None:
    key = os.urandom(32)
    given = BackendSettings(var_dir=tmp_path, data_key=base64.b64encode(key).decode())
    derived = BackendSettings(var_dir=tmp_path, secret_key="one secret")

    assert data_key_from_settings(given) == key
    assert len(data_key_from_settings(derived)) == 32
    assert data_key_from_settings(derived) == data_key_from_settings(
        BackendSettings(var_dir=tmp_path, secret_key="one secret")
    )
    assert data_key_from_settings(derived) != data_key_from_settings(
        BackendSettings(var_dir=tmp_path, secret_key="another secret")
    )
    assert data_key_from_settings(derived) != b"one secret".ljust(32, b"\0")
    with pytest.raises(ValueError, match="32 bytes"):
        data_key_from_settings(
            BackendSettings(var_dir=tmp_path, data_key=base64.b64encode(b"short").decode())
        )
    with pytest.raises(ValueError, match="base64"):
        data_key_from_settings(BackendSettings(var_dir=tmp_path, data_key="not base64!"))


def test_registry_columns_hold_no_plaintext(
    seeded_settings: BackendSettings, database: Database, face_encoder: MemoizingEncoder
) -> None:
    with database.reading() as session:
        entries = {e.personal_number_digest: e for e in session.scalars(select(RegistryEntry))}
    sealer = DataSealer.from_settings(seeded_settings)

    assert len(entries) == len(DEMO_PEOPLE)
    for person in DEMO_PEOPLE:
        entry = entries[sealer.personal_number_digest(person.personal_number)]
        reference = person.reference_photo(photo("obama_1").parent).read_bytes()
        template = template_to_bytes(face_encoder(reference))
        assert entry.portrait_sealed is not None and entry.template_sealed is not None
        assert not entry.portrait_sealed[1:].startswith((JPEG_MAGIC, PNG_MAGIC))
        assert JPEG_MAGIC not in entry.portrait_sealed[:64]
        assert reference[:256] not in entry.portrait_sealed
        assert template not in entry.template_sealed
        assert template[:32] not in entry.template_sealed


def test_verification_columns_hold_no_plaintext(
    identity_app: Callable[..., TestClient],
    kiosk_headers: dict[str, str],
    database: Database,
    face_encoder: MemoizingEncoder,
) -> None:
    portrait = photo("obama_2").read_bytes()
    identity_app().post(
        VERIFICATIONS, json=verification_body("obama", portrait), headers=kiosk_headers
    )

    with database.reading() as session:
        row = session.scalars(select(FaceVerification)).one()
    assert row.portrait_sealed is not None and row.template_sealed is not None
    assert JPEG_MAGIC not in row.portrait_sealed[:64]
    assert portrait[:256] not in row.portrait_sealed
    assert template_to_bytes(face_encoder(portrait))[:32] not in row.template_sealed


def test_a_template_moved_to_another_persons_row_does_not_open(
    seeded_settings: BackendSettings, database: Database
) -> None:
    obama, biden = demo_person("obama"), demo_person("biden")
    sealer = DataSealer.from_settings(seeded_settings)
    registry = DatabasePersonRegistry(database, sealer)
    assert registry.find(biden.personal_number, biden.birth_date) is not None
    with database.transaction() as session:
        obama_template = session.scalar(
            select(RegistryEntry.template_sealed).where(
                RegistryEntry.personal_number_digest
                == sealer.personal_number_digest(obama.personal_number)
            )
        )
        session.execute(
            update(RegistryEntry)
            .where(
                RegistryEntry.personal_number_digest
                == sealer.personal_number_digest(biden.personal_number)
            )
            .values(template_sealed=obama_template)
        )

    with pytest.raises(SealError):
        registry.find(biden.personal_number, biden.birth_date)
    assert registry.find(obama.personal_number, obama.birth_date) is not None


def test_a_database_read_with_another_key_opens_nothing(
    seeded_settings: BackendSettings, database: Database
) -> None:
    obama = demo_person("obama")
    other_key = BackendSettings(secret_key="a different master secret")
    registry = DatabasePersonRegistry(database, DataSealer.from_settings(other_key))
    # Another lookup key does not even find the person; the same lookup key finds them, but
    # another data key cannot open what it found.
    assert registry.find(obama.personal_number, obama.birth_date) is None
    same_lookup = DataSealer(
        data_key_from_settings(other_key), lookup_key_from_settings(seeded_settings)
    )
    with pytest.raises(SealError, match="another key"):
        DatabasePersonRegistry(database, same_lookup).find(obama.personal_number, obama.birth_date)
