"""billing: estimates, invoices, invoice lines, series; time entries link to the line that billed them

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "estimates",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("hours", sa.String(length=40), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("approved_by", sa.String(length=100), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("subtotal", sa.String(length=40), nullable=False),
        sa.Column("tax_rate", sa.String(length=40), nullable=False),
        sa.Column("tax", sa.String(length=40), nullable=False),
        sa.Column("total", sa.String(length=40), nullable=False),
        sa.Column("held", sa.JSON(), nullable=False),
        sa.Column("vendor", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=True),
        sa.Column("credit_for_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("link_token", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["contract_id"], ["contracts.id"]),
        sa.ForeignKeyConstraint(["credit_for_id"], ["invoices.id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
        sa.UniqueConstraint("link_token"),
    )
    op.create_index("ix_invoices_status", "invoices", ["status"])
    op.create_index("ix_invoices_customer_id", "invoices", ["customer_id"])
    op.create_index("ix_invoices_contract_id", "invoices", ["contract_id"])
    op.create_index("ix_invoices_period", "invoices", ["period"])
    op.create_table(
        "invoice_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("unit_price", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.String(length=40), nullable=False),
        sa.Column("ticket", sa.String(length=40), nullable=True),
        sa.Column("agent", sa.String(length=100), nullable=True),
        sa.Column("work_date", sa.Date(), nullable=True),
        sa.Column("original_date", sa.Date(), nullable=True),
        sa.Column("estimate_hours", sa.String(length=40), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_invoice_lines_invoice_id", "invoice_lines", ["invoice_id"])
    op.create_table(
        "invoice_series",
        sa.Column("series", sa.String(length=40), nullable=False),
        sa.Column("last", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("series"),
    )
    with op.batch_alter_table("time_entries") as batch:
        batch.add_column(sa.Column("invoice_line_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_time_entries_invoice_line_id", "invoice_lines", ["invoice_line_id"], ["id"])
        batch.create_index("ix_time_entries_invoice_line_id", ["invoice_line_id"])


def downgrade() -> None:
    with op.batch_alter_table("time_entries") as batch:
        batch.drop_index("ix_time_entries_invoice_line_id")
        batch.drop_constraint("fk_time_entries_invoice_line_id", type_="foreignkey")
        batch.drop_column("invoice_line_id")
    op.drop_table("invoice_series")
    op.drop_index("ix_invoice_lines_invoice_id", table_name="invoice_lines")
    op.drop_table("invoice_lines")
    for name in ("ix_invoices_period", "ix_invoices_contract_id", "ix_invoices_customer_id", "ix_invoices_status"):
        op.drop_index(name, table_name="invoices")
    op.drop_table("invoices")
    op.drop_table("estimates")
