"""accounts: passwords, access roles, queue rights, API tokens, web sessions, login failures, audit log

* ``agents.access`` (``admin`` | ``agent``, default ``agent``) and ``agents.password_hash``;
* ``contacts.customer_admin`` (default false) and ``contacts.password_hash`` (portal login);
* ``agent_queue_rights``: ``read`` / ``write`` per agent and queue;
* ``api_tokens`` and ``web_sessions``: SHA-256 of the random secret, never the secret;
* ``login_failures``: failed logins by account and address (throttling shared by processes);
* ``audit_log``: logins, failed logins, tokens created and revoked, passwords set.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE ... ADD COLUMN on both databases: a batch rebuild of ``agents`` or ``contacts``
    # would drop a table that tickets, articles and time entries point at
    op.add_column("agents", sa.Column("access", sa.String(length=10), nullable=False, server_default="agent"))
    op.add_column("agents", sa.Column("password_hash", sa.Text(), nullable=True))
    op.add_column("contacts", sa.Column("customer_admin", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("contacts", sa.Column("password_hash", sa.Text(), nullable=True))
    op.create_table(
        "agent_queue_rights",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("access", sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["queue_id"], ["queues.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("agent_id", "queue_id"),
    )
    for table in ("api_tokens", "web_sessions"):
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("secret_hash", sa.String(length=64), nullable=False),
            *([sa.Column("name", sa.Text(), nullable=False)] if table == "api_tokens" else []),
            sa.Column("agent_id", sa.Integer(), nullable=True),
            sa.Column("contact_id", sa.Integer(), nullable=True),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            *(
                [sa.Column("expires_at", sa.DateTime(), nullable=True), sa.Column("revoked_at", sa.DateTime())]
                if table == "api_tokens"
                else [sa.Column("expires_at", sa.DateTime(), nullable=False), sa.Column("ended_at", sa.DateTime())]
            ),
            sa.ForeignKeyConstraint(["agent_id"], ["agents.id"]),
            sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("secret_hash"),
        )
        op.create_index(f"ix_{table}_agent_id", table, ["agent_id"])
        op.create_index(f"ix_{table}_contact_id", table, ["contact_id"])
    op.create_index("ix_web_sessions_expires_at", "web_sessions", ["expires_at"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("account", sa.String(length=320), nullable=False),
        sa.Column("address", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_failures_at", "login_failures", ["at"])
    op.create_index("ix_login_failures_account_at", "login_failures", ["account", "at"])
    op.create_index("ix_login_failures_address_at", "login_failures", ["address", "at"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor_kind", sa.String(length=20), nullable=True),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.Column("address", sa.String(length=100), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_kind_at", "audit_log", ["kind", "at"])


def downgrade() -> None:
    for table in ("audit_log", "login_failures", "web_sessions", "api_tokens", "agent_queue_rights"):
        op.drop_table(table)
    # plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch rebuild of ``agents``
    # or ``contacts`` would drop a table other tables' foreign keys point at
    for table, column in (
        ("contacts", "password_hash"),
        ("contacts", "customer_admin"),
        ("agents", "password_hash"),
        ("agents", "access"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
