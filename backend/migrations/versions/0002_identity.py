"""Identity: registry people, face verifications, duplicate hits, and the case's identity.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registry_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("personal_number", sa.String(length=14), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("portrait_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("template_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_people")),
        sa.UniqueConstraint("personal_number", name=op.f("uq_registry_people_personal_number")),
    )
    op.create_table(
        "face_verifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("kiosk_id", sa.Integer(), nullable=False),
        sa.Column("personal_number", sa.String(length=14), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("refusal", sa.String(length=32), nullable=True),
        sa.Column("distance", sa.Float(), nullable=True),
        sa.Column("verify_max_distance", sa.Float(), nullable=False),
        sa.Column("review_max_distance", sa.Float(), nullable=False),
        sa.Column("attempts_left", sa.Integer(), nullable=False),
        sa.Column("refer_to_staff", sa.Boolean(), nullable=False),
        sa.Column("liveness", sa.Text(), nullable=False),
        sa.Column("portrait_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("template_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["kiosk_id"], ["kiosks.id"], name=op.f("fk_face_verifications_kiosk_id_kiosks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_face_verifications")),
        sa.UniqueConstraint("request_id", name=op.f("uq_face_verifications_request_id")),
    )
    op.create_index(
        "ix_face_verifications_kiosk_id_created_at",
        "face_verifications",
        ["kiosk_id", "created_at"],
    )
    op.create_index(
        "ix_face_verifications_personal_number_created_at",
        "face_verifications",
        ["personal_number", "created_at"],
    )
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("personal_number", sa.String(length=14), nullable=True))
        batch.add_column(sa.Column("verification_id", sa.Uuid(), nullable=True))
        batch.add_column(
            sa.Column(
                "needs_officer_review", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch.create_index(batch.f("ix_cases_personal_number"), ["personal_number"])
        batch.create_unique_constraint(batch.f("uq_cases_verification_id"), ["verification_id"])
        batch.create_foreign_key(
            batch.f("fk_cases_verification_id_face_verifications"),
            "face_verifications",
            ["verification_id"],
            ["id"],
        )
    op.create_table(
        "case_duplicate_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("other_personal_number", sa.String(length=14), nullable=False),
        sa.Column("other_case_number", sa.String(length=12), nullable=False),
        sa.Column("distance", sa.Float(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_duplicate_hits_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_duplicate_hits")),
        sa.UniqueConstraint(
            "case_id", "other_case_number", name=op.f("uq_case_duplicate_hits_case_id")
        ),
    )
    op.create_index(op.f("ix_case_duplicate_hits_case_id"), "case_duplicate_hits", ["case_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_case_duplicate_hits_case_id"), table_name="case_duplicate_hits")
    op.drop_table("case_duplicate_hits")
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint(
            batch.f("fk_cases_verification_id_face_verifications"), type_="foreignkey"
        )
        batch.drop_constraint(batch.f("uq_cases_verification_id"), type_="unique")
        batch.drop_index(batch.f("ix_cases_personal_number"))
        batch.drop_column("needs_officer_review")
        batch.drop_column("verification_id")
        batch.drop_column("personal_number")
    op.drop_index(
        "ix_face_verifications_personal_number_created_at", table_name="face_verifications"
    )
    op.drop_index("ix_face_verifications_kiosk_id_created_at", table_name="face_verifications")
    op.drop_table("face_verifications")
    op.drop_table("registry_people")
