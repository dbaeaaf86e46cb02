"""Outside text without length limits; intake keys stored as SHA-256; Message-ID hash index

A sender, subject, Message-ID, file name or external id longer than its ``varchar(N)``
made PostgreSQL refuse a whole intake batch (SQLite never enforced the lengths).

* Every column that takes outside data becomes ``text`` (on SQLite the declared
  length was never enforced and the column is left alone: no table rebuilds).
* ``intake_keys`` is keyed by ``(channel, key_sha256)``; the external id itself stays
  in ``key`` (text), so the downgrade can put it back.
* ``ix_articles_message_id`` becomes a hash index on PostgreSQL (a B-tree entry holds
  at most ~2.7 kB, a Message-ID may be longer).

The downgrade cuts text longer than the old limits to fit them; intake keys longer
than 500 characters (which the old schema could not hold) are dropped with it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: (table, column, old length, nullable)
WIDENED = [
    ("customers", "key", 100, False),
    ("customers", "name", 300, False),
    ("customer_domains", "domain", 255, False),
    ("contacts", "name", 300, False),
    ("contacts", "email", 320, True),
    ("contacts", "phone", 64, True),
    ("contacts", "phone_digits", 32, True),
    ("agents", "login", 100, False),
    ("agents", "name", 300, False),
    ("agents", "role", 100, False),
    ("agents", "email", 320, True),
    ("queues", "name", 200, False),
    ("tickets", "number", 40, False),
    ("tickets", "subject", 1000, False),
    ("articles", "sender", 500, True),
    ("articles", "subject", 1000, False),
    ("articles", "message_id", 998, True),
    ("attachments", "filename", 255, False),
    ("attachments", "content_type", 255, False),
    ("history", "actor", 200, True),
    ("channel_cursors", "key", 200, False),
    ("external_ids", "external_id", 500, False),
    ("external_ids", "local_id", 200, False),
    ("quarantine", "external_id", 500, False),
    ("quarantine", "ticket_number", 40, True),
    ("estimates", "approved_by", 100, True),
    ("invoice_lines", "ticket", 40, True),
    ("invoice_lines", "agent", 100, True),
]
_OLD_KEYS = "migration_0010_intake_keys"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _intake_keys_table(name: str, *, hashed: bool) -> None:
    key_columns = (
        [sa.Column("key_sha256", sa.String(64), nullable=False), sa.Column("key", sa.Text(), nullable=False)]
        if hashed
        else [sa.Column("key", sa.String(500), nullable=False)]
    )
    op.create_table(
        name,
        sa.Column("channel", sa.String(100), nullable=False),
        *key_columns,
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("channel", "key_sha256" if hashed else "key"),
    )


def _copy_keys(source: str, target: str, *, hashed: bool) -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text(f"SELECT channel, key, ticket_id, article_id FROM {source}")).mappings().all()
    values = []
    for row in rows:
        value = dict(row)
        if hashed:
            value["key_sha256"] = _hash(value["key"])
        elif len(value["key"]) > 500:
            continue  # the old schema cannot hold it
        values.append(value)
    columns = "channel, key_sha256, key, ticket_id, article_id" if hashed else "channel, key, ticket_id, article_id"
    params = ", ".join(":" + c.strip() for c in columns.split(","))
    for start in range(0, len(values), 5000):
        conn.execute(sa.text(f"INSERT INTO {target} ({columns}) VALUES ({params})"), values[start : start + 5000])


def _swap_intake_keys(*, hashed: bool) -> None:
    op.rename_table("intake_keys", _OLD_KEYS)
    if op.get_bind().dialect.name == "postgresql":  # names move with the table there; free them
        op.execute(f"ALTER TABLE {_OLD_KEYS} RENAME CONSTRAINT intake_keys_pkey TO {_OLD_KEYS}_pkey")
    _intake_keys_table("intake_keys", hashed=hashed)
    _copy_keys(_OLD_KEYS, "intake_keys", hashed=hashed)
    op.drop_table(_OLD_KEYS)


def upgrade() -> None:
    _swap_intake_keys(hashed=True)
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: a declared length is never enforced, the columns already hold any text
    for table, column, _length, nullable in WIDENED:
        op.alter_column(table, column, type_=sa.Text(), existing_nullable=nullable)
    op.drop_index("ix_articles_message_id", table_name="articles")
    op.create_index("ix_articles_message_id", "articles", ["message_id"], postgresql_using="hash")


def downgrade() -> None:
    _swap_intake_keys(hashed=False)
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_articles_message_id", table_name="articles")
    for table, column, length, nullable in WIDENED:
        op.alter_column(
            table,
            column,
            type_=sa.String(length),
            existing_nullable=nullable,
            postgresql_using=f"left({column}, {length})",
        )
    op.create_index("ix_articles_message_id", "articles", ["message_id"])
