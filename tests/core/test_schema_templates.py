"""The copies ``make_desk`` makes of a migrated schema equal a real migration, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from deskframe.store import Store
from deskframe.store.schema_templates import SchemaTemplates, replayable
from deskframe.store.scratch import scratch_database
from deskframe.testing import DATABASE_ENV


def _shape(store: Store) -> dict[str, object]:
    """Tables, columns, indexes, foreign keys and the revision: what a migration leaves."""
    engine = store.db.engine
    found = inspect(engine)
    shape: dict[str, object] = {}
    for table in sorted(found.get_table_names()):
        shape[table] = (
            [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)],
            sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found.get_indexes(table)),
            sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                for f in found.get_foreign_keys(table)
            ),
        )
    with engine.connect() as connection:
        shape["revision"] = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if store.db.dialect == "sqlite":  # everything, triggers and the full-text tables included
            shape["sqlite_master"] = [
                (kind, name, table, _lines(sql))
                for kind, name, table, sql in connection.execute(
                    text("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
                )
            ]
        else:
            shape["triggers"] = connection.execute(
                text(
                    "SELECT trigger_name, event_manipulation, event_object_table, action_statement"
                    " FROM information_schema.triggers WHERE trigger_schema = current_schema() ORDER BY 1, 2, 3"
                )
            ).all()
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
            shape["functions"] = [  # a function's definition names its schema: each desk has its own
                (name, definition.replace(f"FUNCTION {schema}.", "FUNCTION "))
                for name, definition in connection.execute(
                    text(
                        "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n"
                        " ON n.oid = p.pronamespace WHERE n.nspname = current_schema() ORDER BY 1"
                    )
                )
            ]
            shape["sequences"] = connection.execute(
                text(
                    "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema() ORDER BY 1"
                )
            ).all()
    return shape


def _lines(sql: str | None) -> list[str]:
    """A CREATE statement as its sorted lines: Alembic's batch mode (SQLite) writes a table's
    foreign keys in no fixed order, so two real migrations may differ in that order alone."""
    return sorted(line.strip().rstrip(",") for line in (sql or "").splitlines())


def _store(tmp_path: Path, name: str, languages: tuple[str, ...] = ("ru", "en")) -> tuple[Store, object]:
    url, drop = scratch_database(os.environ.get(DATABASE_ENV), str(tmp_path / f"{name}.db"))
    return Store(url, lambda: None, languages), drop  # type: ignore[arg-type, return-value]


def test_a_copied_schema_equals_a_real_migration(tmp_path: Path) -> None:
    templates = SchemaTemplates(tmp_path / "templates")
    stores = []
    try:
        first, drop1 = _store(tmp_path, "first")
        stores.append((first, drop1))
        templates.upgrade(first)  # migrated for real, kept as the template
        copied, drop2 = _store(tmp_path, "copied")
        stores.append((copied, drop2))
        templates.upgrade(copied)
        real, drop3 = _store(tmp_path, "real")
        stores.append((real, drop3))
        real.upgrade()
        assert _shape(copied) == _shape(real)
        assert _shape(copied)["revision"] is not None
        # the copy is a working desk database: write and read a row
        with copied.db.engine.begin() as connection:
            connection.execute(text("INSERT INTO queues (name, description) VALUES ('copied', '')"))
        with copied.db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM queues WHERE name = 'copied'")).scalar() == 1
    finally:
        for store, drop in stores:
            store.close()
            drop()  # type: ignore[operator]


def test_each_kind_of_desk_has_its_own_template(tmp_path: Path) -> None:
    """Search languages shape the index a migration builds: another kind is migrated afresh."""
    templates = SchemaTemplates(tmp_path / "templates")
    stores = []
    try:
        for name, languages in (("ru", ("ru", "en")), ("de", ("de",)), ("de2", ("de",))):
            store, drop = _store(tmp_path, name, languages)
            stores.append((store, drop))
            templates.upgrade(store)
        real, drop = _store(tmp_path, "real-de", ("de",))
        stores.append((real, drop))
        real.upgrade()
        assert _shape(stores[2][0]) == _shape(real)
    finally:
        for store, drop in stores:
            store.close()
            drop()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("executed", "repeatable"),
    [
        ([("CREATE TABLE a (x INT)", {}), ("SELECT 1", {"p": 1})], True),
        ([("INSERT INTO a VALUES (%(x)s)", {"x": 1})], False),
        ([('CREATE TABLE "t_abc".a (x INT)', {})], False),
        ([("CREATE TABLE a (x INT)", [{}, {}])], False),
    ],
)
def test_only_what_can_be_repeated_exactly_is_copied(executed: list, repeatable: bool) -> None:
    assert (replayable(executed, "t_abc") is not None) is repeatable
