"""Revision 0008 seals the personal data of rows written before it, and they stay readable."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import inspect, select
from sqlalchemy.engine import make_url

from backend.contracts import make_case_number
from backend.db import Database, make_engine
from backend.identity.personal_data import open_case_personal_data
from backend.identity.registry import DatabasePersonRegistry
from backend.identity.sealing import DataSealer, sealing_context
from backend.migrate import migrate_database_to, upgrade_database
from backend.models import Case, FaceVerification, RegistryEntry
from backend.services.identity_report import identity_report
from config.settings import BackendSettings
from tests.backend.conftest import CITIZEN_PHONE, CITIZEN_TEXT, SECRET_KEY

NUMBER = "30408612600011"
OTHER_NUMBER = "40512901234568"
BIRTH = date(1961, 8, 4)
PORTRAIT = b"\xff\xd8\xff\xe0 a registry portrait"
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
VERIFICATION_ID = uuid.uuid4()
FIRST_CASE, SECOND_CASE = make_case_number("0042", 1), make_case_number("0042", 2)


def _migrate(url: str, revision: str, settings: BackendSettings, *, down: bool = False) -> None:
    migrate_database_to(url, revision, settings, down=down)


def _table(name: str, *columns: sa.ColumnClause) -> sa.TableClause:
    return sa.table(name, *columns)


def _old_case(row_id: int, number: str, personal_number: str | None, phone: str | None) -> dict:
    return {
        "id": row_id,
        "case_number": number,
        "submission_id": uuid.uuid4(),
        "kiosk_id": 1,
        "service_code": "id_card",
        "service_kind": "application",
        "category_code": "id_card",
        "language": "uz_Latn",
        "text": f"{CITIZEN_TEXT} #{row_id}",
        "phone": phone,
        "state": "registered",
        "registered_at": NOW,
        "updated_at": NOW,
        "submitted_at": NOW,
        "payload_hash": "0" * 64,
        "personal_number": personal_number,
        "verification_id": VERIFICATION_ID if row_id == 1 else None,
        "needs_officer_review": row_id == 1,
    }


def _fill_at_0005(url: str, sealer: DataSealer, *, with_people: bool = True) -> None:
    sealed_portrait = sealer.seal(PORTRAIT, sealing_context("registry_people", "portrait", NUMBER))
    kiosks = _table(
        "kiosks",
        *(sa.column(c) for c in ("id", "code", "name", "office", "credential_hash")),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    case_columns = _old_case(1, "", None, None)
    cases = _table(
        "cases",
        *(sa.column(c) for c in case_columns if c not in {"submission_id", "verification_id"}),
        sa.column("submission_id", sa.Uuid()),
        sa.column("verification_id", sa.Uuid()),
    )
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                kiosks.insert().values(
                    id=1, code="0042", name="k", office="o", credential_hash="h", created_at=NOW
                )
            )
            if with_people:
                connection.execute(
                    _table(
                        "registry_people",
                        *(sa.column(c) for c in ("id", "personal_number", "birth_date")),
                        sa.column("portrait_sealed", sa.LargeBinary()),
                        sa.column("created_at", sa.DateTime(timezone=True)),
                        sa.column("updated_at", sa.DateTime(timezone=True)),
                    )
                    .insert()
                    .values(
                        id=1,
                        personal_number=NUMBER,
                        birth_date=BIRTH,
                        portrait_sealed=sealed_portrait,
                        created_at=NOW,
                        updated_at=NOW,
                    )
                )
                verification = {
                    "request_id": uuid.uuid4(),
                    "kiosk_id": 1,
                    "personal_number": NUMBER,
                    "payload_hash": "1" * 64,
                    "decision": "verified",
                    "verify_max_distance": 0.5,
                    "review_max_distance": 0.6,
                    "attempts_left": 3,
                    "refer_to_staff": False,
                    "liveness": "",
                    "created_at": NOW,
                }
                connection.execute(
                    _table(
                        "face_verifications",
                        sa.column("id", sa.Uuid()),
                        sa.column("request_id", sa.Uuid()),
                        sa.column("created_at", sa.DateTime(timezone=True)),
                        *(
                            sa.column(c)
                            for c in verification
                            if c not in {"request_id", "created_at"}
                        ),
                    )
                    .insert()
                    .values(id=VERIFICATION_ID, **verification)
                )
            for row in (
                _old_case(1, FIRST_CASE, NUMBER if with_people else None, CITIZEN_PHONE),
                _old_case(2, SECOND_CASE, OTHER_NUMBER, None),
            ):
                if not with_people:
                    row["verification_id"] = None
                connection.execute(cases.insert().values(**row))
            connection.execute(
                _table(
                    "case_duplicate_hits",
                    *(sa.column(c) for c in ("case_id", "other_personal_number")),
                    *(sa.column(c) for c in ("other_case_number", "distance")),
                    sa.column("found_at", sa.DateTime(timezone=True)),
                )
                .insert()
                .values(
                    case_id=1,
                    other_personal_number=OTHER_NUMBER,
                    other_case_number=SECOND_CASE,
                    distance=0.1,
                    found_at=NOW,
                )
            )
    finally:
        engine.dispose()


def _sqlite_bytes(url: str) -> bytes:
    path = Path(make_url(url).database or "")
    return b"".join(p.read_bytes() for p in path.parent.glob(f"{path.name}*"))


@pytest.fixture
def old_settings(database_url: str, tmp_path: Path) -> BackendSettings:
    return BackendSettings(
        var_dir=tmp_path / "var", database_url=database_url, secret_key=SECRET_KEY
    )


def test_upgrade_seals_existing_rows_and_they_stay_readable(
    database_url: str, database_kind: str, old_settings: BackendSettings
) -> None:
    sealer = DataSealer.from_settings(old_settings)
    _migrate(database_url, "0005", old_settings)
    _fill_at_0005(database_url, sealer)

    upgrade_database(database_url, old_settings)

    database = Database(database_url)
    try:
        with database.reading() as session:
            columns = {
                table: {c["name"] for c in inspect(session.connection()).get_columns(table)}
                for table in ("cases", "face_verifications", "registry_people")
            }
            first, second = session.scalars(select(Case).order_by(Case.id)).all()
            opened = open_case_personal_data(first, sealer)
            assert opened.text == f"{CITIZEN_TEXT} #1"
            assert opened.phone == CITIZEN_PHONE
            assert opened.personal_number == NUMBER
            assert open_case_personal_data(second, sealer).phone is None
            assert first.personal_number_digest == sealer.personal_number_digest(NUMBER)
            verification = session.scalars(select(FaceVerification)).one()
            assert verification.personal_number_digest == sealer.personal_number_digest(NUMBER)
            entry = session.scalars(select(RegistryEntry)).one()
            assert entry.personal_number_digest == sealer.personal_number_digest(NUMBER)
            report = identity_report(session, first.case_number, sealer)
        person = DatabasePersonRegistry(database, sealer).find(NUMBER, BIRTH)
    finally:
        database.dispose()
    for table in columns.values():
        assert not table & {"text", "phone", "personal_number"}
    assert report.personal_number == NUMBER
    assert [hit.other_personal_number for hit in report.duplicates] == [OTHER_NUMBER]
    assert person is not None and person.portrait == PORTRAIT
    if database_kind == "sqlite":
        stored = _sqlite_bytes(database_url)
        for secret in (NUMBER, OTHER_NUMBER, CITIZEN_PHONE, CITIZEN_TEXT):
            assert secret.encode() not in stored


def test_downgrade_opens_cases_again(database_url: str, old_settings: BackendSettings) -> None:
    sealer = DataSealer.from_settings(old_settings)
    _migrate(database_url, "0005", old_settings)
    _fill_at_0005(database_url, sealer, with_people=False)
    upgrade_database(database_url, old_settings)

    _migrate(database_url, "0005", old_settings, down=True)

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT text, phone, personal_number FROM cases ORDER BY id")
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in rows] == [
        (f"{CITIZEN_TEXT} #1", CITIZEN_PHONE, None),
        (f"{CITIZEN_TEXT} #2", None, OTHER_NUMBER),
    ]


def test_downgrade_refuses_while_numbers_are_kept_only_as_digests(
    database_url: str, old_settings: BackendSettings
) -> None:
    _migrate(database_url, "0005", old_settings)
    _fill_at_0005(database_url, DataSealer.from_settings(old_settings))
    upgrade_database(database_url, old_settings)

    with pytest.raises(RuntimeError, match="digests"):
        _migrate(database_url, "0005", old_settings, down=True)
