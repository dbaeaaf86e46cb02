"""Period reads for customer reports: a customer's tickets with their state changes, first
replies and SLA clocks, in a few set-based queries (no per-ticket round trips)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.orm import Session

from .rows import (
    AgentRow,
    ArticleRow,
    ContractRow,
    CustomerRow,
    HistoryRow,
    QueueRow,
    SlaClockRow,
    TicketRow,
    TimeEntryRow,
)
from .sla_repo import clock_category
from .sql_values import chunks

OPEN_TYPES = ("new", "open", "pending")


class ReportRepo:
    """Read-only queries behind :class:`deskframe.services.activity.ActivityService`."""

    session: Session
    now: dt.datetime

    def _rows(self, query: Any) -> Sequence[Any]:
        """Plain rows of a column query, executed as Core on the session's connection (the
        ORM's result machinery costs more than the read itself for ten thousand rows)."""
        return self.session.connection().execute(query).all()

    def period_ticket_rows(
        self, customer: str, start: dt.datetime, end: dt.datetime, contract: str | None = None
    ) -> list[Any]:
        """The customer's tickets that may matter to ``[start, end)``: opened before ``end``
        and either still open or changed since ``start`` (a ticket closed before ``start``
        and untouched since cannot be opened, resolved or in the backlog of the period)."""
        query = (
            select(
                TicketRow.id,
                TicketRow.number,
                TicketRow.subject,
                TicketRow.state,
                TicketRow.state_type,
                TicketRow.priority,
                TicketRow.channel,
                TicketRow.line,
                TicketRow.created_at,
                QueueRow.name.label("queue"),
                ContractRow.key.label("contract"),
            )
            .join(CustomerRow, TicketRow.customer_id == CustomerRow.id)
            .join(QueueRow, TicketRow.queue_id == QueueRow.id)
            .outerjoin(ContractRow, TicketRow.contract_id == ContractRow.id)
            .where(
                CustomerRow.key == customer,
                TicketRow.created_at < end,
                or_(TicketRow.state_type.in_(OPEN_TYPES), TicketRow.updated_at >= start),
            )
            .order_by(TicketRow.created_at, TicketRow.id)
        )
        if contract is not None:
            query = query.where(ContractRow.key == contract)
        return list(self._rows(query))

    def state_changes(self, ticket_ids: Iterable[int]) -> list[Any]:
        """``(ticket_id, at, new)`` of every state change of these tickets, oldest first."""
        out: list[Any] = []
        for part in chunks(list(ticket_ids), 500):
            out.extend(
                self._rows(
                    select(HistoryRow.ticket_id, HistoryRow.at, HistoryRow.new)
                    .where(HistoryRow.ticket_id.in_(part), HistoryRow.action == "state")
                    .order_by(HistoryRow.at, HistoryRow.id)
                )
            )
        return out

    def first_replies(self, ticket_ids: Iterable[int]) -> dict[int, dt.datetime]:
        """Ticket id -> time of its first outbound article visible to the customer."""
        out: dict[int, dt.datetime] = {}
        for part in chunks(list(ticket_ids), 500):
            rows = self._rows(
                select(ArticleRow.ticket_id, func.min(ArticleRow.created_at))
                .where(
                    ArticleRow.ticket_id.in_(part),
                    and_(ArticleRow.direction == "out", ArticleRow.visible.is_(True)),
                )
                .group_by(ArticleRow.ticket_id)
            )
            out.update({row[0]: row[1] for row in rows})
        return out

    def ticket_clock_rows(self, ticket_ids: Iterable[int], now: dt.datetime) -> list[Any]:
        """Every SLA clock of these tickets with its ``category`` as of ``now``."""
        out: list[Any] = []
        for part in chunks(list(ticket_ids), 500):
            out.extend(
                self._rows(
                    select(
                        SlaClockRow.ticket_id,
                        SlaClockRow.kind,
                        SlaClockRow.status,
                        SlaClockRow.calendar,
                        SlaClockRow.started_at,
                        SlaClockRow.stopped_at,
                        SlaClockRow.due_base,
                        SlaClockRow.due_at,
                        SlaClockRow.paused_seconds,
                        clock_category(now).label("category"),
                    )
                    .where(SlaClockRow.ticket_id.in_(part))
                    .order_by(SlaClockRow.ticket_id, SlaClockRow.id)
                )
            )
        return out

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
        (``ticket``, ``agent``); a dimension left out is summed over and comes back empty."""
        ticket = TicketRow.number if "ticket" in by else literal("")
        subject = TicketRow.subject if "ticket" in by else literal("")
        agent = AgentRow.login if "agent" in by else literal("")
        groups = [c for c, dim in ((TicketRow.number, "ticket"), (AgentRow.login, "agent")) if dim in by]
        query = (
            select(
                ticket.label("ticket"),
                subject.label("subject"),
                agent.label("agent"),
                TimeEntryRow.billable,
                func.sum(TimeEntryRow.minutes).label("minutes"),
            )
            .join(TicketRow, TimeEntryRow.ticket_id == TicketRow.id)
            .join(CustomerRow, TicketRow.customer_id == CustomerRow.id)
            .join(AgentRow, TimeEntryRow.agent_id == AgentRow.id)
            .where(
                CustomerRow.key == customer,
                TimeEntryRow.voided_at.is_(None),
                TimeEntryRow.work_date >= first,
                TimeEntryRow.work_date < end,
            )
            .group_by(*groups, *([TicketRow.subject] if "ticket" in by else []), TimeEntryRow.billable)
            .order_by(*groups, TimeEntryRow.billable)
        )
        if contract is not None:
            query = query.join(ContractRow, TicketRow.contract_id == ContractRow.id).where(ContractRow.key == contract)
        return list(self._rows(query))
