"""SLA clocks: start, pause, resume, stop; claim warnings and breaches exactly once."""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, bindparam, case, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from .core_reads import core_rows
from .rows import CustomerRow, HistoryRow, SlaClockRow, TicketRow

LIVE = ("running", "paused")
#: Every clock is in exactly one of these (docs/sla.md): stopped ones by their outcome,
#: live ones by whether their due time has passed.
CATEGORIES = ("met", "missed", "overdue", "running", "paused", "cancelled")


#: The clocks of ticket ``ticket_id``, oldest first.
_CLOCKS_OF = select(SlaClockRow).where(SlaClockRow.ticket_id == bindparam("ticket_id")).order_by(SlaClockRow.id)
_CLOCKS = SlaClockRow.__table__
#: The same as Core rows (the columns of :class:`~.rows.SlaClockRow` by the same names), to read.
_CLOCK_VALUES_OF = select(_CLOCKS).where(_CLOCKS.c.ticket_id == bindparam("ticket_id")).order_by(_CLOCKS.c.id)
#: A clock's values as :meth:`SlaRepo.clock_values` answers them when another statement read them
#: (:meth:`SlaRepo.keep_clock_values`): the columns of :class:`~.rows.SlaClockRow`, in table order.
ClockValues = collections.namedtuple("ClockValues", [c.name for c in _CLOCKS.columns])  # type: ignore[misc]


def clock_category(now: dt.datetime) -> Any:
    """SQL for the category of a clock as of ``now`` (one of :data:`CATEGORIES`).

    ``met``/``missed``/``cancelled`` are stopped clocks by their status. A live clock is
    ``overdue`` once breached (``sla check`` marked it) or past its due time - a paused
    clock only if it was already past due when it paused, since pausing moves the due
    time - and ``running`` or ``paused`` otherwise.
    """
    at = literal(now, SlaClockRow.due_at.type)
    late = or_(
        SlaClockRow.breached_at.is_not(None),
        and_(SlaClockRow.status == "running", SlaClockRow.due_at <= at),
        and_(SlaClockRow.status == "paused", SlaClockRow.paused_at >= SlaClockRow.due_at),
    )
    return case((SlaClockRow.status.not_in(LIVE), SlaClockRow.status), (late, "overdue"), else_=SlaClockRow.status)


