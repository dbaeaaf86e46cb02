"""time entries keep who corrected or voided them, when and why

``edited_at``/``edited_by`` record the last ``time edit``; ``voided_at``/``voided_by``/
``void_reason`` a ``time void`` (a voided entry is kept, but never listed by default,
billed or reported).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("time_entries") as batch:
        batch.add_column(sa.Column("edited_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("edited_by", sa.String(100), nullable=True))
        batch.add_column(sa.Column("voided_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("voided_by", sa.String(100), nullable=True))
        batch.add_column(sa.Column("void_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("time_entries") as batch:
        for name in ("void_reason", "voided_by", "voided_at", "edited_by", "edited_at"):
            batch.drop_column(name)
