"""PostgreSQL schemas ``make_desk`` empties and reuses (``deskframe.store.schema_pool``): a
reused schema equals a fresh one, and one a test changed, or still uses, is never reused."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from deskframe.store import Store
from deskframe.store.schema_templates import SchemaTemplates
from deskframe.store.scratch import scratch_database
from deskframe.testing import DATABASE_ENV

SERVER = os.environ.get(DATABASE_ENV, "")
pytestmark = pytest.mark.skipif(not SERVER.startswith("postgresql"), reason="PostgreSQL only (schemas)")

#: What a test may do to its desk's schema beyond rows: each makes the schema unfit for reuse.
CHANGES = [
    "CREATE INDEX extra ON queues (description)",
    "DROP INDEX ix_tickets_customer_id",
    "ALTER TABLE queues ADD COLUMN extra INT",
    "ALTER TABLE queues ALTER COLUMN description DROP NOT NULL",
    "ALTER TABLE tickets DISABLE TRIGGER ALL",
    "DROP TRIGGER ticket_counts_insert ON tickets",
    "CREATE OR REPLACE FUNCTION ticket_counts_settle(n integer) RETURNS void LANGUAGE sql AS 'SELECT 1'",
    "CREATE TABLE extra (x INT)",
    "CREATE FUNCTION extra() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "CREATE VIEW extra AS SELECT 1 AS x",
    "ALTER SEQUENCE queues_id_seq RESTART WITH 50",
    "ALTER TABLE customers RENAME TO clients",
    "GRANT SELECT ON queues TO PUBLIC",
    "TRUNCATE queues CASCADE",
]


class Desks:
    """Stores on scratch schemas brought to the head through one :class:`SchemaTemplates`."""

    def __init__(self, templates: SchemaTemplates, tmp_path: Path) -> None:
        self.templates = templates
        self.tmp_path = tmp_path
        self.made: list[tuple[Store, object]] = []

    def new(self) -> Store:
        url, drop = scratch_database(SERVER, str(self.tmp_path / "unused.db"))
        store = Store(url, lambda: None, ("ru", "en"))  # type: ignore[arg-type]
        self.made.append((store, drop))
        self.templates.upgrade(store)
        return store

    def done(self, store: Store) -> bool:
        store.close()
        return self.templates.release(store)


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SchemaTemplates]:
    """One for the module: the first desk is migrated for real, the rest copied or reused."""
    made = SchemaTemplates(tmp_path_factory.mktemp("templates"))
    yield made
    made.close()


@pytest.fixture
def desks(templates: SchemaTemplates, tmp_path: Path) -> Iterator[Desks]:
    made = Desks(templates, tmp_path)
    yield made
    for store, drop in made.made:
        store.close()
        drop()  # type: ignore[operator]


def _schema(store: Store) -> str:
    with store.db.engine.connect() as connection:
        return str(connection.execute(text("SELECT current_schema()")).scalar_one())


def _contents(store: Store) -> dict[str, object]:
    """Every table's rows and every sequence's next value."""
    with store.db.engine.connect() as connection:
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
        ).scalars()
        found: dict[str, object] = {
            table: connection.execute(text(f'SELECT * FROM "{table}" ORDER BY 1')).all() for table in list(tables)
        }
        for name in connection.execute(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1")
        ).scalars():
            found[f"next {name}"] = connection.execute(text(f"SELECT nextval('\"{name}\"')")).scalar()
    return found


def _write(store: Store) -> None:
    """Rows in several tables (the triggers fill ticket_counts), a newer revision row, used sequences."""
    with store.db.engine.begin() as connection:
        connection.execute(text("INSERT INTO queues (name, description) VALUES ('a', ''), ('b', '')"))
        connection.execute(text("INSERT INTO alembic_version (version_num) VALUES ('9999')"))
        connection.execute(text("SELECT nextval('customers_id_seq')"))


def test_a_reused_schema_is_empty_like_a_fresh_one(desks: Desks) -> None:
    first = desks.new()
    fresh = _contents(first)
    assert fresh["alembic_version"], "the revision row is part of a fresh schema"
    _write(first)
    assert _contents(first) != fresh
    old_name = _schema(first)
    assert desks.done(first)

    second = desks.new()
    assert _schema(second) != old_name
    assert _contents(second) == fresh
    third = desks.new()  # none kept now: made afresh
    assert _contents(third) == fresh


def test_a_reused_schema_works_with_its_triggers_on(desks: Desks) -> None:
    first = desks.new()
    _write(first)
    assert desks.done(first)
    second = desks.new()
    with second.db.engine.begin() as connection:
        connection.execute(text("INSERT INTO queues (name, description) VALUES ('q', '')"))
        assert connection.execute(text("SELECT id FROM queues WHERE name = 'q'")).scalar() == 1
        assert connection.execute(text("SHOW session_replication_role")).scalar() == "origin"


@pytest.mark.parametrize("change", CHANGES)
def test_a_schema_a_test_changed_is_dropped_not_reused(desks: Desks, change: str) -> None:
    store = desks.new()
    with store.db.engine.begin() as connection:
        connection.execute(text(change))
    name = _schema(store)
    assert not desks.done(store)
    assert _schema(store) == name, "left under its name, for the test's clean-up to drop"


def test_a_schema_another_connection_still_locks_is_not_reused(desks: Desks) -> None:
    store = desks.new()
    other = create_engine(store.db.engine.url)
    try:
        with other.connect() as connection, connection.begin():
            connection.execute(text("SELECT * FROM queues"))  # holds a lock until the block ends
            assert not desks.done(store)
    finally:
        other.dispose()


def _schemas(store: Store) -> set[str]:
    with store.db.engine.connect() as connection:
        return set(connection.execute(text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%'")).scalars())


def test_a_kept_schema_dropped_by_hand_leaves_the_next_desk_made_afresh(desks: Desks) -> None:
    store = desks.new()
    fresh = _contents(store)
    before = _schemas(store)
    assert desks.done(store)
    kept = _schemas(store) - before
    assert len(kept) == 1
    with store.db.engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{kept.pop()}" CASCADE'))
    assert _contents(desks.new()) == fresh
