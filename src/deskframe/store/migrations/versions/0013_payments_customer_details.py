"""payments, invoice due dates, customer tax details

* ``payments``: money received against an issued invoice (partial payments add up);
* ``invoices.due_date``: fixed when the invoice is issued (issue date + the
  configured ``payment_terms_days``), so a later change of terms moves no due date;
* ``invoices.buyer``: the customer's tax details as they were when it was issued
  (an issued invoice never changes; a draft shows the directory's current ones);
* ``customers.inn``, ``customers.kpp``, ``customers.address``: the buyer's details
  printed on invoices (all optional).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.String(length=40), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name="fk_payments_invoice_id"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_payments_invoice_id", "payments", ["invoice_id"])
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("due_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("buyer", sa.JSON(), nullable=True))
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("inn", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("kpp", sa.String(length=9), nullable=True))
        batch.add_column(sa.Column("address", sa.Text(), nullable=True))


def downgrade() -> None:
    # plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch rebuild of
    # ``customers`` or ``invoices`` would drop a table other tables' foreign keys point at
    for table, column in (
        ("customers", "address"),
        ("customers", "kpp"),
        ("customers", "inn"),
        ("invoices", "buyer"),
        ("invoices", "due_date"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    op.drop_index("ix_payments_invoice_id", table_name="payments")
    op.drop_table("payments")
