"""account language: the page language an agent or a portal contact chose (``en``, ``ru``)

The pages use it on every device the account logs in from; None: the browser's
``Accept-Language`` decides (docs/web.md).

Revision ID: 0025
Revises: 0023
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("agents", "contacts"):
        op.add_column(table, sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    # plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL), as 0015: a batch rebuild of
    # ``agents`` or ``contacts`` would drop a table other tables' foreign keys point at
    for table in ("agents", "contacts"):
        op.execute(f"ALTER TABLE {table} DROP COLUMN language")
