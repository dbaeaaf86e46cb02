"""Throw-away databases for tests: a fresh SQLite file or a fresh PostgreSQL schema."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import make_url

from .database import make_engine


def scratch_database(url: str | None, sqlite_path: str) -> tuple[str, Callable[[], None]]:
    """A URL of an empty database and a function that removes it.

    ``url`` None (or SQLite) gives a file at ``sqlite_path``; a PostgreSQL URL gives a
    new schema on that server, selected through the connection's search_path.
    """
    if not url or make_url(url).get_backend_name() == "sqlite":
        return f"sqlite:///{sqlite_path}", lambda: None
    schema = "t_" + uuid.uuid4().hex[:16]
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    scoped = parsed.update_query_dict({"options": f"-csearch_path={schema}"})

    def drop() -> None:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()

    return scoped.render_as_string(hide_password=False), drop
