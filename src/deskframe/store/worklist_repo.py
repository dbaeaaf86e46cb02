"""The agents' work list: tickets with every filter of the ticket list page, the most urgent
first, and the queue counts of its sidebar (a part of :class:`deskframe.store.Repository`),
read from the counters the database keeps (``ticket_counts``, migration 0021).

The default order (``due``) is found in two steps that each walk an index instead of sorting
every ticket: the running SLA clocks by due time (joined to the filtered tickets) give the
tickets with a clock, most overdue first; then, if the page is not full, the tickets without a
running clock follow, newest change first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from .rows import AgentRow, AttachmentRow, ContactRow, CustomerRow, QueueRow, SlaClockRow, TicketCountRow, TicketRow
from .ticket_selects import summary_select

#: Sort orders of :meth:`WorklistRepo.worklist`.
ORDERS = ("due", "updated", "created", "number")
#: Clock rows read per wanted ticket in the first step (a ticket may have several running clocks).
CLOCKS_PER_TICKET = 4


def counts_by_queue(
    session: Session,
    *,
    state_types: Collection[str] | None = None,
    customer: str | None = None,
    contact: str | None = None,
) -> dict[int, int]:
    """Tickets per queue id (queues without tickets left out), of ``state_types`` (all when None).

    Without ``customer`` (a key) and ``contact`` (an e-mail) the counts are read from
    ``ticket_counts``, which triggers on ``tickets`` keep (migration 0021): a few rows per queue,
    whatever the size of the desk. With either, only that customer's (and that contact's)
    tickets count, grouped from the tickets themselves."""
    if customer is None and contact is None:
        counted = select(TicketCountRow.queue_id, func.sum(TicketCountRow.n)).group_by(TicketCountRow.queue_id)
        if state_types is not None:
            counted = counted.where(TicketCountRow.state_type.in_(list(state_types)))
    else:
        counted = select(TicketRow.queue_id, func.count()).group_by(TicketRow.queue_id)
        if state_types is not None:
            counted = counted.where(TicketRow.state_type.in_(list(state_types)))
        if customer is not None:
            counted = counted.where(
                TicketRow.customer_id.in_(select(CustomerRow.id).where(CustomerRow.key == customer))
            )
        if contact is not None:
            mail = contact.strip().lower()
            counted = counted.where(
                TicketRow.contact_id == select(ContactRow.id).where(ContactRow.email == mail).scalar_subquery()
            )
    return {queue_id: int(n) for queue_id, n in session.execute(counted) if n}


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
        running SLA clocks and ``warn_at`` that clock's warning time. ``order="due"`` puts the most
        overdue first, then the next due, then tickets without a running clock, newest change first.
        ``queues`` (unless None) and ``numbers`` (unless None) restrict the rows."""
        if order not in ORDERS:
            raise ValueError(f"unknown order {order!r}")

        def filtered(query: Any) -> Any:  # a Select of any columns, with the filters added
            if state:
                query = query.where(TicketRow.state == state)
            if state_types is not None:
                query = query.where(TicketRow.state_type.in_(list(state_types)))
            if queue:
                query = query.where(TicketRow.queue_id.in_(select(QueueRow.id).where(QueueRow.name == queue)))
            if queues is not None:
                query = query.where(TicketRow.queue_id.in_(select(QueueRow.id).where(QueueRow.name.in_(list(queues)))))
            if owner:
                query = query.where(TicketRow.owner_id.in_(select(AgentRow.id).where(AgentRow.login == owner)))
            if customer:
                query = query.where(
                    TicketRow.customer_id.in_(select(CustomerRow.id).where(CustomerRow.key == customer))
                )
            if priority:
                query = query.where(TicketRow.priority == priority)
            if line is not None:
                query = query.where(TicketRow.line == line)
            if numbers is not None:
                query = query.where(TicketRow.number.in_(list(numbers)))
            return query

        clocks: dict[int, tuple[dt.datetime, dt.datetime | None]] = {}
        if order == "due":
            wanted = limit * CLOCKS_PER_TICKET
            step = filtered(
                select(SlaClockRow.ticket_id, SlaClockRow.due_at, SlaClockRow.warn_at)
                .join(TicketRow, TicketRow.id == SlaClockRow.ticket_id)
                .where(SlaClockRow.status == "running")
                .order_by(SlaClockRow.due_at, SlaClockRow.id)
                .limit(wanted)
            )
            found = self.session.execute(step).all()
            for ticket_id, due, warn in found:
                clocks.setdefault(ticket_id, (due, warn))
            if len(found) == wanted and len(clocks) < limit:  # many clocks per ticket: group them
                grouped = filtered(
                    select(SlaClockRow.ticket_id, func.min(SlaClockRow.due_at))
                    .join(TicketRow, TicketRow.id == SlaClockRow.ticket_id)
                    .where(SlaClockRow.status == "running")
                    .group_by(SlaClockRow.ticket_id)
                    .order_by(func.min(SlaClockRow.due_at))
                    .limit(limit)
                )
                ids = [ticket_id for ticket_id, _due in self.session.execute(grouped)]
                clocks = self._earliest_clocks(ids)
            ids = list(clocks)[:limit]
            if len(ids) < limit:
                running = exists().where(SlaClockRow.ticket_id == TicketRow.id, SlaClockRow.status == "running")
                rest = filtered(
                    select(TicketRow.id)
                    .where(~running)
                    .order_by(TicketRow.updated_at.desc(), TicketRow.id.desc())
                    .limit(limit - len(ids))
                )
                ids.extend(self.session.scalars(rest))
        else:
            key = {
                "updated": (TicketRow.updated_at.desc(), TicketRow.id.desc()),
                "created": (TicketRow.created_at.desc(), TicketRow.id.desc()),
                "number": (TicketRow.id.desc(),),
            }[order]
            ids = list(self.session.scalars(filtered(select(TicketRow.id).order_by(*key).limit(limit))))
            clocks = self._earliest_clocks(ids)
        return self._summaries(ids, clocks)

    def _earliest_clocks(self, ticket_ids: list[int]) -> dict[int, tuple[dt.datetime, dt.datetime | None]]:
        """The (due, warn) of the earliest-due running clock of each ticket, in ``ticket_ids`` order."""
        found: dict[int, tuple[dt.datetime, dt.datetime | None]] = {}
        if ticket_ids:
            query = (
                select(SlaClockRow.ticket_id, SlaClockRow.due_at, SlaClockRow.warn_at)
                .where(SlaClockRow.ticket_id.in_(ticket_ids), SlaClockRow.status == "running")
                .order_by(SlaClockRow.due_at)
            )
            for ticket_id, due, warn in self.session.execute(query):
                found.setdefault(ticket_id, (due, warn))
        return {ticket_id: found[ticket_id] for ticket_id in ticket_ids if ticket_id in found}

    def _summaries(
        self, ids: list[int], clocks: dict[int, tuple[dt.datetime, dt.datetime | None]]
    ) -> list[dict[str, Any]]:
        if not ids:
            return []
        query = summary_select(TicketRow.line)[0].where(TicketRow.id.in_(ids))
        rows = {row.id: dict(row._mapping) for row in self.session.execute(query)}
        out = []
        for ticket_id in ids:
            row = rows.get(ticket_id)
            if row is None:
                continue
            row.pop("id")
            row["due"], row["warn_at"] = clocks.get(ticket_id, (None, None))
            out.append(row)
        return out

    def queue_counts(
        self,
        *,
        state_types: Collection[str] | None = None,
        queues: Collection[str] | None = None,
        customer: str | None = None,
        contact: str | None = None,
    ) -> list[tuple[str, int]]:
        """``(queue, tickets)`` of every queue (only ``queues`` unless None), counting tickets of
        ``state_types`` (every ticket when None); queues without tickets count 0. ``customer`` and
        ``contact``: only such tickets count (see :func:`counts_by_queue`)."""
        counts = counts_by_queue(self.session, state_types=state_types, customer=customer, contact=contact)
        names = select(QueueRow.id, QueueRow.name).order_by(QueueRow.name)
        if queues is not None:
            names = names.where(QueueRow.name.in_(list(queues)))
        return [(name, counts.get(queue_id, 0)) for queue_id, name in self.session.execute(names)]

    def queue_names(self) -> list[str]:
        """Every queue's name, sorted."""
        return list(self.session.scalars(select(QueueRow.name).order_by(QueueRow.name)))

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
