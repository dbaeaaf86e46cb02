"""composite indexes for the filtered ticket lists (state; queue and owner), newest first

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tickets_state_updated", "tickets", ["state", "updated_at"])
    op.create_index("ix_tickets_queue_owner_updated", "tickets", ["queue_id", "owner_id", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_tickets_queue_owner_updated", table_name="tickets")
    op.drop_index("ix_tickets_state_updated", table_name="tickets")
