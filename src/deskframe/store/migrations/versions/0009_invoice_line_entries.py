"""invoice_line_entries: the link from a billed time entry to its invoice line, as a table

Replaces the ``time_entries.invoice_line_id`` column. Existing links are copied over
before the column is dropped, so a desk keeps everything it has billed; the downgrade
copies them back. ``entry_id`` has no foreign key (see ``InvoiceLineEntryRow``).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


_HOLD = "migration_0009_links"  # the links while the table they live in is rebuilt


def upgrade() -> None:
    # SQLite drops a column by rebuilding the table, which a table referencing its rows
    # (with foreign keys on) would refuse: park the links, rebuild, then create the link table
    op.execute(
        f"CREATE TABLE {_HOLD} AS SELECT id AS entry_id, invoice_line_id AS line_id "
        "FROM time_entries WHERE invoice_line_id IS NOT NULL"
    )
    with op.batch_alter_table("time_entries") as batch:
        batch.drop_index("ix_time_entries_invoice_line_id")
        batch.drop_constraint("fk_time_entries_invoice_line_id", type_="foreignkey")
        batch.drop_column("invoice_line_id")
    op.create_table(
        "invoice_line_entries",
        sa.Column("entry_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["line_id"], ["invoice_lines.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("entry_id"),
    )
    op.create_index("ix_invoice_line_entries_line_id", "invoice_line_entries", ["line_id"])
    op.execute(
        f"INSERT INTO invoice_line_entries (entry_id, line_id) SELECT entry_id, line_id FROM {_HOLD} ORDER BY entry_id"
    )
    op.drop_table(_HOLD)


def downgrade() -> None:
    op.execute(f"CREATE TABLE {_HOLD} AS SELECT entry_id, line_id FROM invoice_line_entries")
    op.drop_index("ix_invoice_line_entries_line_id", table_name="invoice_line_entries")
    op.drop_table("invoice_line_entries")
    with op.batch_alter_table("time_entries") as batch:
        batch.add_column(sa.Column("invoice_line_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_time_entries_invoice_line_id", "invoice_lines", ["invoice_line_id"], ["id"])
        batch.create_index("ix_time_entries_invoice_line_id", ["invoice_line_id"])
    op.execute(
        f"UPDATE time_entries SET invoice_line_id = (SELECT h.line_id FROM {_HOLD} h "
        "WHERE h.entry_id = time_entries.id)"
    )
    op.drop_table(_HOLD)
