"""time entries by ticket and work date: a period's time of a customer without its whole history

``ix_time_entries_ticket_work_date`` on ``time_entries (ticket_id, work_date)``: the time sums of
a report (``desk.activity.time``) reach a customer's entries through its tickets and keep one
period's work dates; with the ticket_id index alone they read every entry the ticket ever had
(a customer's report for September read October's 50,000 entries too).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_time_entries_ticket_work_date", "time_entries", ["ticket_id", "work_date"])


def downgrade() -> None:
    op.drop_index("ix_time_entries_ticket_work_date", table_name="time_entries")
