"""Fleet operations: kiosk states and heartbeat history, alerts, commands, screenshots, staff.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _kiosk_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"], name=f"fk_{table}_kiosk_id_kiosks")


def upgrade() -> None:
    op.create_table(
        "kiosk_states",
        sa.Column("kiosk_id", sa.Integer(), nullable=False),
        sa.Column("last_heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("software_version", sa.String(length=40), nullable=False),
        sa.Column("uptime_seconds", sa.BigInteger(), nullable=False),
        sa.Column("screen", sa.String(length=40), nullable=False),
        sa.Column("in_service", sa.Boolean(), nullable=False),
        sa.Column("out_of_service_reason", sa.String(length=200), nullable=True),
        sa.Column("devices", sa.Text(), nullable=False),
        sa.Column("outbox_backlog", sa.Integer(), nullable=False),
        sa.Column("submissions_today", sa.Integer(), nullable=False),
        _kiosk_fk("kiosk_states"),
        sa.PrimaryKeyConstraint("kiosk_id", name=op.f("pk_kiosk_states")),
    )
    op.create_table(
        "kiosk_heartbeats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("screen", sa.String(length=40), nullable=False),
        sa.Column("outbox_backlog", sa.Integer(), nullable=False),
        sa.Column("submissions_today", sa.Integer(), nullable=False),
        sa.Column("devices_summary", sa.String(length=200), nullable=False),
        _kiosk_fk("kiosk_heartbeats"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosk_heartbeats")),
    )
    op.create_index("ix_kiosk_heartbeats_kiosk_id_at", "kiosk_heartbeats", ["kiosk_id", "at"])
    op.create_index("ix_kiosk_heartbeats_at", "kiosk_heartbeats", ["at"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("device", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        _kiosk_fk("alerts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    op.create_index(op.f("ix_alerts_kiosk_id"), "alerts", ["kiosk_id"])
    op.create_index("ix_alerts_opened_at", "alerts", ["opened_at"])
    op.create_index(
        "uq_alerts_open",
        "alerts",
        ["kiosk_id", "kind", "device"],
        unique=True,
        sqlite_where=sa.text("closed_at IS NULL"),
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_table(
        "kiosk_commands",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kiosk_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result_detail", sa.String(length=200), nullable=True),
        _kiosk_fk("kiosk_commands"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosk_commands")),
    )
    op.create_index("ix_kiosk_commands_kiosk_id_state", "kiosk_commands", ["kiosk_id", "state"])
    op.create_table(
        "kiosk_screenshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("png", sa.LargeBinary(), nullable=False),
        sa.Column("command_id", sa.Uuid(), nullable=True),
        _kiosk_fk("kiosk_screenshots"),
        sa.ForeignKeyConstraint(
            ["command_id"],
            ["kiosk_commands.id"],
            name=op.f("fk_kiosk_screenshots_command_id_kiosk_commands"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosk_screenshots")),
    )
    op.create_index(
        "ix_kiosk_screenshots_kiosk_id_taken_at", "kiosk_screenshots", ["kiosk_id", "taken_at"]
    )
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("disabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_users_username")),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_users.id"], name=op.f("fk_staff_sessions_user_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_sessions_token_hash")),
    )
    op.create_index(op.f("ix_staff_sessions_user_id"), "staff_sessions", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_staff_sessions_user_id"), table_name="staff_sessions")
    op.drop_table("staff_sessions")
    op.drop_table("staff_users")
    op.drop_index("ix_kiosk_screenshots_kiosk_id_taken_at", table_name="kiosk_screenshots")
    op.drop_table("kiosk_screenshots")
    op.drop_index("ix_kiosk_commands_kiosk_id_state", table_name="kiosk_commands")
    op.drop_table("kiosk_commands")
    op.drop_index("uq_alerts_open", table_name="alerts")
    op.drop_index("ix_alerts_opened_at", table_name="alerts")
    op.drop_index(op.f("ix_alerts_kiosk_id"), table_name="alerts")
    op.drop_table("alerts")
    op.drop_index("ix_kiosk_heartbeats_at", table_name="kiosk_heartbeats")
    op.drop_index("ix_kiosk_heartbeats_kiosk_id_at", table_name="kiosk_heartbeats")
    op.drop_table("kiosk_heartbeats")
    op.drop_table("kiosk_states")
