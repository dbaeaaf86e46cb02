"""SQLite allows one worker per desk: a lock file beside the database, held with ``flock``.

The kernel releases an ``flock`` when its process ends, however it ends, so a crashed worker
never leaves the desk locked; the file itself stays (empty of meaning once unlocked).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import DeskframeError

#: The lock file's name is the database file's plus this suffix.
LOCK_SUFFIX = ".worker.lock"


class WorkerBusy(DeskframeError):
    """Another worker runs on this SQLite desk (exit 2: start one, or move to PostgreSQL)."""

    exit_code = 2


def lock_path(database: Path) -> Path:
    """Where the one-worker lock of the SQLite database ``database`` lives."""
    return database.with_name(database.name + LOCK_SUFFIX)


@contextlib.contextmanager
def sole_worker(database: Path | None) -> Iterator[None]:
    """Hold the one-worker lock of SQLite file ``database`` for the block (nothing for None:
    PostgreSQL admits many workers). Raises :class:`WorkerBusy` if another process holds it."""
    if database is None:
        yield
        return
    path = lock_path(database)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
            raise WorkerBusy(
                f"another worker (pid {holder}) is running on this desk ({database}); "
                "SQLite allows one worker - use PostgreSQL to run several"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
