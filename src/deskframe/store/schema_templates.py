"""Migrate once, copy after: empty desks for test suites that make hundreds of them.

:class:`SchemaTemplates` brings a new, empty database to the newest revision. The first
database of a kind (dialect and search languages) is migrated by Alembic for real; later
ones get a copy of that result:

* SQLite: the migrated file is copied (one file copy instead of fifteen migrations);
* PostgreSQL: the DDL the real migration ran (captured from the connection, in order) is
  run again in one round trip, in the new schema.

A kind whose migration ran anything a copy could not repeat exactly (a statement with
bound parameters, or one naming the schema) is never copied: every such database is
migrated for real. ``tests/core/test_schema_templates.py`` checks that a copy and a real
migration give the same schema.

On PostgreSQL a schema a test has finished with is also emptied and kept for the next desk of
its kind (:meth:`SchemaTemplates.release`), when :mod:`.schema_pool` finds that certainly safe.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from .database import make_engine
from .schema_pool import SchemaPool

if TYPE_CHECKING:
    from .repository import Store

Kind = tuple[str, tuple[str, ...]]


class SchemaTemplates:
    """Migrated schemas kept to copy into new, empty databases (see the module's docstring).

    ``directory`` holds the SQLite template files; one object serves one test session
    (:meth:`close` it at the end: it drops the PostgreSQL schemas it kept).
    """

    def __init__(self, directory: Path):
        self.directory = directory
        self._files: dict[Kind, Path] = {}
        self._ddl: dict[Kind, str | None] = {}
        self._pool = SchemaPool()
        self._engine: Engine | None = None

    def release(self, store: Store) -> bool:
        """``store``'s test is over (its desk closed): keep its PostgreSQL schema, emptied, for the
        next desk of its kind if that is safe (True: the schema is gone under its old name)."""
        schema = _schema_of(store) if store.db.dialect == "postgresql" else None
        if schema is None:
            return False
        with self._server(store).connect() as connection:
            return self._pool.give_back(connection, schema)

    def close(self) -> None:
        """Drop the kept PostgreSQL schemas and close the connection to their server."""
        if self._engine is not None:
            with self._engine.connect() as connection:
                self._pool.drop_all(connection)
            self._engine.dispose()
            self._engine = None

    def _server(self, store: Store) -> Engine:
        """A connection pool to ``store``'s PostgreSQL server, no schema selected."""
        if self._engine is None:
            url = store.db.engine.url.difference_update_query(["options"])
            self._engine = make_engine(url.render_as_string(hide_password=False))
        return self._engine

    def upgrade(self, store: Store) -> None:
        """Bring ``store``'s new, empty database to the newest revision (by copy when one exists)."""
        kind: Kind = (store.db.dialect, store.search_languages)
        if store.db.dialect == "sqlite":
            self._sqlite(store, kind)
        elif store.db.dialect == "postgresql":
            self._postgresql(store, kind)
        else:
            store.upgrade()

    def _sqlite(self, store: Store, kind: Kind) -> None:
        target = Path(str(store.db.engine.url.database))
        template = self._files.get(kind)
        store.db.dispose()  # no connection may hold the file while it is replaced
        if template is not None:
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(template, target)
            return
        store.upgrade()
        store.db.dispose()  # checkpoints the write-ahead log into the file
        self.directory.mkdir(parents=True, exist_ok=True)
        copy = self.directory / f"template-{len(self._files)}.db"
        shutil.copyfile(target, copy)
        self._files[kind] = copy

    def _postgresql(self, store: Store, kind: Kind) -> None:
        schema = _schema_of(store)
        if schema is not None and self._pool.has_seed(kind):
            with self._server(store).connect() as connection:
                if self._pool.take(connection, schema, kind):
                    return
        self._migrate(store, kind)
        if schema is not None:
            with self._server(store).connect() as connection:
                self._pool.handed_out(connection, schema, kind)

    def _migrate(self, store: Store, kind: Kind) -> None:
        if kind in self._ddl:
            ddl = self._ddl[kind]
            if ddl is None:
                store.upgrade()
                return
            with store.db.engine.begin() as connection:
                connection.exec_driver_sql(ddl, {})
            return
        executed: list[tuple[str, Any]] = []

        def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            executed.append((statement, None if many else parameters))

        event.listen(store.db.engine, "before_cursor_execute", capture)
        try:
            store.upgrade()
        finally:
            event.remove(store.db.engine, "before_cursor_execute", capture)
        self._ddl[kind] = replayable(executed, _schema_of(store))


def _schema_of(store: Store) -> str | None:
    """The schema a PostgreSQL URL selects through ``options=-csearch_path=...``, if any."""
    options = make_url(str(store.db.engine.url)).query.get("options")
    text = options if isinstance(options, str) else ""
    _, _, schema = text.partition("search_path=")
    return schema.split()[0] if schema else None


def replayable(executed: list[tuple[str, Any]], schema: str | None) -> str | None:
    """The statements that changed the schema, as one script; None if one cannot be repeated."""
    script = []
    for statement, parameters in executed:
        if statement.lstrip().upper().startswith("SELECT"):
            continue  # Alembic's and the migrations' look-ups: they change nothing
        if not isinstance(parameters, Mapping) or parameters:
            return None
        if schema and schema in statement:
            return None
        script.append(statement.strip().rstrip(";"))
    return ";\n".join(script)
