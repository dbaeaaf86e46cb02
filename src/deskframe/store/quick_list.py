"""The ticket listing through the DB-API driver: ``deskframe ticket list`` without SQLAlchemy.

Importing SQLAlchemy, its ORM and the store's mapped rows costs about ten times a bare
``python -c pass`` (benchmarks/README.md, start-up), more than the whole target of a listing.
:func:`quick_ticket_rows` runs the SELECT of
:meth:`~deskframe.store.ticket_views_repo.TicketViewRepo.list_tickets` itself: the stdlib
``sqlite3`` module for SQLite URLs, ``psycopg`` (the driver SQLAlchemy would use, without
SQLAlchemy around it) for PostgreSQL. Same filters, order, limit and row values, down to the
type of each value; tests/core/test_quick_list.py checks that the two paths return identical
rows on random desks and filters.

It answers only the plain case and returns ``None`` for everything else, so the full path
(SQLAlchemy, with its errors and messages) decides: another driver or URL form, a database
file that does not exist yet, a schema not at :data:`HEAD_REVISION`, a customer, owner or
queue that does not exist (the full path names it), a NUL in a filter, any driver error.
It only reads: no PRAGMA that writes, no table created, no file created.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from .urls import DbUrl, parse_url

#: The newest migration (src/deskframe/store/migrations/versions/); the quick path reads only a
#: database at this revision. A test compares it with the migration scripts: a migration that
#: adds a revision updates it (a stale value makes listings take the full path, never wrong).
HEAD_REVISION = "0028"

#: SQLite waits this long for a competing writer's lock (as the engine: store.database.SQLITE_BUSY_MS).
SQLITE_BUSY_SECONDS = 30.0
#: Ticket ids per due-time query (as TicketViewRepo._next_due).
DUE_CHUNK = 500

_SQLITE_DRIVERS = ("sqlite", "sqlite+pysqlite")
_POSTGRES_DRIVERS = ("postgresql", "postgresql+psycopg")
#: The summary row's keys in the order the full path gives them (the JSON output keeps it).
ROW_KEYS = (
    "number",
    "subject",
    "state",
    "state_type",
    "priority",
    "queue",
    "customer",
    "owner",
    "locked_by",
    "created_at",
    "updated_at",
)
_UTC = dt.timezone.utc

_SELECT = """\
SELECT tickets.id, tickets.number, tickets.subject, tickets.state, tickets.state_type, tickets.priority,
 queues.name, customers.key, owners.login, lockers.login, tickets.created_at, tickets.updated_at
