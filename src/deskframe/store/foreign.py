"""Read-only access to another system's database (an importer's source), by SQLAlchemy URL."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from ..errors import ConfigError, StorageError
from .database import make_engine, mask_url


class ForeignDatabase:
    """A source database an importer reads with plain SQL; it never writes.

    ``postgresql://`` uses psycopg, ``mysql://`` and ``mariadb://`` use PyMySQL.
    Rows come back as dicts; :meth:`stream` reads in batches with a server-side
    cursor so memory stays flat however large the table.
    """

    def __init__(self, url: str):
        try:
            parsed = make_url(url)
        except (ArgumentError, ValueError):
            raise ConfigError(f"not a database URL: {mask_url(url)!r}", key="--source") from None
        if parsed.drivername in ("mysql", "mariadb"):
            parsed = parsed.set(drivername=f"{parsed.drivername}+pymysql")
        if parsed.get_backend_name() in ("mysql", "mariadb") and "charset" not in parsed.query:
            parsed = parsed.update_query_dict({"charset": "utf8mb4"})
        self.url = parsed.render_as_string(hide_password=True)
        try:
            self.engine = make_engine(parsed.render_as_string(hide_password=False))
        except (NoSuchModuleError, ModuleNotFoundError) as exc:
            raise ConfigError(f"no driver for {parsed.drivername}: {exc}", key="--source") from None
        self.dialect = self.engine.dialect.name
        self._shared: Any = None  # the connection of an open one_connection() block

    def _fail(self, exc: SQLAlchemyError) -> StorageError:
        orig = getattr(exc, "orig", None)
        first = (str(orig) if orig is not None else str(exc)).strip().splitlines()[0]
        return StorageError(f"source database {self.url}: {first}")

    def tables(self) -> set[str]:
        try:
            return set(inspect(self.engine).get_table_names())
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def columns(self, table: str) -> list[str]:
        try:
            return [c["name"] for c in inspect(self.engine).get_columns(table)]
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    @contextlib.contextmanager
    def one_connection(self) -> Iterator[None]:
        """Inside the block, :meth:`all` and :meth:`scalar` share one connection (one pool checkout
        and one read transaction for many queries, e.g. an importer's batch); nested blocks reuse it."""
        if self._shared is not None:
            yield
            return
        try:
            self._shared = self.engine.connect()
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None
        try:
            yield
        finally:
            conn, self._shared = self._shared, None
            with contextlib.suppress(SQLAlchemyError):
                conn.close()

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Any]:
        if self._shared is not None:
            yield self._shared
        else:
            with self.engine.connect() as conn:
                yield conn

    def all(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        try:
            with self._connection() as conn:
                result = conn.execute(text(sql), dict(params or {}))
                if not result.returns_rows:
                    return []
                keys = list(result.keys())
                return [dict(zip(keys, row)) for row in result.fetchall()]
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def scalar(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        try:
            with self._connection() as conn:
                return conn.execute(text(sql), dict(params or {})).scalar()
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def stream(
        self, sql: str, params: Mapping[str, Any] | None = None, batch: int = 500
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield lists of up to ``batch`` rows."""
        try:
            with self.engine.connect() as conn:
                result = conn.execution_options(stream_results=True, max_row_buffer=batch).execute(
                    text(sql), dict(params or {})
                )
                while True:
                    rows = result.fetchmany(batch)
                    if not rows:
                        return
                    yield [dict(r._mapping) for r in rows]
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def close(self) -> None:
        self.engine.dispose()
