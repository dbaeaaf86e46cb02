"""The agents' work list: tickets with every filter of the ticket list page, the most urgent
first, and the queue counts of its sidebar (a part of :class:`deskframe.store.Repository`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import and_, func, select, type_coerce
from sqlalchemy.orm import Session, aliased

from .rows import AgentRow, AttachmentRow, CustomerRow, QueueRow, SlaClockRow, TicketRow

#: Sort orders of :meth:`WorklistRepo.worklist`.
ORDERS = ("due", "updated", "created", "number")


class WorklistRepo:
    """Work-list reads for the agent pages."""

    session: Session
    now: dt.datetime

    def worklist(
        self,
        *,
        state: str | None = None,
        state_types: Collection[str] | None = None,
        queue: str | None = None,
        queues: Collection[str] | None = None,
        owner: str | None = None,
        customer: str | None = None,
        priority: str | None = None,
        line: int | None = None,
        numbers: Collection[str] | None = None,
        order: str = "due",
        limit: int = 50,
    ) -> list[dict[str, Any]]:
        """Summary rows (``number subject state state_type priority queue customer owner locked_by
        line created_at updated_at due warn_at``): ``due`` is the earliest due time of the ticket's
        running SLA clocks and ``warn_at`` the earliest warning time. ``order="due"`` puts the most
        overdue first, then the next due, then tickets without a running clock, newest change first.
        ``queues`` (unless None) and ``numbers`` (unless None) restrict the rows."""
        if order not in ORDERS:
            raise ValueError(f"unknown order {order!r}")
        clocks = (
            select(
                SlaClockRow.ticket_id.label("ticket_id"),
                type_coerce(func.min(SlaClockRow.due_at), SlaClockRow.due_at.type).label("due"),
                type_coerce(func.min(SlaClockRow.warn_at), SlaClockRow.due_at.type).label("warn_at"),
            )
            .where(SlaClockRow.status == "running")
            .group_by(SlaClockRow.ticket_id)
            .subquery()
        )
        owner_row, locker = aliased(AgentRow), aliased(AgentRow)
        query = (
            select(
                TicketRow.number,
                TicketRow.subject,
                TicketRow.state,
                TicketRow.state_type,
                TicketRow.priority,
                QueueRow.name.label("queue"),
                CustomerRow.key.label("customer"),
                owner_row.login.label("owner"),
                locker.login.label("locked_by"),
                TicketRow.line,
                TicketRow.created_at,
                TicketRow.updated_at,
                clocks.c.due,
                clocks.c.warn_at,
            )
            .join(QueueRow, TicketRow.queue_id == QueueRow.id)
            .outerjoin(CustomerRow, TicketRow.customer_id == CustomerRow.id)
            .outerjoin(owner_row, TicketRow.owner_id == owner_row.id)
            .outerjoin(locker, TicketRow.locked_by_id == locker.id)
            .outerjoin(clocks, clocks.c.ticket_id == TicketRow.id)
        )
        if state:
            query = query.where(TicketRow.state == state)
        if state_types is not None:
            query = query.where(TicketRow.state_type.in_(list(state_types)))
        if queue:
            query = query.where(QueueRow.name == queue)
        if queues is not None:
            query = query.where(QueueRow.name.in_(list(queues)))
        if owner:
            query = query.where(owner_row.login == owner)
        if customer:
            query = query.where(CustomerRow.key == customer)
        if priority:
            query = query.where(TicketRow.priority == priority)
        if line is not None:
            query = query.where(TicketRow.line == line)
        if numbers is not None:
            query = query.where(TicketRow.number.in_(list(numbers)))
        if order == "due":
            query = query.order_by(
                clocks.c.due.is_(None), clocks.c.due, TicketRow.updated_at.desc(), TicketRow.id.desc()
            )
        elif order == "updated":
            query = query.order_by(TicketRow.updated_at.desc(), TicketRow.id.desc())
        elif order == "created":
            query = query.order_by(TicketRow.created_at.desc(), TicketRow.id.desc())
        else:
            query = query.order_by(TicketRow.id.desc())
        return [dict(r._mapping) for r in self.session.execute(query.limit(limit))]

    def queue_counts(
        self, *, state_types: Collection[str] | None = None, queues: Collection[str] | None = None
    ) -> list[tuple[str, int]]:
        """``(queue, tickets)`` of every queue (only ``queues`` unless None), counting tickets of
        ``state_types`` (every ticket when None); queues without tickets count 0."""
        count = func.count(TicketRow.id)
        join = TicketRow.queue_id == QueueRow.id
        if state_types is not None:
            join = and_(join, TicketRow.state_type.in_(list(state_types)))
        query = select(QueueRow.name, count).outerjoin(TicketRow, join).group_by(QueueRow.name).order_by(QueueRow.name)
        if queues is not None:
            query = query.where(QueueRow.name.in_(list(queues)))
        return [(name, int(n)) for name, n in self.session.execute(query)]

    def attachment_ids(self, article_ids: Collection[int]) -> dict[int, list[int]]:
        """The attachment ids of each article, in the order of its attachments (by id)."""
        out: dict[int, list[int]] = {}
        ids = list(article_ids)
        for start in range(0, len(ids), 500):
            query = (
                select(AttachmentRow.article_id, AttachmentRow.id)
                .where(AttachmentRow.article_id.in_(ids[start : start + 500]))
                .order_by(AttachmentRow.id)
            )
            for article_id, attachment_id in self.session.execute(query):
                out.setdefault(article_id, []).append(attachment_id)
        return out
