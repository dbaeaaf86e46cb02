"""Engines and transactions: SQLite (WAL, immediate write transactions) or PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.expression import Executable

from ..errors import ConfigError, Conflict, StorageError, UnstorableValue
from .urls import mask_url, url_problem

#: SQLSTATE classes that blame the request's data, not the database: data exception
#: (too long, NUL, out of range) and program limit exceeded (an index entry too big).
_DATA_CLASSES = ("22", "54")

#: SQLite waits this long for a competing writer before giving up.
SQLITE_BUSY_MS = 30_000


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA temp_store = MEMORY")  # temporary work tables (invoice run) without a temp file
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # A write transaction takes the write lock at BEGIN, so two writers never
        # deadlock upgrading read locks; readers use a plain deferred BEGIN.
        immediate = conn.get_execution_options().get("deskframe_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url``; SQLite files get WAL and a busy timeout."""
    problem = url_problem(url)
    if problem:
        raise ConfigError(problem, key="desk.database")
    parsed = make_url(url)
    try:
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                parent = Path(parsed.database).parent
                try:
                    parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise ConfigError(
                        f"cannot create the database directory {str(parent)!r}: {exc.strerror}", key="desk.database"
                    ) from None
            engine = create_engine(parsed, **kwargs)
            _sqlite_events(engine)
            return engine
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True, **kwargs)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise ConfigError(
            f"no driver for {parsed.drivername}: {exc} (install deskframe[postgres] for PostgreSQL)",
            key="desk.database",
        ) from None


class Database:
    """One database: an engine, a session factory, reads and write transactions."""

    def __init__(self, url: str, **engine_kwargs: Any):
        #: The URL with its password masked: safe to print (the engine keeps the real one).
        self.url = mask_url(url)
        self.engine = make_engine(url, **engine_kwargs)
        self.dialect = self.engine.dialect.name
        self._reads = sessionmaker(self.engine, expire_on_commit=False)
        self._writes = sessionmaker(self.engine.execution_options(deskframe_write=True), expire_on_commit=False)

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any error."""
        with _translate(self.url), self._writes.begin() as session:
            yield session

    @contextlib.contextmanager
    def write_series(self, *, lazy_commit: bool = False) -> Iterator[WriteSeries]:
        """Many short write transactions on one connection held for the block (no pool check-out
        and liveness ping per transaction): a :class:`WriteSeries`.

        ``lazy_commit`` (PostgreSQL): their commits do not wait for the WAL flush
        (``synchronous_commit = off`` on this connection for the block, reset after it). Such a
        commit is never lost to a crash of the client, only to a crash of the database server
        (its last fraction of a second); use it only where redoing a lost change is safe. With it,
        the connection is in autocommit between transactions, so :meth:`WriteSeries.execute`
        runs one statement with no BEGIN and COMMIT round trips."""
        lazy = lazy_commit and self.dialect == "postgresql"
        with _translate(self.url), self.engine.execution_options(deskframe_write=True).connect() as conn:
            level = conn.default_isolation_level
            if lazy:
                conn.exec_driver_sql("SET synchronous_commit = off")
                conn.commit()
                conn.execution_options(isolation_level="AUTOCOMMIT")
            try:
                yield WriteSeries(conn, self.url, level if lazy else None)
            finally:
                if lazy:
                    try:
                        conn.execution_options(isolation_level=level)
                        conn.rollback()
                        conn.exec_driver_sql("RESET synchronous_commit")
                        conn.commit()
                    except Exception:  # a broken connection must not go back to the pool with the setting
                        conn.invalidate()

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session, rolled back at the end: by its ``close()`` (the end of the
        ``with``), which hands the connection back to the pool with one rollback. An explicit
        ``rollback()`` before it cost a second rollback and a fifth of the read's set-up and
        tear-down (the API's ticket list and show make one read per request)."""
        with _translate(self.url), self._reads() as session:
            yield session

    def has_schema(self) -> bool:
        with _translate(self.url):
            return inspect(self.engine).has_table("tickets")

    def dispose(self) -> None:
        self.engine.dispose()


class WriteSeries:
    """Write transactions on one held connection (:meth:`Database.write_series`).

    ``series()`` is a write transaction like :meth:`Database.write` (a session, committed when
    the block ends without error); ``series.execute(statement, params)`` runs one writing
    statement as a transaction of its own and returns its row count - in autocommit with
    ``lazy_commit`` on PostgreSQL (one round trip), else BEGIN, the statement, COMMIT."""

    def __init__(self, conn: Connection, url: str, transaction_level: str | None):
        self.conn = conn
        self.url = url
        #: The isolation level of a multi-statement transaction when the connection idles in autocommit.
        self.transaction_level = transaction_level

    @contextlib.contextmanager
    def __call__(self) -> Iterator[Session]:
        conn = self.conn
        if self.transaction_level is not None:
            conn.execution_options(isolation_level=self.transaction_level)
        try:
            with _translate(self.url), Session(conn, expire_on_commit=False) as session, session.begin():
                yield session
        finally:
            if self.transaction_level is not None:
                conn.execution_options(isolation_level="AUTOCOMMIT")

    def execute(self, statement: Executable, params: dict[str, Any]) -> int:
        if self.transaction_level is None:
            with self() as session:
                return int(getattr(session.execute(statement, params), "rowcount", 0))
        with _translate(self.url):
            count = int(getattr(self.conn.execute(statement, params), "rowcount", 0))
            # SQLAlchemy began a Transaction() for the statement even in autocommit: end it (no round
            # trip, the server committed already), or the next ``series()`` cannot set its isolation level
            self.conn.commit()
            return count


@contextlib.contextmanager
def _translate(url: str) -> Iterator[None]:
    """Turn driver errors into one-line domain errors: a unique key taken meanwhile is a
    :class:`Conflict`, a value the database refuses an :class:`UnstorableValue`, and
    what a user must fix in the database (missing, not migrated, down) a StorageError."""
    try:
        yield
    except IntegrityError as exc:
        raise Conflict(f"conflicting change: {_first_line(exc)}", _constraint(exc)) from None
    except DataError as exc:
        raise UnstorableValue(f"value refused by the database: {_first_line(exc)}") from None
    except DBAPIError as exc:  # operational, programming, internal, interface: the database's side
        first = _first_line(exc)
        if (getattr(exc.orig, "sqlstate", None) or "")[:2] in _DATA_CLASSES:
            raise UnstorableValue(f"value refused by the database: {first}") from None
        if "no such table" in first or ("does not exist" in first and "relation" in first):
            raise StorageError(f"database {_safe(url)} is not initialized: run 'deskframe db upgrade'") from None
        raise StorageError(f"database {_safe(url)}: {first}") from None


def translate_errors(url: str) -> contextlib.AbstractContextManager[None]:
    """Driver errors inside the block become deskframe's one-line errors (see :func:`_translate`)."""
    return _translate(url)


def _first_line(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig) if orig is not None else str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def _constraint(exc: Exception) -> str | None:
    """The violated constraint's name (PostgreSQL), else the message's column list (SQLite)."""
    diag = getattr(getattr(exc, "orig", None), "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return str(name)
    first = _first_line(exc)
    return first.split(":", 1)[1].strip() if "constraint failed:" in first else None


def _safe(url: str) -> str:
    return mask_url(url)
