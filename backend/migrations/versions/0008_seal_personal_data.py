"""Personal data sealed at rest: a case's text, phone and personal number become AES-GCM blobs,
and personal numbers are looked up by a keyed digest instead of being stored in the clear.

The keys come from ``config.attributes["settings"]`` (``backend.migrate`` hands them over),
else from the environment's settings. A downgrade restores the cases' plaintext; it refuses to
run while registry people or face verifications exist, whose numbers are kept only as digests.

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from backend.identity.sealing import DataSealer, sealing_context

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CASE_FIELDS = ("text", "phone", "personal_number")

_cases = sa.table(
    "cases",
    sa.column("id", sa.Integer),
    sa.column("case_number", sa.String),
    *(sa.column(field, sa.String) for field in _CASE_FIELDS),
    *(sa.column(f"{field}_sealed", sa.LargeBinary) for field in _CASE_FIELDS),
    sa.column("personal_number_digest", sa.String),
)
_verifications = sa.table(
    "face_verifications",
    sa.column("id", sa.Uuid),
    sa.column("personal_number", sa.String),
    sa.column("personal_number_digest", sa.String),
)
_registry = sa.table(
    "registry_people",
    sa.column("id", sa.Integer),
    sa.column("personal_number", sa.String),
    sa.column("personal_number_digest", sa.String),
)


def _sealer() -> DataSealer:
    settings = context.config.attributes.get("settings")
    if settings is None:
        from config.settings import BackendSettings

        settings = BackendSettings()
    return DataSealer.from_settings(settings)


def _has_rows(table: sa.TableClause) -> bool:
    return (
        op.get_bind().execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first()
        is not None
    )


def _digest_numbers(table: sa.TableClause, sealer: DataSealer) -> None:
    bind = op.get_bind()
    for row_id, number in bind.execute(sa.select(table.c.id, table.c.personal_number)).all():
        bind.execute(
            table.update()
            .where(table.c.id == row_id)
            .values(personal_number_digest=sealer.personal_number_digest(number))
        )


def _seal_cases(sealer: DataSealer) -> None:
    bind = op.get_bind()
    columns = [_cases.c[field] for field in _CASE_FIELDS]
    for row_id, case_number, *values in bind.execute(
        sa.select(_cases.c.id, _cases.c.case_number, *columns)
    ).all():
        sealed = {
            f"{field}_sealed": None
            if value is None
            else sealer.seal(value.encode(), sealing_context("cases", field, case_number))
            for field, value in zip(_CASE_FIELDS, values, strict=True)
        }
        number = values[-1]
        digest = None if number is None else sealer.personal_number_digest(number)
        bind.execute(
            _cases.update()
            .where(_cases.c.id == row_id)
            .values(**sealed, personal_number_digest=digest)
        )


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("text_sealed", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("phone_sealed", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("personal_number_sealed", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("personal_number_digest", sa.String(length=64), nullable=True))
    with op.batch_alter_table("face_verifications") as batch:
        batch.add_column(sa.Column("personal_number_digest", sa.String(length=64), nullable=True))
    with op.batch_alter_table("registry_people") as batch:
        batch.add_column(sa.Column("personal_number_digest", sa.String(length=64), nullable=True))

    if _has_rows(_cases) or _has_rows(_verifications) or _has_rows(_registry):
        sealer = _sealer()
        _seal_cases(sealer)
        _digest_numbers(_verifications, sealer)
        _digest_numbers(_registry, sealer)

    with op.batch_alter_table("cases") as batch:
        batch.drop_index(batch.f("ix_cases_personal_number"))
        batch.drop_column("text")
        batch.drop_column("phone")
        batch.drop_column("personal_number")
        batch.alter_column("text_sealed", existing_type=sa.LargeBinary(), nullable=False)
        batch.create_index(batch.f("ix_cases_personal_number_digest"), ["personal_number_digest"])
    op.drop_index(
        "ix_face_verifications_personal_number_created_at", table_name="face_verifications"
    )
    with op.batch_alter_table("face_verifications") as batch:
        batch.drop_column("personal_number")
        batch.alter_column(
            "personal_number_digest", existing_type=sa.String(length=64), nullable=False
        )
    op.create_index(
        "ix_face_verifications_personal_number_digest_created_at",
        "face_verifications",
        ["personal_number_digest", "created_at"],
    )
    with op.batch_alter_table("registry_people") as batch:
        batch.drop_constraint(batch.f("uq_registry_people_personal_number"), type_="unique")
        batch.drop_column("personal_number")
        batch.alter_column(
            "personal_number_digest", existing_type=sa.String(length=64), nullable=False
        )
        batch.create_unique_constraint(
            batch.f("uq_registry_people_personal_number_digest"), ["personal_number_digest"]
        )
    # The other case's number is read from that case, where it is sealed.
    with op.batch_alter_table("case_duplicate_hits") as batch:
        batch.drop_column("other_personal_number")
    with op.batch_alter_table("case_fingerprint_hits") as batch:
        batch.drop_column("other_personal_number")


def _open_cases(sealer: DataSealer) -> None:
    bind = op.get_bind()
    columns = [_cases.c[f"{field}_sealed"] for field in _CASE_FIELDS]
    for row_id, case_number, *blobs in bind.execute(
        sa.select(_cases.c.id, _cases.c.case_number, *columns)
    ).all():
        opened = {
            field: None
            if blob is None
            else sealer.open(blob, sealing_context("cases", field, case_number)).decode()
            for field, blob in zip(_CASE_FIELDS, blobs, strict=True)
        }
        bind.execute(_cases.update().where(_cases.c.id == row_id).values(**opened))


def downgrade() -> None:
    if _has_rows(_verifications) or _has_rows(_registry):
        raise RuntimeError(
            "registry people and face verifications keep personal numbers only as keyed "
            "digests; they cannot be downgraded"
        )
    with op.batch_alter_table("case_fingerprint_hits") as batch:
        batch.add_column(sa.Column("other_personal_number", sa.String(length=14), nullable=True))
    with op.batch_alter_table("case_duplicate_hits") as batch:
        batch.add_column(
            sa.Column(
                "other_personal_number", sa.String(length=14), nullable=False, server_default=""
            )
        )
    with op.batch_alter_table("registry_people") as batch:
        batch.drop_constraint(batch.f("uq_registry_people_personal_number_digest"), type_="unique")
        batch.drop_column("personal_number_digest")
        batch.add_column(sa.Column("personal_number", sa.String(length=14), nullable=False))
        batch.create_unique_constraint(
            batch.f("uq_registry_people_personal_number"), ["personal_number"]
        )
    op.drop_index(
        "ix_face_verifications_personal_number_digest_created_at", table_name="face_verifications"
    )
    with op.batch_alter_table("face_verifications") as batch:
        batch.drop_column("personal_number_digest")
        batch.add_column(sa.Column("personal_number", sa.String(length=14), nullable=False))
    op.create_index(
        "ix_face_verifications_personal_number_created_at",
        "face_verifications",
        ["personal_number", "created_at"],
    )
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("phone", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("personal_number", sa.String(length=14), nullable=True))
    if _has_rows(_cases):
        _open_cases(_sealer())
    with op.batch_alter_table("cases") as batch:
        batch.drop_index(batch.f("ix_cases_personal_number_digest"))
        batch.drop_column("personal_number_digest")
        batch.drop_column("personal_number_sealed")
        batch.drop_column("phone_sealed")
        batch.drop_column("text_sealed")
        batch.alter_column("text", existing_type=sa.Text(), nullable=False)
        batch.create_index(batch.f("ix_cases_personal_number"), ["personal_number"])
