"""What an invoice run bills: the period's billable contracts (locked in turn), their old drafts, unbilled time
and estimates by contract, and the invoice status of each contract in the period.

The run's summed path (work tables, time groups) is :mod:`.time_groups_repo`; writing invoices is
:mod:`.billing_repo`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import String, delete, or_, select, type_coerce
from sqlalchemy.orm import Session

from ..billing.model import BillableEntry, Estimate
from ..model import Contract
from .rows import (
    AgentRow,
    ContractRow,
    CustomerRow,
    EstimateRow,
    InvoiceLineEntryRow,
    InvoiceLineRow,
    InvoiceRow,
    TicketRow,
    TimeEntryRow,
)
from .sql_values import as_date, as_instant, chunks


class InvoiceRunRepo:
    """An invoice run's reads and draft clean-up (a part of :class:`deskframe.store.Repository`)."""

    session: Session
    now: dt.datetime

    #: from :class:`~.directory_repo.DirectoryRepo`, another part of the same Repository
    contract_value: Callable[[ContractRow], Contract]

    def billable_contracts(self, start: dt.date, end: dt.date) -> list[ContractRow]:
        return list(
            self.session.scalars(
                select(ContractRow)
                .where(ContractRow.pricing.is_not(None))
                .where(or_(ContractRow.start_date.is_(None), ContractRow.start_date < end))
                .where(or_(ContractRow.end_date.is_(None), ContractRow.end_date >= start))
                .order_by(ContractRow.key)
            )
        )

    def billing_contracts(self, start: dt.date, end: dt.date) -> list[tuple[int, int, Contract]]:
        """``(contract id, customer id, Contract)`` of every contract to price for ``[start, end)``, by id.

        Two queries whatever the number of contracts (the customers are loaded in
        bulk, so building each :class:`Contract` finds its customer in the session).
        """
        rows = sorted(self.billable_contracts(start, end), key=lambda r: r.id)
        customer_ids = sorted({r.customer_id for r in rows})
        customers = [
            c
            for chunk in chunks(customer_ids)  # held here: the session keeps them only weakly
            for c in self.session.scalars(select(CustomerRow).where(CustomerRow.id.in_(chunk)))
        ]
        contracts = [(r.id, r.customer_id, self.contract_value(r)) for r in rows]
        del customers
        return contracts

    def lock_contracts(self, contract_ids: list[int]) -> None:
        """Hold these contracts' rows until the transaction ends (``FOR UPDATE``; SQLite's
        write transaction is a lock of its own already).

        An invoice run locks a batch's contracts before it reads their invoices, and
        issuing locks its invoice's contract: so two runs of one period (or a run and an
        issue) take turns per batch instead of each writing a draft for the same
        contract. Locked in id order, so two runs never wait on each other in a circle.
        """
        if self.session.get_bind().dialect.name == "sqlite":
            return
        for chunk in chunks(sorted(contract_ids)):
            self.session.execute(
                select(ContractRow.id).where(ContractRow.id.in_(chunk)).order_by(ContractRow.id).with_for_update()
            ).all()

    def delete_drafts(self, contract_ids: list[int], period: str) -> int:
        """Delete the period's draft invoices of these contracts and release their time entries."""
        deleted = 0
        for chunk in chunks(contract_ids):
            drafts = list(
                self.session.scalars(
                    select(InvoiceRow.id).where(
                        InvoiceRow.contract_id.in_(chunk),
                        InvoiceRow.period == period,
                        InvoiceRow.kind == "invoice",
                        InvoiceRow.status == "draft",
                    )
                )
            )
            if not drafts:
                continue
            lines = select(InvoiceLineRow.id).where(InvoiceLineRow.invoice_id.in_(drafts))
            self.session.execute(
                delete(InvoiceLineEntryRow)
                .where(InvoiceLineEntryRow.line_id.in_(lines))
                .execution_options(synchronize_session=False)
            )
            self.session.execute(
                delete(InvoiceLineRow)
                .where(InvoiceLineRow.invoice_id.in_(drafts))
                .execution_options(synchronize_session=False)
            )
            self.session.execute(
                delete(InvoiceRow).where(InvoiceRow.id.in_(drafts)).execution_options(synchronize_session=False)
            )
            deleted += len(drafts)
        return deleted

    def estimates_by_contract(self, contract_ids: list[int]) -> dict[int, dict[str, Estimate]]:
        """The estimates of every ticket of these contracts: contract id -> ticket number -> Estimate."""
        out: dict[int, dict[str, Estimate]] = {}
        for chunk in chunks(contract_ids):
            rows = self.session.execute(
                select(EstimateRow, TicketRow.number, TicketRow.contract_id)
                .join(TicketRow, EstimateRow.ticket_id == TicketRow.id)
                .where(TicketRow.contract_id.in_(chunk))
            )
            for row, number, contract_id in rows:
                if contract_id is None:  # not matched by IN (...); the column is nullable
                    continue
                out.setdefault(contract_id, {})[number] = Estimate(
                    number, row.hours, row.approved_at is not None, row.approved_at, row.approved_by
                )
        return out

    def unbilled_by_contract(
        self, before: dt.date, period_start: dt.date, only: list[int] | None = None
    ) -> Iterator[tuple[int, list[BillableEntry], set[int]]]:
        """Yield ``(contract_id, entries, ticket_ids)`` for every contract with unbilled time, by contract id.

        Unbilled: not linked to an invoice line, not billed externally, worked before
        ``before``. One streaming query (for the contracts in ``only``, else all), so
        memory holds one contract's entries at a time. Entries come by ticket, then
        id (pricing models order them as they need). This is the hot path of ``invoice run``: dates and
        instants are read as the driver gives them and converted here (work dates
        through a small cache, as a month has few), agents come from one lookup.
        """
        agents = {
            r.id: (r.login, r.role) for r in self.session.execute(select(AgentRow.id, AgentRow.login, AgentRow.role))
        }
        contract = TicketRow.contract_id
        linked = select(InvoiceLineEntryRow.entry_id).where(InvoiceLineEntryRow.entry_id == TimeEntryRow.id)
        query = (
            select(
                contract,
                TimeEntryRow.id,
                TimeEntryRow.ticket_id,
                TicketRow.number,
                TicketRow.subject,
                TimeEntryRow.agent_id,
                TimeEntryRow.minutes,
                type_coerce(TimeEntryRow.work_date, String),
                TimeEntryRow.billable,
                TimeEntryRow.note,
                type_coerce(TimeEntryRow.created_at, String),
            )
            .select_from(TicketRow)
            .join(TimeEntryRow, TimeEntryRow.ticket_id == TicketRow.id)
            .where(
                contract.is_not(None) if only is None else contract.in_(only),
                ~linked.exists(),
                TimeEntryRow.billed_externally.is_(False),
                TimeEntryRow.voided_at.is_(None),
                TimeEntryRow.work_date < before,
            )
            .order_by(contract, TicketRow.id, TimeEntryRow.id)
        )  # the indexes' own order: no sort
        dates: dict[Any, dt.date] = {}
        make = BillableEntry
        current: int | None = None
        entries: list[BillableEntry] = []
        tickets: set[int] = set()
        for part in self.session.connection().execute(query.execution_options(yield_per=5000)).partitions():
            for cid, eid, ticket_id, number, subject, agent_id, minutes, day, billable, note, logged in part:
                if cid != current:
                    if current is not None:
                        yield current, entries, tickets
                    current, entries, tickets = cid, [], set()
                tickets.add(ticket_id)
                work_date = dates.get(day)
                if work_date is None:
                    work_date = dates[day] = as_date(day)
                login, role = agents[agent_id]
                entries.append(
                    make(
                        eid,
                        number,
                        subject,
                        login,
                        role,
                        minutes,
                        work_date,
                        bool(billable),
                        note,
                        work_date < period_start,
                        as_instant(logged),
                    )
                )
        if current is not None:
            yield current, entries, tickets

    def period_invoice_status(self, period: str) -> dict[int, set[str]]:
        """The statuses of the period's invoices by contract id (invoices without a contract are left out)."""
        out: dict[int, set[str]] = {}
        for contract_id, status in self.session.execute(
            select(InvoiceRow.contract_id, InvoiceRow.status).where(
                InvoiceRow.period == period, InvoiceRow.kind == "invoice"
            )
        ):
            if contract_id is None:
                continue
            out.setdefault(contract_id, set()).add(status)
        return out
