"""Small services plugins use without a session: cursors, external ids, time entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ..model import TimeEntry
from .rows import (
    AgentRow,
    ChannelCursorRow,
    CustomerRow,
    ExternalIdRow,
    InvoiceLineEntryRow,
    InvoiceLineRow,
    InvoiceRow,
    QuarantineRow,
    QueueRow,
    TicketRow,
    TimeEntryRow,
)


class ServiceRepo:
    """Channel cursors, the external-id map, and time entries."""

    session: Session
    now: dt.datetime

    # --- channel cursor store ---------------------------------------------
    def get_cursor(self, channel: str, key: str, *, for_update: bool = False) -> str | None:
        """The cursor's value; ``for_update`` serializes writers of this key until commit
        (SQLite: the write transaction already does; PostgreSQL: a transaction-scoped
        advisory lock, which also covers a cursor that does not exist yet)."""
        if for_update and self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"{channel}/{key}"})
        row = self.session.get(ChannelCursorRow, (channel, key))
        return row.value if row else None

    def delete_cursor(self, channel: str, key: str) -> None:
        row = self.session.get(ChannelCursorRow, (channel, key))
        if row is not None:
            self.session.delete(row)

    def set_cursor(self, channel: str, key: str, value: str) -> None:
        row = self.session.get(ChannelCursorRow, (channel, key))
        if row is None:
            self.session.add(ChannelCursorRow(channel=channel, key=key, value=value, updated_at=self.now))
        else:
            row.value = value
            row.updated_at = self.now

    def cursors(self, channel: str) -> dict[str, str]:
        rows = self.session.scalars(select(ChannelCursorRow).where(ChannelCursorRow.channel == channel))
        return {r.key: r.value for r in rows}

    # --- external-id map ---------------------------------------------------
    def get_external(self, namespace: str, kind: str, external_id: str) -> str | None:
        return self.session.scalar(
            select(ExternalIdRow.local_id).where(
                ExternalIdRow.namespace == namespace,
                ExternalIdRow.kind == kind,
                ExternalIdRow.external_id == external_id,
            )
        )

    def set_external(self, namespace: str, kind: str, external_id: str, local_id: str) -> None:
        row = self.session.scalar(
            select(ExternalIdRow).where(
                ExternalIdRow.namespace == namespace,
                ExternalIdRow.kind == kind,
                ExternalIdRow.external_id == external_id,
            )
        )
        if row is None:
            self.session.add(ExternalIdRow(namespace=namespace, kind=kind, external_id=external_id, local_id=local_id))
        else:
            row.local_id = local_id

    def is_imported(self, ticket: TicketRow) -> bool:
        """True if the ticket came from an importer (its number is another system's)."""
        return (
            self.session.scalar(
                select(ExternalIdRow.id)
                .where(ExternalIdRow.kind == "ticket", ExternalIdRow.local_id == str(ticket.id))
                .limit(1)
            )
            is not None
        )

    def external_map(self, namespace: str, kind: str) -> dict[str, str]:
        rows = self.session.execute(
            select(ExternalIdRow.external_id, ExternalIdRow.local_id).where(
                ExternalIdRow.namespace == namespace, ExternalIdRow.kind == kind
            )
        )
        return dict(rows.all())

    # --- time entries ------------------------------------------------------
    def add_time(
        self, ticket: TicketRow, agent: AgentRow, minutes: int, work_date: dt.date, note: str, billable: bool
    ) -> TimeEntryRow:
        row = TimeEntryRow(
            ticket_id=ticket.id,
            agent_id=agent.id,
            minutes=minutes,
            work_date=work_date,
            note=note,
            billable=billable,
            created_at=self.now,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def agent_day_minutes(self, agent: AgentRow, work_date: dt.date) -> int:
        """Minutes ``agent`` has logged for ``work_date`` over all tickets."""
        total = self.session.scalar(
            select(func.coalesce(func.sum(TimeEntryRow.minutes), 0)).where(
                TimeEntryRow.agent_id == agent.id, TimeEntryRow.work_date == work_date
            )
        )
        return int(total or 0)

    def list_time(
        self,
        *,
        ticket: str | None = None,
        customer: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        voided: bool = False,
        entry_id: int | None = None,
        queues: Collection[str] | None = None,
    ) -> list[TimeEntry]:
        """Time entries by work date; voided ones only with ``voided``; ``queues`` (unless None):
        only entries on tickets in these queues."""
        query = (
            select(TimeEntryRow, TicketRow.number, AgentRow.login, CustomerRow.key)
            .join(TicketRow, TimeEntryRow.ticket_id == TicketRow.id)
            .join(AgentRow, TimeEntryRow.agent_id == AgentRow.id)
            .outerjoin(CustomerRow, TicketRow.customer_id == CustomerRow.id)
            .order_by(TimeEntryRow.work_date, TimeEntryRow.id)
        )
        if not voided:
            query = query.where(TimeEntryRow.voided_at.is_(None))
        if entry_id is not None:
            query = query.where(TimeEntryRow.id == entry_id)
        if ticket:
            query = query.where(TicketRow.number == ticket)
        if customer:
            query = query.where(CustomerRow.key == customer)
        if queues is not None:
            query = query.where(TicketRow.queue_id.in_(select(QueueRow.id).where(QueueRow.name.in_(list(queues)))))
        if start:
            query = query.where(TimeEntryRow.work_date >= start)
        if end:
            query = query.where(TimeEntryRow.work_date < end)
        return [self._time(row, number, login, cust) for row, number, login, cust in self.session.execute(query)]

    @staticmethod
    def _time(row: TimeEntryRow, number: str, login: str, customer: Any) -> TimeEntry:
        return TimeEntry(
            id=row.id,
            ticket=number,
            agent=login,
            minutes=row.minutes,
            work_date=row.work_date,
            note=row.note,
            billable=row.billable,
            customer=customer,
            created_at=row.created_at,
            edited_at=row.edited_at,
            edited_by=row.edited_by,
            voided_at=row.voided_at,
            voided_by=row.voided_by,
            void_reason=row.void_reason,
        )

    def time_entry_row(self, entry_id: int, *, for_update: bool = False) -> TimeEntryRow:
        """The time entry with this id (``NotFound`` otherwise)."""
        query = select(TimeEntryRow).where(TimeEntryRow.id == entry_id)
        if for_update:
            query = query.with_for_update()
        row = self.session.scalar(query)
        if row is None:
            from ..errors import NotFound

            raise NotFound(f"unknown time entry {entry_id}")
        return row

    def entry_invoice(self, entry_id: int) -> InvoiceRow | None:
        """The invoice (draft or issued) whose line bills this entry, or None."""
        return self.session.scalar(
            select(InvoiceRow)
            .join(InvoiceLineRow, InvoiceLineRow.invoice_id == InvoiceRow.id)
            .join(InvoiceLineEntryRow, InvoiceLineEntryRow.line_id == InvoiceLineRow.id)
            .where(InvoiceLineEntryRow.entry_id == entry_id)
        )

    def move_time(self, source: TicketRow, target: TicketRow) -> None:
        for row in self.session.scalars(select(TimeEntryRow).where(TimeEntryRow.ticket_id == source.id)):
            row.ticket_id = target.id


class QuarantineRepo:
    """Messages kept raw because intake could not store them."""

    session: Session
    now: dt.datetime

    def quarantine(self, channel: str, external_id: str, reason: str, raw_sha256: str | None, size: int) -> int:
        row = self.session.scalar(
            select(QuarantineRow).where(
                QuarantineRow.channel == channel,
                QuarantineRow.external_id == external_id,
                QuarantineRow.status == "held",
            )
        )
        if row is not None:
            row.attempts += 1
            row.reason = reason
            row.updated_at = self.now
            return row.id
        row = QuarantineRow(
            channel=channel,
            external_id=external_id,
            reason=reason,
            raw_sha256=raw_sha256,
            size=size,
            status="held",
            attempts=1,
            created_at=self.now,
            updated_at=self.now,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def quarantine_item(self, item_id: int) -> dict[str, Any]:
        row = self.session.get(QuarantineRow, item_id)
        if row is None:
            from ..errors import NotFound

            raise NotFound(f"no quarantined message {item_id}")
        return self._item(row)

    def quarantine_items(self, status: str | None = "held", channel: str | None = None) -> list[dict[str, Any]]:
        query = select(QuarantineRow).order_by(QuarantineRow.id)
        if status:
            query = query.where(QuarantineRow.status == status)
        if channel:
            query = query.where(QuarantineRow.channel == channel)
        return [self._item(r) for r in self.session.scalars(query)]

    def set_quarantine_status(
        self, item_id: int, status: str, ticket_number: str | None = None, reason: str | None = None
    ) -> None:
        row = self.session.get_one(QuarantineRow, item_id)
        row.status = status
        row.updated_at = self.now
        if ticket_number:
            row.ticket_number = ticket_number
        if reason:
            row.reason = reason
            row.attempts += 1

    @staticmethod
    def _item(row: QuarantineRow) -> dict[str, Any]:
        return {
            "id": row.id,
            "channel": row.channel,
            "external_id": row.external_id,
            "reason": row.reason,
            "raw_sha256": row.raw_sha256,
            "size": row.size,
            "status": row.status,
            "attempts": row.attempts,
            "ticket": row.ticket_number,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }
