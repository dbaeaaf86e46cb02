"""each SLA clock's target in working time stored when it starts

* ``sla_clocks.target_us``: the working microseconds from ``started_at`` to ``due_base`` (the
  due time before any pause credit) in the clock's calendar, set by the SLA service when it
  starts the clock, with the calendar in force then. A report's "target" column reads it
  instead of computing every clock's span from the calendar; NULL for clocks started before
  this revision (a report computes those from the calendar, as before).

No index on ``tickets (customer_id, created_at)``: tried, and on the benchmark's data (ticket ids
not in creation order) SQLite then visited a period's tickets in creation order, so their clocks
in random order, and the bare count of clocks per ticket's priority took twice as long; the
report's own read of those clocks was slower with it too.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sla_clocks", sa.Column("target_us", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    # plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL), as 0025 and 0026
    op.execute("ALTER TABLE sla_clocks DROP COLUMN target_us")