class SlaRepo:
    """Clock rows of tickets; the only place their SQL lives."""

    session: Session
    now: dt.datetime

    def add_clock(self, ticket: TicketRow, policy: str, spec: Any, started_at: dt.datetime) -> SlaClockRow:
        row = SlaClockRow(
            ticket_id=ticket.id,
            kind=spec.kind,
            policy=policy,
            calendar=spec.calendar,
            stop_on=spec.stop_on,
            pause_on=list(spec.pause_on),
            escalate_to=spec.escalate_to,
            status="running",
            started_at=started_at,
            due_base=spec.due,
            warn_base=spec.warn_at,
            due_at=spec.due,
            warn_at=spec.warn_at,
            paused_seconds=0,
        )
        self.session.add(row)
        return row

    def live_clocks(self, ticket: TicketRow) -> list[SlaClockRow]:
        """Running or paused clocks; without an autoflush, so in-memory changes are re-checked here."""
        rows = self.session.scalars(
            select(SlaClockRow)
            .where(SlaClockRow.ticket_id == ticket.id, SlaClockRow.status.in_(LIVE))
            .order_by(SlaClockRow.id)
            .execution_options(autoflush=False)
        )
        return [row for row in rows if row.status in LIVE]

    def clocks(self, ticket_id: int) -> list[SlaClockRow]:
        return list(self.session.scalars(_CLOCKS_OF, {"ticket_id": ticket_id}))

    def clock_values(self, ticket_id: int) -> list[Any]:
        """The clocks of a ticket to read, not change: Core rows, oldest first (after the
        session's pending changes are flushed, as :meth:`clocks`), with no ORM entities built and
        without the ORM's result layer (the session's connection runs it)."""
        kept = self.__dict__.get("_kept_clocks", {}).get(ticket_id)
        if kept is not None:  # read with the ticket in this transaction (keep_clock_values)
            return list(kept)
        return core_rows(self.session, _CLOCK_VALUES_OF, {"ticket_id": ticket_id})

    def keep_clock_values(self, ticket_id: int, clocks: list[ClockValues]) -> None:
        """Keep the clocks of ticket ``ticket_id`` (oldest first), read in this transaction by
        another statement (the ticket's, in :meth:`~.ticket_views_repo.TicketViewRepo.ticket_row_with_names`),
        for :meth:`clock_values` in this transaction. For reads only: a change to a clock
        (through :meth:`clocks`' entities) is not seen by what was kept."""
        self.__dict__.setdefault("_kept_clocks", {})[ticket_id] = tuple(clocks)

    def _claim(
        self, column: Any, condition: Any, now: dt.datetime, limit_ids: Iterable[int] | None = None
    ) -> list[Any]:
        stmt = (
            update(SlaClockRow)
            .where(condition)
            .values({column: now})
            .returning(
                SlaClockRow.id, SlaClockRow.ticket_id, SlaClockRow.kind, SlaClockRow.due_at, SlaClockRow.escalate_to
            )
            .execution_options(synchronize_session=False)
        )
        return list(self.session.execute(stmt))

    def claim_warnings(self, now: dt.datetime) -> list[Any]:
        """Mark every running clock past its warning point (and not yet due) as warned; return them."""
        return self._claim(
            "warned_at",
            and_(
                SlaClockRow.status == "running",
                SlaClockRow.warned_at.is_(None),
                SlaClockRow.warn_at <= now,
                SlaClockRow.due_at > now,
            ),
            now,
        )

    def claim_breaches(self, now: dt.datetime) -> list[Any]:
        """Mark every running clock past its due time as breached; return them (each once, ever)."""
        return self._claim(
            "breached_at",
            and_(SlaClockRow.status == "running", SlaClockRow.breached_at.is_(None), SlaClockRow.due_at <= now),
            now,
        )

    def add_history_rows(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(HistoryRow), rows)

    def clock_report_rows(
        self, customer: str, start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None
    ) -> list[Any]:
        """The clocks of a customer's tickets started in ``[start, end)``, each with its
        ``category`` as of ``now`` (see :func:`clock_category`)."""
        return list(
            self.session.execute(
                select(
                    SlaClockRow.kind,
                    SlaClockRow.status,
                    SlaClockRow.started_at,
                    SlaClockRow.stopped_at,
                    SlaClockRow.due_at,
                    SlaClockRow.breached_at,
                    SlaClockRow.paused_seconds,
                    SlaClockRow.calendar,
                    TicketRow.priority,
                    TicketRow.number,
                    clock_category(now or self.now).label("category"),
                )
                .join(TicketRow, SlaClockRow.ticket_id == TicketRow.id)
                .join(CustomerRow, TicketRow.customer_id == CustomerRow.id)
                .where(CustomerRow.key == customer, SlaClockRow.started_at >= start, SlaClockRow.started_at < end)
                .order_by(SlaClockRow.started_at)
            )
        )

    def clock_figures(self, now: dt.datetime) -> dict[str, int]:
        """Clocks of all tickets per category as of ``now``: every category of
        :data:`CATEGORIES` (zero if none) and ``total``, the number of clocks (their sum)."""
        category = clock_category(now)
        found: dict[str, int] = dict(
            self.session.execute(select(category, func.count(SlaClockRow.id)).group_by(category)).all()
        )
        figures = {name: int(found.get(name, 0)) for name in CATEGORIES}
        figures["total"] = int(sum(found.values()))  # every clock, whatever its category
        return figures

    def count_live_clocks(self) -> int:
        from sqlalchemy import func

        return self.session.scalar(select(func.count(SlaClockRow.id)).where(SlaClockRow.status.in_(LIVE))) or 0
