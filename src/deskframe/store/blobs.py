"""Content-addressed blob store on disk: raw mail sources and attachments.

Blobs are named by their SHA-256 and written atomically (temporary file, fsync,
rename), so a crash leaves either the whole blob or nothing. File names given
by senders never reach the file system.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from ..errors import DomainError


class BlobTooLarge(DomainError):
    """A blob is over the configured size limit."""


class BlobStore:
    """Blobs under ``root/ab/cdef...`` keyed by SHA-256 hex digest."""

    def __init__(self, root: Path, max_bytes: int | None = None):
        self.root = Path(root)
        self.max_bytes = max_bytes
        self._unsynced: list[Path] = []
        self._dirs: set[Path] = set()

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:]

    def put(self, data: bytes, *, limit: bool = True, sync: bool = True) -> str:
        """Store ``data`` (once) and return its digest.

        ``sync=False`` defers the fsync to :meth:`flush`, which a batch calls once
        before its database commit (a blob is durable before anything refers to it).
        """
        if limit and self.max_bytes is not None and len(data) > self.max_bytes:
            raise BlobTooLarge(f"blob of {len(data)} bytes is over the limit of {self.max_bytes}")
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        if target.parent not in self._dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(target.parent)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                if sync:
                    os.fsync(fh.fileno())
            os.replace(tmp, target)
            if not sync:
                self._unsynced.append(target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return digest

    def flush(self) -> None:
        """Make every blob written with ``sync=False`` durable (one ``sync`` for the batch)."""
        if not self._unsynced:
            return
        if hasattr(os, "sync"):
            os.sync()
        else:  # pragma: no cover - platforms without sync(2)
            for path in self._unsynced:
                with open(path, "rb") as fh:
                    os.fsync(fh.fileno())
        self._unsynced.clear()

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()
