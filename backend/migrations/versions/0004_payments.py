"""State fee payment orders and the provider's transactions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment_orders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account", sa.String(length=20), nullable=False),
        sa.Column("kiosk_id", sa.Integer(), nullable=False),
        sa.Column("service_code", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("amount_tiyin", sa.BigInteger(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider_transaction_id", sa.String(length=64), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["kiosk_id"], ["kiosks.id"], name=op.f("fk_payment_orders_kiosk_id_kiosks")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_payment_orders_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_orders")),
        sa.UniqueConstraint("account", name=op.f("uq_payment_orders_account")),
        sa.UniqueConstraint("case_id", name=op.f("uq_payment_orders_case_id")),
    )
    op.create_index(op.f("ix_payment_orders_kiosk_id"), "payment_orders", ["kiosk_id"])
    op.create_index(op.f("ix_payment_orders_state"), "payment_orders", ["state"])
    op.create_index(op.f("ix_payment_orders_created_at"), "payment_orders", ["created_at"])
    op.create_table(
        "payment_transactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("provider_transaction_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("amount_tiyin", sa.BigInteger(), nullable=False),
        sa.Column("provider_time", sa.BigInteger(), nullable=False),
        sa.Column("create_time", sa.BigInteger(), nullable=False),
        sa.Column("perform_time", sa.BigInteger(), nullable=True),
        sa.Column("cancel_time", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["payment_orders.id"],
            name=op.f("fk_payment_transactions_order_id_payment_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_transactions")),
        sa.UniqueConstraint(
            "provider",
            "provider_transaction_id",
            name=op.f("uq_payment_transactions_provider"),
        ),
    )
    op.create_index(op.f("ix_payment_transactions_order_id"), "payment_transactions", ["order_id"])
    op.create_index(
        op.f("ix_payment_transactions_create_time"), "payment_transactions", ["create_time"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_payment_transactions_create_time"), table_name="payment_transactions")
    op.drop_index(op.f("ix_payment_transactions_order_id"), table_name="payment_transactions")
    op.drop_table("payment_transactions")
    op.drop_index(op.f("ix_payment_orders_created_at"), table_name="payment_orders")
    op.drop_index(op.f("ix_payment_orders_state"), table_name="payment_orders")
    op.drop_index(op.f("ix_payment_orders_kiosk_id"), table_name="payment_orders")
    op.drop_table("payment_orders")
