"""The store's entry points: :class:`Store` opens the database and hands out :class:`Repository`
objects, one per transaction; nothing outside this package sees a session.

Imported through :mod:`deskframe.store` (which loads this module, and SQLAlchemy with it, only
when one of these names is first used).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from ..textsearch import DEFAULT_LANGUAGES
from .account_repo import AccountRepo
from .billing_repo import BillingRepo
from .database import Database, WriteSeries
from .directory_repo import DirectoryRepo
from .import_repo import ImportRepo
from .invoice_run_repo import InvoiceRunRepo
from .locks import UnitLocks, sqlite_file
from .outbox_repo import OutboxRepo, finish_statement
from .payment_repo import PaymentRepo
from .records_repo import RecordRepo
from .report_repo import ReportRepo
from .schedule_repo import ScheduleRepo
from .service_repo import QuarantineRepo, ServiceRepo
from .sla_repo import SlaRepo
from .ticket_repo import TicketRepo
from .ticket_views_repo import TicketViewRepo
from .time_groups_repo import TimeGroupRepo
from .unbilled_repo import UnbilledRepo
from .worklist_repo import WorklistRepo


class Repository(
    DirectoryRepo,
    TicketRepo,
    TicketViewRepo,
    ServiceRepo,
    QuarantineRepo,
    SlaRepo,
    BillingRepo,
    InvoiceRunRepo,
    TimeGroupRepo,
    ImportRepo,
    PaymentRepo,
    UnbilledRepo,
    AccountRepo,
    ReportRepo,
    ScheduleRepo,
    OutboxRepo,
    RecordRepo,
    WorklistRepo,
):
    """Data access inside one transaction; ``now`` is the transaction's clock reading,
    ``search_languages`` the stemmers of the full-text index."""

    def __init__(self, session: Session, now: dt.datetime, search_languages: Sequence[str] = DEFAULT_LANGUAGES):
        self.session = session
        self.now = now
        self.search_languages = tuple(search_languages)

    def flush(self) -> None:
        self.session.flush()


class Store:
    """The database of one deskframe installation (blobs live in :class:`BlobStore`)."""

    def __init__(self, url: str, clock: Callable[[], dt.datetime], search_languages: Sequence[str] = DEFAULT_LANGUAGES):
        self.db = Database(url)
        #: Advisory locks on units of work shared by several workers (PostgreSQL; granted on SQLite).
        self.locks = UnitLocks(self.db)
        self.clock = clock
        self.search_languages = tuple(search_languages)
        #: The read transaction :meth:`one_read` shares with every :meth:`read` of its block.
        self._shared_read: contextvars.ContextVar[Repository | None] = contextvars.ContextVar(
            "deskframe_shared_read", default=None
        )

    @contextlib.contextmanager
    def write(self) -> Iterator[Repository]:
        """One write transaction; committed when the block ends without error."""
        with self.db.write() as session:  # driver errors become Conflict / UnstorableValue / StorageError
            yield Repository(session, self.clock(), self.search_languages)

    @contextlib.contextmanager
    def write_series(self, *, lazy_commit: bool = False) -> Iterator[RepositorySeries]:
        """Many short write transactions on one held connection (the outbox records one outcome per
        message): a :class:`RepositorySeries`. ``lazy_commit``: see :meth:`Database.write_series`."""
        with self.db.write_series(lazy_commit=lazy_commit) as series:
            yield RepositorySeries(series, self)

    @contextlib.contextmanager
    def read(self) -> Iterator[Repository]:
        """A read transaction (rolled back at the end); inside :meth:`one_read`, that block's one."""
        shared = self._shared_read.get()
        if shared is not None:
            yield shared
            return
        with self.db.read() as session:
            yield Repository(session, self.clock(), self.search_languages)

    @contextlib.contextmanager
    def one_read(self) -> Iterator[None]:
        """Every :meth:`read` inside the block (in this thread or task) uses one read transaction:
        one snapshot, one connection checkout, and the repository's per-transaction caches (the
        acting agent's row and rights) shared. For what only reads, e.g. all the data of one page;
        a :meth:`write` inside still runs in a transaction of its own, unseen by the shared read."""
        if self._shared_read.get() is not None:
            yield
            return
        with self.read() as repo:
            token = self._shared_read.set(repo)
            try:
                yield
            finally:
                self._shared_read.reset(token)

    @property
    def quick_reads(self) -> bool:
        """Whether a read transaction never waits for the network or for another transaction:
        SQLite (a local file; in WAL mode a reader never waits for the writer), not PostgreSQL
        (a round trip per statement). A server may then run a short read on its event loop
        instead of handing it to a thread."""
        return self.db.dialect == "sqlite"

    @property
    def sqlite_file(self) -> Path | None:
        """The SQLite database file (None on PostgreSQL)."""
        return sqlite_file(self.db)

    def upgrade(self) -> None:
        from .migrate import upgrade  # Alembic is loaded only when migrating

        upgrade(self.db, search_languages=self.search_languages)

    def reindex(self) -> int:
        """Rebuild the full-text index of every article with :attr:`search_languages`."""
        from .search import rebuild

        with self.db.write() as session:
            return rebuild(session, self.search_languages)

    def revision(self) -> str | None:
        from .migrate import current_revision

        return current_revision(self.db)

    def close(self) -> None:
        self.db.dispose()


def head_revision() -> str | None:
    """The newest schema revision this deskframe ships."""
    from .migrate import head_revision as head

    return head()


class RepositorySeries:
    """Write transactions on one held connection (:meth:`Store.write_series`): ``series()`` is a
    transaction yielding a :class:`Repository`; :meth:`finish_outbox` records one delivery
    outcome as one statement of its own (no session, no BEGIN/COMMIT with ``lazy_commit``)."""

    def __init__(self, series: WriteSeries, store: Store):
        self.series = series
        self.store = store

    @contextlib.contextmanager
    def __call__(self) -> Iterator[Repository]:
        with self.series() as session:
            yield Repository(session, self.store.clock(), self.store.search_languages)

    def finish_outbox(self, entry_id: int, worker: str, **values: object) -> bool:
        """:meth:`OutboxRepo.finish_outbox` as a transaction of its own."""
        statement, params = finish_statement(entry_id, worker, values)
        return bool(self.series.execute(statement, params))
