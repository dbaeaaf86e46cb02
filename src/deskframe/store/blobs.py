"""Content-addressed blob store: raw mail sources and attachments.

Blobs are named by their SHA-256. :meth:`BlobStore.put` writes a file under
``root/ab/cdef...`` atomically (temporary file, fsync, rename), so a crash
leaves either the whole blob or nothing. File names given by senders never
reach the file system.

A bulk writer (the importer) may keep small blobs in the database instead:
:meth:`BlobStore.put_in_transaction` collects blobs of at most
:attr:`BlobStore.inline_max` bytes for the caller, which writes them with
:func:`insert_rows` in the same transaction as the rows that name them (one
executemany instead of one file each; durable exactly when those rows are).
:meth:`BlobStore.get` and :meth:`BlobStore.exists` look in both places, so a
digest reads the same wherever its bytes live.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, LargeBinary, String, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from ..errors import DomainError
from .rows import Base, table_of

#: Blobs up to this size may live in the database (``blobs`` table) rather than in files:
#: below ~100 KB SQLite reads and writes them faster than the file system does.
INLINE_MAX_BYTES = 64 * 1024
_DIGEST = re.compile(r"[0-9a-f]{64}")
_TMP_COUNTER = itertools.count()


class BlobTooLarge(DomainError):
    """A blob is over the configured size limit."""


class BlobRow(Base):
    """A blob kept in the database, keyed like the files by its SHA-256 hex digest."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)


def insert_rows(connection: Any, blobs: Mapping[str, bytes]) -> None:
    """Write ``{digest: data}`` into the ``blobs`` table in ``connection``'s transaction.

    A digest already stored is left as it is (same digest, same bytes).
    """
    if not blobs:
        return
    table = table_of(BlobRow)
    dialect = connection.dialect.name
    rows = [{"sha256": sha, "size": len(data), "data": data} for sha, data in blobs.items()]
    if dialect == "sqlite":
        connection.execute(insert(table).prefix_with("OR IGNORE"), rows)
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        connection.execute(pg_insert(table).on_conflict_do_nothing(index_elements=["sha256"]), rows)
    else:  # pragma: no cover - deskframe stores on SQLite or PostgreSQL
        known = set(connection.execute(select(table.c.sha256).where(table.c.sha256.in_(list(blobs)))).scalars())
        rows = [r for r in rows if r["sha256"] not in known]
        if rows:
            connection.execute(insert(table), rows)


class BlobStore:
    """Blobs under ``root/ab/cdef...`` (and, when ``database`` is given, small ones in its ``blobs`` table).

    ``database`` is the desk's :class:`~deskframe.store.database.Database`; without it
    every blob is a file and :meth:`put_in_transaction` writes files too.
    """

    def __init__(
        self, root: Path, max_bytes: int | None = None, *, database: Any = None, inline_max: int = INLINE_MAX_BYTES
    ):
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.database = database
        self.inline_max = inline_max
        self._unsynced: list[str] = []
        self._dirs: set[str] = set()

    def path(self, sha256: str) -> Path:
        """Where the file of ``sha256`` is (a blob kept in the database has no file)."""
        if not isinstance(sha256, str) or not _DIGEST.fullmatch(sha256):
            raise ValueError(f"not a SHA-256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:]

    def _check(self, data: bytes, limit: bool) -> None:
        if limit and self.max_bytes is not None and len(data) > self.max_bytes:
            raise BlobTooLarge(f"blob of {len(data)} bytes is over the limit of {self.max_bytes}")

    def put(self, data: bytes, *, limit: bool = True, sync: bool = True) -> str:
        """Store ``data`` (once) as a file and return its digest.

        ``sync=False`` defers the fsync to :meth:`flush`, which a batch calls once
        before its database commit (a blob is durable before anything refers to it).
        """
        self._check(data, limit)
        digest = hashlib.sha256(data).hexdigest()
        self._write(digest, data, sync)
        return digest

    def put_in_transaction(self, data: bytes, pending: dict[str, bytes], *, limit: bool = True) -> str:
        """Store ``data`` and return its digest; a small blob goes into ``pending`` instead of a file.

        The caller writes ``pending`` with :func:`insert_rows` in the transaction that
        stores the rows naming these digests, and calls :meth:`flush` before its commit
        (for the blobs that did become files). Raises :class:`BlobTooLarge` like :meth:`put`.
        """
        self._check(data, limit)
        digest = hashlib.sha256(data).hexdigest()
        if self.database is not None and len(data) <= self.inline_max:
            pending[digest] = data
        else:
            self._write(digest, data, sync=False)
        return digest

    def _write(self, digest: str, data: bytes, sync: bool) -> None:
        parent = os.path.join(self.root, digest[:2])
        target = os.path.join(parent, digest[2:])
        if os.path.exists(target):
            return
        if parent not in self._dirs:
            os.makedirs(parent, exist_ok=True)
            self._dirs.add(parent)
        while True:  # a name no other writer uses (O_EXCL); a stale one left by a crash is skipped
            tmp = os.path.join(parent, f".tmp-{digest[2:18]}-{os.getpid()}-{next(_TMP_COUNTER)}")
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
                break
            except FileExistsError:
                continue
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                if sync:
                    os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        if not sync:
            self._unsynced.append(target)

    def flush(self) -> None:
        """Make every blob file written with ``sync=False`` durable (one ``sync`` for the batch)."""
        if not self._unsynced:
            return
        if hasattr(os, "sync"):
            os.sync()
        else:  # pragma: no cover - platforms without sync(2)
            for path in self._unsynced:
                with open(path, "rb") as fh:
                    os.fsync(fh.fileno())
        self._unsynced.clear()

    def _stored(self, sha256: str) -> bytes | None:
        """The bytes of ``sha256`` from the database, or None."""
        if self.database is None:
            return None
        table = table_of(BlobRow)
        with self.database.engine.connect() as conn:
            return conn.execute(select(table.c.data).where(table.c.sha256 == sha256)).scalar()

    def get(self, sha256: str) -> bytes:
        """The bytes of ``sha256``; FileNotFoundError if no file and no database row has them."""
        path = self.path(sha256)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            data = self._stored(sha256)
            if data is None:
                raise
            return bytes(data)

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists() or self._stored(sha256) is not None
