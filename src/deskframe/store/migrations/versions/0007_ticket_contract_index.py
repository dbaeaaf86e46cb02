"""index tickets by contract (invoice runs read each contract's unbilled time)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tickets_contract_id", "tickets", ["contract_id"])


def downgrade() -> None:
    op.drop_index("ix_tickets_contract_id", table_name="tickets")
