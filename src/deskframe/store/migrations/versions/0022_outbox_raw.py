"""outbox.raw: a message's bytes, composed once at enqueue by its delivery

A worker then sends the stored bytes instead of composing the message on every attempt (an
e-mail's MIME structure costs more CPU than its SMTP transaction). NULL for messages enqueued
before this revision, or whose delivery composes nothing: those are composed when sent.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("raw", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("raw")
