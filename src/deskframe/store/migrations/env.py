"""Alembic environment: always driven programmatically by deskframe.store.migrate."""

from __future__ import annotations

from alembic import context

from deskframe.store.rows import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable by running alembic by hand
    raise SystemExit("run migrations with 'deskframe db upgrade'")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
