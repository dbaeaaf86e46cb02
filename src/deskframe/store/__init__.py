"""Storage: the only package that speaks SQL.

:class:`Store` opens the database and hands out :class:`Repository` objects,
one per transaction; nothing outside this package sees a session.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Callable, Iterator

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import DomainError
from .billing_repo import BillingRepo
from .blobs import BlobStore, BlobTooLarge
from .database import Database
from .directory_repo import DirectoryRepo, phone_digits
from .import_repo import ImportRepo
from .service_repo import QuarantineRepo, ServiceRepo
from .sla_repo import SlaRepo
from .ticket_repo import TicketRepo
from .unbilled_repo import UnbilledRepo


class Repository(DirectoryRepo, TicketRepo, ServiceRepo, QuarantineRepo, SlaRepo, BillingRepo, ImportRepo,
                 UnbilledRepo):
    """Data access inside one transaction; ``now`` is the transaction's clock reading."""

    def __init__(self, session: Session, now: dt.datetime):
        self.session = session
        self.now = now

    def flush(self) -> None:
        self.session.flush()


class Store:
    """The database of one deskframe installation (blobs live in :class:`BlobStore`)."""

    def __init__(self, url: str, clock: Callable[[], dt.datetime]):
        self.db = Database(url)
        self.clock = clock

    @contextlib.contextmanager
    def write(self) -> Iterator[Repository]:
        """One write transaction; committed when the block ends without error."""
        try:
            with self.db.write() as session:
                yield Repository(session, self.clock())
        except IntegrityError as exc:
            first = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
            raise DomainError(f"conflicting change: {first}") from None

    @contextlib.contextmanager
    def read(self) -> Iterator[Repository]:
        with self.db.read() as session:
            yield Repository(session, self.clock())

    def upgrade(self) -> None:
        from .migrate import upgrade  # Alembic is loaded only when migrating

        upgrade(self.db)

    def revision(self) -> str | None:
        from .migrate import current_revision

        return current_revision(self.db)

    def close(self) -> None:
        self.db.dispose()


def head_revision() -> str | None:
    """The newest schema revision this deskframe ships."""
    from .migrate import head_revision as head

    return head()


__all__ = ["BlobStore", "BlobTooLarge", "Repository", "Store", "head_revision", "phone_digits"]