FROM tickets
 JOIN queues ON tickets.queue_id = queues.id
 LEFT OUTER JOIN customers ON tickets.customer_id = customers.id
 LEFT OUTER JOIN agents AS owners ON tickets.owner_id = owners.id
 LEFT OUTER JOIN agents AS lockers ON tickets.locked_by_id = lockers.id"""
#: ``sla="warning"``: a running clock past its warning point, not yet due or breached.
_SLA_WARNING = (
    "sla_clocks.status = 'running' AND sla_clocks.warn_at <= {p} AND sla_clocks.due_at > {p}"
    " AND sla_clocks.breached_at IS NULL"
)
#: ``sla="breached"``: store.sla_repo.clock_category(now) == 'overdue'.
_SLA_OVERDUE = (
    "CASE WHEN (sla_clocks.status NOT IN ('running', 'paused')) THEN sla_clocks.status"
    " WHEN (sla_clocks.breached_at IS NOT NULL OR sla_clocks.status = 'running' AND sla_clocks.due_at <= {p}"
    " OR sla_clocks.status = 'paused' AND sla_clocks.paused_at >= sla_clocks.due_at) THEN 'overdue'"
    " ELSE sla_clocks.status END = 'overdue'"
)


class _Refused(Exception):
    """The quick path does not answer this request; the full path will."""


def quick_ticket_rows(
    url: str,
    *,
    now: dt.datetime,
    state: str | None = None,
    state_types: Sequence[str] | None = None,
    queue: str | None = None,
    owner: str | None = None,
    customer: str | None = None,
    limit: int | None = 100,
    sla: str | None = None,
    queues: Collection[str] | None = None,
    contact: str | None = None,
) -> list[dict[str, Any]] | None:
    """The rows :meth:`~deskframe.store.ticket_views_repo.TicketViewRepo.list_tickets` returns for
    the same arguments, or ``None`` when this path does not answer (take the full path then).

    ``url`` is the configured database URL; ``customer``, ``owner`` and ``queue`` must exist
    when given (``None`` otherwise: the full path raises ``NotFound``); ``queues``, when not
    ``None``, keeps only tickets in those queues (the queues an actor may see); ``contact`` (an
    e-mail) only tickets opened by that contact (see :func:`deskframe.policy.visibility`)."""
    if contact is not None:
        contact = contact.strip().lower()
    texts = [
        v for v in (state, queue, owner, customer, contact, *(state_types or ()), *(queues or ())) if v is not None
    ]
    if any("\x00" in v for v in texts) or sla not in (None, "warning", "breached"):
        return None  # NUL: the full path strips it from bound text (FreeText); it decides
    try:
        parsed = parse_url(url)
    except ValueError:
        return None
    try:
        with _connect(parsed) as (cursor, mark):
            if not _at_head(cursor):
                return None
            for table, column, value in (("customers", "key", customer), ("agents", "login", owner)):
                if value is not None and not _exists(cursor, mark, table, column, value):
                    return None
            if queue is not None and not _exists(cursor, mark, "queues", "name", queue):
                return None
            sql, params = _listing_sql(
                mark, state, state_types, queue, owner, customer, limit, sla, now, queues, contact
            )
            cursor.execute(sql, params)
            found = cursor.fetchall()
            due = _next_due(cursor, mark, [row[0] for row in found])
    except _Refused:
        return None
    except Exception as exc:  # a driver error or a value the full path would judge: let it report
        if _driver_error(exc) or isinstance(exc, (ValueError, TypeError)):
            return None
        raise
    rows = []
    for ticket_id, *values in found:
        row = dict(zip(ROW_KEYS, values))
        row["created_at"] = _utc(row["created_at"])
        row["updated_at"] = _utc(row["updated_at"])
        row["due"] = due.get(ticket_id)
        rows.append(row)
    return rows


def _listing_sql(
    mark: str,
    state: str | None,
    state_types: Sequence[str] | None,
    queue: str | None,
    owner: str | None,
    customer: str | None,
    limit: int | None,
    sla: str | None,
    now: dt.datetime,
    queues: Collection[str] | None,
    contact: str | None = None,
) -> tuple[str, list[Any]]:
    """The listing's SELECT and its parameters (``mark`` is the driver's placeholder)."""
    where: list[str] = []
    params: list[Any] = []
    if state:
        where.append(f"tickets.state = {mark}")
        params.append(state)
    if state_types is not None:
        where.append(_in("tickets.state_type", mark, len(state_types)))
        params.extend(state_types)
    if queue:
        where.append(f"queues.name = {mark}")
        params.append(queue)
    if queues is not None:
        where.append(_in("queues.name", mark, len(queues)))
        params.extend(queues)
    if owner:
        where.append(f"owners.login = {mark}")
        params.append(owner)
    if customer:
        where.append(f"customers.key = {mark}")
        params.append(customer)
    if contact is not None:
        where.append(f"tickets.contact_id = (SELECT contacts.id FROM contacts WHERE contacts.email = {mark})")
        params.append(contact)
    if sla is not None:
        at = _stored_time(now, mark)
        hit = _SLA_WARNING if sla == "warning" else _SLA_OVERDUE
        where.append(
            "EXISTS (SELECT sla_clocks.id FROM sla_clocks"
            f" WHERE sla_clocks.ticket_id = tickets.id AND {hit.format(p=mark)})"
        )
        params.extend([at] * hit.count("{p}"))
    sql = _SELECT
    if where:
        sql += "\nWHERE " + " AND ".join(where)
    sql += "\nORDER BY tickets.updated_at DESC, tickets.id DESC"
    if limit:
        sql += f"\nLIMIT {mark}"
        params.append(limit)
    return sql, params


def _in(column: str, mark: str, count: int) -> str:
    """``column IN (...)`` with ``count`` placeholders; false for none (as SQLAlchemy's empty IN)."""
    return f"{column} IN ({', '.join([mark] * count)})" if count else "1 != 1"


def _next_due(cursor: Any, mark: str, ticket_ids: list[int]) -> dict[int, dt.datetime]:
    """The earliest due time of each listed ticket's running SLA clocks (as TicketViewRepo._next_due)."""
    out: dict[int, dt.datetime] = {}
    for start in range(0, len(ticket_ids), DUE_CHUNK):
        chunk = ticket_ids[start : start + DUE_CHUNK]
        cursor.execute(
            "SELECT sla_clocks.ticket_id, min(sla_clocks.due_at) FROM sla_clocks"
            f" WHERE {_in('sla_clocks.ticket_id', mark, len(chunk))} AND sla_clocks.status = 'running'"
            " GROUP BY sla_clocks.ticket_id",
            chunk,
        )
        for ticket_id, due in cursor.fetchall():
            at = _utc(due)
            if at is not None:  # min() of a NOT NULL column over a group: never NULL
                out[ticket_id] = at
    return out


def _at_head(cursor: Any) -> bool:
    """Whether the schema is at :data:`HEAD_REVISION` (one SELECT of Alembic's version table)."""
    cursor.execute("SELECT version_num FROM alembic_version")
    return [tuple(r) for r in cursor.fetchall()] == [(HEAD_REVISION,)]


def _exists(cursor: Any, mark: str, table: str, column: str, value: str) -> bool:
    cursor.execute(f"SELECT 1 FROM {table} WHERE {table}.{column} = {mark}", [value])
    return cursor.fetchone() is not None


def _stored_time(value: dt.datetime, mark: str) -> Any:
    """An aware time as the store binds it (rows.UTCDateTime): naive UTC; on SQLite the text
    SQLAlchemy's SQLite DATETIME writes (the column holds such text and compares as text)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store; use an aware datetime")
    naive = value.astimezone(_UTC).replace(tzinfo=None)
    if mark == "?":
        return (
            f"{naive.year:04d}-{naive.month:02d}-{naive.day:02d} "
            f"{naive.hour:02d}:{naive.minute:02d}:{naive.second:02d}.{naive.microsecond:06d}"
        )
    return naive


def _utc(value: Any) -> dt.datetime | None:
    """A stored time as the store returns it (rows.UTCDateTime): aware, UTC."""
    if value is None:
        return None
    if isinstance(value, str):  # SQLite keeps text; SQLAlchemy's SQLite DATETIME reads it so
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise TypeError(f"not a stored time: {value!r}")
    return value.replace(tzinfo=_UTC)


@contextmanager
def _connect(url: DbUrl) -> Iterator[tuple[Any, str]]:
    """A cursor in a read transaction (rolled back at the end) and the driver's placeholder."""
    if url.drivername in _SQLITE_DRIVERS:
        with _sqlite(url) as cursor:
            yield cursor, "?"
    elif url.drivername in _POSTGRES_DRIVERS:
        with _postgres(url) as cursor:
            yield cursor, "%s"
    else:
        raise _Refused


@contextmanager
def _sqlite(url: DbUrl) -> Iterator[Any]:
    import sqlite3

    # the plain file forms only (no URI options, no memory database), and an existing file:
    # the engine would create a missing one, and then report it as not initialized
    if url.query or url.username or url.password or url.host or url.port:
        raise _Refused
    if not url.database or url.database == ":memory:":
        raise _Refused
    path = os.path.abspath(url.database)
    if not os.path.isfile(path):
        raise _Refused
    # mode=rw: never create the file (a race with its removal ends in an error, not a new file)
    connection = sqlite3.connect(
        f"file:{quote(path)}?mode=rw", uri=True, timeout=SQLITE_BUSY_SECONDS, isolation_level=None
    )
    try:
        cursor = connection.cursor()
        cursor.execute("BEGIN")  # one snapshot for the list and its due times
        try:
            yield cursor
        finally:
            cursor.execute("ROLLBACK")
    finally:
        connection.close()


@contextmanager
def _postgres(url: DbUrl) -> Iterator[Any]:
    try:
        import psycopg
    except ImportError:
        raise _Refused from None
    # connection arguments as SQLAlchemy's psycopg dialect builds them (create_connect_args)
    if "host" in url.query or "port" in url.query or any(isinstance(v, tuple) for v in url.query.values()):
        raise _Refused  # multi-host and repeated arguments: the engine's own handling
    args: dict[str, Any] = {
        name: value
        for name, value in (
            ("host", url.host),
            ("dbname", url.database),
            ("user", url.username),
            ("password", url.password),
            ("port", url.port),
        )
        if value
    }
    args.update(url.query)
    connection = psycopg.connect("", **args)
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        try:
            connection.rollback()
        finally:
            connection.close()


def _driver_error(exc: BaseException) -> bool:
    """Whether ``exc`` is an error of a DB-API driver (``sqlite3.Error``, ``psycopg.Error``)."""
    drivers = [sys.modules.get(name) for name in ("sqlite3", "psycopg")]
    return any(isinstance(exc, module.Error) for module in drivers if module is not None)
