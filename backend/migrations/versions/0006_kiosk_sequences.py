"""Kiosk case sequences: the highest stored sequence per kiosk, and outbox trouble figures.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATE_FIGURES = ("outbox_rejected", "outbox_stuck", "numbering_refused_today")


def upgrade() -> None:
    with op.batch_alter_table("kiosks") as batch:
        batch.add_column(
            sa.Column("case_sequence", sa.Integer(), server_default="0", nullable=False)
        )
    # Digits 5-11 of a case number are its kiosk's sequence.
    op.execute(
        "UPDATE kiosks SET case_sequence = COALESCE("
        "(SELECT MAX(CAST(SUBSTR(cases.case_number, 5, 7) AS INTEGER)) FROM cases"
        " WHERE cases.kiosk_id = kiosks.id), 0)"
    )
    with op.batch_alter_table("kiosk_states") as batch:
        for name in _STATE_FIGURES:
            batch.add_column(sa.Column(name, sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("kiosk_states") as batch:
        for name in reversed(_STATE_FIGURES):
            batch.drop_column(name)
    with op.batch_alter_table("kiosks") as batch:
        batch.drop_column("case_sequence")
