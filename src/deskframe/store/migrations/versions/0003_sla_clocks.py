"""SLA clocks

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sla_clocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("policy", sa.String(length=100), nullable=False),
        sa.Column("calendar", sa.String(length=100), nullable=False),
        sa.Column("stop_on", sa.String(length=20), nullable=False),
        sa.Column("pause_on", sa.JSON(), nullable=False),
        sa.Column("escalate_to", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("due_base", sa.DateTime(), nullable=False),
        sa.Column("warn_base", sa.DateTime(), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("warn_at", sa.DateTime(), nullable=True),
        sa.Column("paused_at", sa.DateTime(), nullable=True),
        sa.Column("paused_seconds", sa.BigInteger(), nullable=False),
        sa.Column("stopped_at", sa.DateTime(), nullable=True),
        sa.Column("warned_at", sa.DateTime(), nullable=True),
        sa.Column("breached_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sla_clocks_ticket_id", "sla_clocks", ["ticket_id"])
    op.create_index("ix_sla_clocks_due_at", "sla_clocks", ["due_at"])
    op.create_index("ix_sla_clocks_warn_at", "sla_clocks", ["warn_at"])
    op.create_index("ix_sla_clocks_status_due", "sla_clocks", ["status", "due_at"])


def downgrade() -> None:
    for name in (
        "ix_sla_clocks_status_due",
        "ix_sla_clocks_warn_at",
        "ix_sla_clocks_due_at",
        "ix_sla_clocks_ticket_id",
    ):
        op.drop_index(name, table_name="sla_clocks")
    op.drop_table("sla_clocks")
