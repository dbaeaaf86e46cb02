"""Locks that let several ``deskframe worker`` processes share one database.

On PostgreSQL a unit of work (one channel's poll, one ``sla check``, one scheduled job) is held
under a session-level advisory lock (``pg_try_advisory_lock``) on a key derived from the unit's
name and the desk's database and schema. The lock is taken without waiting - a worker that does
not get it leaves the unit to the worker that has it - and released when the unit ends; if the
worker dies, its connection ends and PostgreSQL releases the lock with it.

SQLite allows one worker per desk (see :func:`sqlite_file`, beside which the worker keeps its lock
file); there a unit is held with an ``flock`` on a file of its own beside the database
(``<database>.<unit>.lock``), so a command run by hand beside the worker (``deskframe intake
run``) does not do the worker's unit at the same time. The kernel releases an ``flock`` with the
process, however it ends. An in-memory database grants every unit.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection

from .database import Database, translate_errors


def sqlite_file(db: Database) -> Path | None:
    """The file of a SQLite database (None for PostgreSQL or an in-memory database)."""
    if db.dialect != "sqlite":
        return None
    name = db.engine.url.database
    return Path(name).resolve() if name and name != ":memory:" else None


def lock_key(namespace: str, name: str) -> int:
    """A signed 64-bit advisory lock key for unit ``name`` of the desk at ``namespace``."""
    digest = hashlib.blake2b(f"deskframe\0{namespace}\0{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def unit_lock_path(database: Path, name: str) -> Path:
    """The lock file of unit ``name`` of the SQLite database ``database``."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:100]
    return database.with_name(f"{database.name}.{safe}.lock")


@contextlib.contextmanager
def _file_lock(database: Path | None, name: str) -> Iterator[bool]:
    """An ``flock`` on unit ``name``'s lock file, taken without waiting (granted without a file)."""
    if database is None:
        yield True
        return
    fd = os.open(unit_lock_path(database, name), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing the descriptor releases the lock


class UnitLocks:
    """Advisory locks on units of work, by name (lock files with ``flock`` on SQLite)."""

    def __init__(self, db: Database):
        self.db = db
        self._namespace: str | None = None

    def _key(self, conn: Connection, name: str) -> int:
        if self._namespace is None:
            row = conn.execute(text("SELECT current_database(), current_schema()")).one()
            self._namespace = f"{row[0]}/{row[1]}"
        return lock_key(self._namespace, name)

    @contextlib.contextmanager
    def hold(self, name: str) -> Iterator[bool]:
        """Try to take unit ``name``'s lock without waiting; yields whether this process holds it.

        The lock lives on a connection of its own, outside any transaction, for the whole block;
        the work inside uses the store's ordinary transactions."""
        if self.db.dialect != "postgresql":
            with _file_lock(sqlite_file(self.db), name) as got:
                yield got
            return
        with translate_errors(self.db.url):
            conn = self.db.engine.connect()
        try:
            with translate_errors(self.db.url):
                key = self._key(conn, name)
                got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
                conn.commit()  # no transaction stays open while the unit runs
            try:
                yield got
            finally:
                if got:
                    try:
                        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                        conn.commit()
                    except Exception:  # the connection broke: its session ended, and the lock with it
                        conn.invalidate()
        finally:
            conn.close()

    def held_elsewhere(self, name: str) -> bool:
        """Whether another session holds unit ``name``'s lock now (always False on SQLite)."""
        with self.hold(name) as got:
            return not got
