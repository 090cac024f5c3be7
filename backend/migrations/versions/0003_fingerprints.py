"""Fingerprints of a case, sealed, and the fingerprint duplicate hits.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_fingerprints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("finger", sa.String(length=16), nullable=False),
        sa.Column("exception", sa.String(length=16), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("kiosk_quality", sa.Integer(), nullable=True),
        sa.Column("quality_score", sa.Integer(), nullable=True),
        sa.Column("quality_issues", sa.Text(), nullable=False),
        sa.Column("minutiae_count", sa.Integer(), nullable=True),
        sa.Column("image_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("template_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_fingerprints_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_fingerprints")),
        sa.UniqueConstraint("case_id", "finger", name=op.f("uq_case_fingerprints_case_id")),
    )
    op.create_index(op.f("ix_case_fingerprints_case_id"), "case_fingerprints", ["case_id"])
    op.create_table(
        "case_fingerprint_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("finger", sa.String(length=16), nullable=False),
        sa.Column("other_case_number", sa.String(length=12), nullable=False),
        sa.Column("other_personal_number", sa.String(length=14), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_fingerprint_hits_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_fingerprint_hits")),
        sa.UniqueConstraint(
            "case_id",
            "finger",
            "other_case_number",
            name=op.f("uq_case_fingerprint_hits_case_id"),
        ),
    )
    op.create_index(op.f("ix_case_fingerprint_hits_case_id"), "case_fingerprint_hits", ["case_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_case_fingerprint_hits_case_id"), table_name="case_fingerprint_hits")
    op.drop_table("case_fingerprint_hits")
    op.drop_index(op.f("ix_case_fingerprints_case_id"), table_name="case_fingerprints")
    op.drop_table("case_fingerprints")
