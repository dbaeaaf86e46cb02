"""Period reads for customer reports: a customer's tickets with their state changes, first
replies and SLA clocks, in a few set-based queries (no per-ticket round trips).

Each read of a period's tickets is one statement: the clocks, state changes, first replies and
estimates join the same ticket filter (:meth:`ReportRepo.period_ticket_rows`) instead of sending
the ticket ids back in ``IN (...)`` lists. Instants come back without the ORM's per-value
conversion: the tickets' and history's as text or naive datetimes read by
:func:`~.sql_values.as_instant`, the clocks' as integer microseconds since the epoch computed in
SQL (:class:`epoch_us`), which is what business-time arithmetic works on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, String, case, exists, func, literal, or_, select, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from .rows import (
    AgentRow,
    ArticleRow,
    ContractRow,
    CustomerRow,
    EstimateRow,
    HistoryRow,
    QueueRow,
    SlaClockRow,
    TicketRow,
    TimeEntryRow,
)
from .sla_repo import clock_category
from .sql_values import as_instant

OPEN_TYPES = ("new", "open", "pending")
#: The ticket columns :meth:`ReportRepo.period_counts` groups by, by name.
COUNT_DIMENSIONS = ("priority", "channel", "line", "queue", "contract")
#: What :meth:`ReportRepo.period_counts` counts.
COUNT_FIGURES = ("opened", "resolved", "backlog", "breached")
#: Clock categories (as of the read) that count a ticket as breached.
BREACHED = ("missed", "overdue")


class epoch_us(FunctionElement[int]):
    """A naive-UTC timestamp column as integer microseconds since 1970-01-01 UTC, computed by
    the database (NULL stays NULL): exact to the microsecond on both backends."""

    type = BigInteger()
    inherit_cache = True


def sqlite_epoch_us(col: str, version: tuple[int, ...] | None) -> str:
    """SQLite SQL for column ``col`` (stored as ``'YYYY-MM-DD HH:MM:SS.ffffff'``) in integer
    microseconds since the epoch: the whole seconds of its first 19 characters, by
    ``unixepoch()`` on SQLite 3.38 and later (cheaper than formatting them with
    ``strftime('%s')`` and casting the text back), plus the microseconds from the text.

    The seconds are read from the text without its fraction: SQLite's date functions round a
    fraction to milliseconds, so ``...:59.999500`` and later would count a whole second more."""
    whole = f"substr({col}, 1, 19)"
    if version is not None and version >= (3, 38):
        seconds = f"unixepoch({whole})"
    else:
        seconds = f"CAST(strftime('%s', {whole}) AS INTEGER)"
    return f"({seconds} * 1000000 + CAST(substr({col}, 21, 6) AS INTEGER))"


@compiles(epoch_us, "sqlite")
def _epoch_us_sqlite(element: epoch_us, compiler: Any, **kw: Any) -> str:
    col = compiler.process(element.clauses, **kw)
    return sqlite_epoch_us(col, getattr(compiler.dialect, "server_version_info", None))


@compiles(epoch_us)
def _epoch_us_default(element: epoch_us, compiler: Any, **kw: Any) -> str:
    # a timestamp without time zone: EXTRACT reads it as UTC, and its numeric is exact
    col = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(EPOCH FROM {col}) * 1000000 AS BIGINT)"


class ReportRepo:
    """Read-only queries behind :class:`deskframe.services.activity.ActivityService`."""

    session: Any
    now: dt.datetime

    def _rows(self, query: Any) -> Sequence[Any]:
        """Plain rows of a column query, executed as Core on the session's connection (the
        ORM's result machinery costs more than the read itself for ten thousand rows)."""
        return self.session.connection().execute(query).all()

    def _tuples(self, query: Any) -> list[tuple[Any, ...]]:
        """The rows of a column query as the driver returns them: plain tuples, no ``Row`` per
        row and no result processing, for the period reads whose columns need none (text,
        integers, instants read by :func:`~.sql_values.as_instant`). A month of ten thousand
        tickets reads ~50,000 rows: as ``Row`` objects, which the cyclic garbage collector
        tracks while plain tuples of plain values it stops tracking, they cost the report
        a full collection or two of the whole process's heap."""
        result = self.session.connection().execute(query)
        try:
            return list(result.cursor.fetchall())
        finally:
            result.close()

    @staticmethod
    def _period_tickets(query: Any, customer: str, start: dt.datetime, end: dt.datetime, contract: str | None) -> Any:
        """``query`` (which selects from a table joined to ``TicketRow``) kept to the customer's
        tickets that may matter to ``[start, end)``: opened before ``end`` and either still open
        or changed since ``start`` (a ticket closed before ``start`` and untouched since cannot be
        opened, resolved or in the backlog of the period)."""
        query = query.join(CustomerRow, TicketRow.customer_id == CustomerRow.id).where(
            CustomerRow.key == customer,
            TicketRow.created_at < end,
            or_(TicketRow.state_type.in_(OPEN_TYPES), TicketRow.updated_at >= start),
        )
        if contract is not None:
            query = query.where(
                TicketRow.contract_id == select(ContractRow.id).where(ContractRow.key == contract).scalar_subquery()
            )
        return query

    def period_ticket_rows(
        self, customer: str, start: dt.datetime, end: dt.datetime, contract: str | None = None
    ) -> list[Any]:
        """The customer's tickets that may matter to ``[start, end)`` (see :meth:`_period_tickets`),
        oldest first: ``(id, number, subject, state, state_type, priority, queue, channel, line,
        contract, created_at)`` tuples, ``created_at`` an aware UTC datetime."""
        query = (
            select(
                TicketRow.id,
                TicketRow.number,
                TicketRow.subject,
                TicketRow.state,
                TicketRow.state_type,
                TicketRow.priority,
                QueueRow.name,
                TicketRow.channel,
                TicketRow.line,
                ContractRow.key,
                type_coerce(TicketRow.created_at, String),
            )
            .select_from(TicketRow)
            .join(QueueRow, TicketRow.queue_id == QueueRow.id)
            .outerjoin(ContractRow, TicketRow.contract_id == ContractRow.id)
            .order_by(TicketRow.created_at, TicketRow.id)
        )
        rows = self._tuples(self._period_tickets(query, customer, start, end, contract))
        return [(*r[:10], as_instant(r[10])) for r in rows]

    def period_state_changes(
        self, customer: str, start: dt.datetime, end: dt.datetime, contract: str | None = None
    ) -> list[tuple[int, dt.datetime, str | None]]:
        """``(ticket_id, at, new)`` of every state change of the period's tickets, by ticket and
        each ticket's oldest first."""
        query = (
            select(HistoryRow.ticket_id, type_coerce(HistoryRow.at, String), HistoryRow.new)
            .join(TicketRow, HistoryRow.ticket_id == TicketRow.id)
            .where(HistoryRow.action == "state")
            .order_by(HistoryRow.ticket_id, HistoryRow.at, HistoryRow.id)
        )
        rows = self._tuples(self._period_tickets(query, customer, start, end, contract))
        return [(r[0], as_instant(r[1]), r[2]) for r in rows]  # type: ignore[misc]

    def period_first_replies(
        self, customer: str, start: dt.datetime, end: dt.datetime, contract: str | None = None
    ) -> dict[int, dt.datetime]:
        """Ticket id -> time of its first outbound article visible to the customer, for the
        period's tickets."""
        query = (
            select(ArticleRow.ticket_id, type_coerce(func.min(ArticleRow.created_at), String))
            .join(TicketRow, ArticleRow.ticket_id == TicketRow.id)
            .where(ArticleRow.direction == "out", ArticleRow.visible.is_(True))
            .group_by(ArticleRow.ticket_id)
        )
        rows = self._tuples(self._period_tickets(query, customer, start, end, contract))
        return {r[0]: as_instant(r[1]) for r in rows}  # type: ignore[misc]

    def period_clock_rows(
        self,
        customer: str,
        start: dt.datetime,
        end: dt.datetime,
        contract: str | None,
        now: dt.datetime,
        opened: bool = False,
    ) -> Sequence[Any]:
        """Every SLA clock of the period's tickets with its ``category`` as of ``now``, by ticket;
        its instants (``started_us``, ``stopped_us``, ``due_base_us``, ``due_us``) in integer
        microseconds since the epoch, ``business_us``, its working time stored when it stopped,
        and ``target_us``, its target in working time stored when it started.

        ``opened``: the clocks of the tickets opened in ``[start, end)`` only, with only the
        instants the stored figures leave needed (the database computes each for every row, and
        each value read is a Python object): ``calendar`` and ``started_us`` when either figure is
        missing, ``stopped_us`` when ``business_us`` is (else 0 for a stopped clock: it stopped,
        its instant is not read; None while it runs), ``due_base_us`` when ``target_us`` is,
        ``due_us`` never (None)."""
        started: Any = epoch_us(SlaClockRow.started_at)
        stopped: Any = epoch_us(SlaClockRow.stopped_at)
        due_base: Any = epoch_us(SlaClockRow.due_base)
        due: Any = epoch_us(SlaClockRow.due_at)
        calendar: Any = SlaClockRow.calendar
        if opened:
            missing = or_(SlaClockRow.business_us.is_(None), SlaClockRow.target_us.is_(None))
            calendar = case((missing, calendar))
            started = case((missing, started))
            # the stop instant of every clock cost a sixth of the read: 0 says "stopped"
            stopped = case(
                (SlaClockRow.stopped_at.is_(None), None),
                (SlaClockRow.business_us.is_(None), stopped),
                else_=literal(0, BigInteger()),
            )
            due_base = case((SlaClockRow.target_us.is_(None), due_base))
            due = literal(None, BigInteger())
        query = (
            select(
                SlaClockRow.ticket_id,
                SlaClockRow.kind,
                SlaClockRow.status,
                clock_category(now).label("category"),
                calendar.label("calendar"),
                started.label("started_us"),
                stopped.label("stopped_us"),
                due_base.label("due_base_us"),
                due.label("due_us"),
                func.coalesce(SlaClockRow.paused_seconds, 0).label("paused_seconds"),
                SlaClockRow.business_us,
                SlaClockRow.target_us,
            )
            .join(TicketRow, SlaClockRow.ticket_id == TicketRow.id)
            .order_by(SlaClockRow.ticket_id, SlaClockRow.id)
        )
        query = self._period_tickets(query, customer, start, end, contract)
        return self._tuples(query.where(TicketRow.created_at >= start) if opened else query)

    def period_opened_rows(
        self, customer: str, start: dt.datetime, end: dt.datetime, contract: str | None = None
    ) -> list[tuple[Any, ...]]:
        """The customer's tickets opened in ``[start, end)``, oldest first, as plain tuples
        ``(id, number, subject, priority, channel, line, queue, contract, created_us)``,
        ``created_us`` in integer microseconds since the epoch."""
        query = (
            select(
                TicketRow.id,
                TicketRow.number,
                TicketRow.subject,
                TicketRow.priority,
                TicketRow.channel,
                TicketRow.line,
                QueueRow.name,
                ContractRow.key,
                epoch_us(TicketRow.created_at),
            )
            .select_from(TicketRow)
            .join(QueueRow, TicketRow.queue_id == QueueRow.id)
            .outerjoin(ContractRow, TicketRow.contract_id == ContractRow.id)
            .where(TicketRow.created_at >= start)
            .order_by(TicketRow.created_at, TicketRow.id)
        )
        return self._tuples(self._period_tickets(query, customer, start, end, contract))

    def period_counts(
        self,
        customer: str,
        start: dt.datetime,
        end: dt.datetime,
        contract: str | None,
        now: dt.datetime,
        by: tuple[str, ...],
        done_states: Sequence[str],
        ended_states: Sequence[str],
        figures: tuple[str, ...] = COUNT_FIGURES,
    ) -> list[tuple[Any, ...]]:
        """Counts of the period's tickets (see :meth:`_period_tickets`) grouped by the ticket
        columns named in ``by`` (:data:`COUNT_DIMENSIONS`), in one statement: rows ``(*by values,
        *figures)``, ``figures`` some of :data:`COUNT_FIGURES` in any order:

        ``opened``: created in ``[start, end)``; ``resolved``: with a state change in ``[start,
        end)`` to one of ``done_states`` (state names); ``backlog``: whose last state change
        before ``end`` (by time, then id) is not to one of ``ended_states`` (no change: still new);
        ``breached``: opened and with an SLA clock missed or overdue as of ``now``."""
        columns = {
            "priority": TicketRow.priority,
            "channel": TicketRow.channel,
            "line": TicketRow.line,
            "queue": QueueRow.name,
            "contract": ContractRow.key,
        }
        dims = [columns[name] for name in by]
        state = (HistoryRow.ticket_id == TicketRow.id, HistoryRow.action == "state")
        done = exists().where(*state, HistoryRow.at >= start, HistoryRow.at < end, HistoryRow.new.in_(done_states))
        last = (
            select(HistoryRow.new)
            .where(*state, HistoryRow.at < end)
            .order_by(HistoryRow.at.desc(), HistoryRow.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        late = exists().where(SlaClockRow.ticket_id == TicketRow.id, clock_category(now).in_(BREACHED))
        is_opened = TicketRow.created_at >= start
        conditions = {
            "opened": lambda: is_opened,
            "resolved": lambda: done,
            "backlog": lambda: func.coalesce(last, "").not_in(list(ended_states)),
            "breached": lambda: is_opened & late,
        }
        counts = [func.sum(case((conditions[name](), 1), else_=0)) for name in figures]
        query = select(*dims, *counts).select_from(TicketRow)
        if "queue" in by:
            query = query.join(QueueRow, TicketRow.queue_id == QueueRow.id)
        if "contract" in by:
            query = query.outerjoin(ContractRow, TicketRow.contract_id == ContractRow.id)
        query = self._period_tickets(query, customer, start, end, contract)
        return self._tuples(query.group_by(*dims) if dims else query)

    def period_estimates(
        self,
        customer: str,
        start: dt.datetime,
        end: dt.datetime,
        contract: str | None = None,
        *,
        by_number: bool = False,
    ) -> dict[Any, Any]:
        """Ticket id (``by_number``: number) -> estimated hours (Decimal) of the period's tickets
        that have an estimate."""
        key = TicketRow.number if by_number else EstimateRow.ticket_id
        query = select(key, EstimateRow.hours).join(TicketRow, EstimateRow.ticket_id == TicketRow.id)
        return {r[0]: r[1] for r in self._rows(self._period_tickets(query, customer, start, end, contract))}

    def time_totals(
        self,
        customer: str,
        first: dt.date,
        end: dt.date,
        contract: str | None = None,
        by: tuple[str, ...] = ("ticket", "agent"),
    ) -> list[Any]:
        """``(ticket, subject, agent, billable, minutes)``: the customer's time entries with a work
        date in ``[first, end)``, not voided, summed per billable and the ``by`` dimensions
        (``ticket``, ``agent``); a dimension left out is summed over and comes back empty.

        The sums group by the entries' own ids and read only the covering index
        ``ix_time_entries_ticket_work_date_cover`` (migration 0026); the ticket numbers, subjects
        and agent logins are looked up once per group afterwards, not once per entry."""
        ids = [c for c, dim in ((TimeEntryRow.ticket_id, "ticket"), (TimeEntryRow.agent_id, "agent")) if dim in by]
        sums = select(*ids, TimeEntryRow.billable, func.sum(TimeEntryRow.minutes).label("minutes"))
        s = self._period_time(sums, customer, first, end, contract).group_by(*ids, TimeEntryRow.billable).subquery()
        ticket = TicketRow.number if "ticket" in by else literal("")
        subject = TicketRow.subject if "ticket" in by else literal("")
        agent = AgentRow.login if "agent" in by else literal("")
        query = select(
            ticket.label("ticket"), subject.label("subject"), agent.label("agent"), s.c.billable, s.c.minutes
        )
        query = query.select_from(s)
        if "ticket" in by:
            query = query.join(TicketRow, TicketRow.id == s.c.ticket_id)
        if "agent" in by:
            query = query.join(AgentRow, AgentRow.id == s.c.agent_id)
        groups = [c for c, dim in ((TicketRow.number, "ticket"), (AgentRow.login, "agent")) if dim in by]
        return self._tuples(query.order_by(*groups, s.c.billable))

    @staticmethod
    def _period_time(query: Any, customer: str, first: dt.date, end: dt.date, contract: str | None) -> Any:
        """``query`` (which selects from ``TimeEntryRow``) kept to the customer's entries with a work
        date in ``[first, end)``, not voided (``contract``: that contract's tickets)."""
        return ReportRepo._entries_kept(
            query.join(TicketRow, TimeEntryRow.ticket_id == TicketRow.id), customer, first, end, contract
        )

    @staticmethod
    def _entries_kept(query: Any, customer: str, first: dt.date, end: dt.date, contract: str | None) -> Any:
        """``query`` (which joins ``TimeEntryRow`` and ``TicketRow``, in either order) kept to the
        customer's entries with a work date in ``[first, end)``, not voided (``contract``: that
        contract's tickets)."""
        query = query.join(CustomerRow, TicketRow.customer_id == CustomerRow.id).where(
            CustomerRow.key == customer,
            TimeEntryRow.voided_at.is_(None),
            TimeEntryRow.work_date >= first,
            TimeEntryRow.work_date < end,
        )
        if contract is not None:
            query = query.join(ContractRow, TicketRow.contract_id == ContractRow.id).where(ContractRow.key == contract)
        return query

    def time_per_ticket(
        self, customer: str, first: dt.date, end: dt.date, contract: str | None = None
    ) -> list[tuple[Any, ...]]:
        """``(number, subject, billable minutes, non-billable minutes)`` of each of the customer's
        tickets with time (not voided) worked in ``[first, end)``: one row per ticket, both sums
        side by side; no order.

        One grouped join, the tickets first: the customer's tickets in id order by their
        customer index, each ticket's entries of the dates from the covering index
        ``ix_time_entries_ticket_work_date_cover`` (migration 0026), grouped by ticket id as they
        come (SQLite needs no sort for it), each ticket's number and subject read once with it
        rather than by joining the tickets again to the sums."""
        billable = func.sum(case((TimeEntryRow.billable, TimeEntryRow.minutes), else_=0)).label("billable")
        other = func.sum(case((TimeEntryRow.billable, 0), else_=TimeEntryRow.minutes)).label("other")
        query = (
            select(TicketRow.number, TicketRow.subject, billable, other)
            .select_from(TicketRow)
            .join(TimeEntryRow, TimeEntryRow.ticket_id == TicketRow.id)
        )
        query = self._entries_kept(query, customer, first, end, contract)
        # number and subject depend on the id (the primary key): PostgreSQL accepts them ungrouped
        return self._tuples(query.group_by(TicketRow.id))
