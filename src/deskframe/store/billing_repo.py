"""Estimates, invoices and their lines, gapless series; links from time entries to lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from ..billing.model import BillableEntry, Estimate, Invoice, InvoiceLine
from ..errors import NotFound
from ..money import Money
from .rows import (
    AgentRow,
    ContractRow,
    CustomerRow,
    EstimateRow,
    InvoiceLineRow,
    InvoiceRow,
    InvoiceSeriesRow,
    TicketRow,
    TimeEntryRow,
)
from .ticket_repo import _insert_for


class BillingRepo:
    """Ledger data access."""

    session: Session
    now: dt.datetime

    # --- estimates -------------------------------------------------------------
    def set_estimate(self, ticket: TicketRow, hours: Decimal | None, approve: bool, actor: str | None) -> EstimateRow:
        row = self.session.get(EstimateRow, ticket.id)
        if row is None:
            if hours is None:
                raise NotFound(f"ticket {ticket.number} has no estimate to approve")
            row = EstimateRow(ticket_id=ticket.id, hours=hours, updated_at=self.now)
            self.session.add(row)
        elif hours is not None and hours != row.hours:
            row.hours = hours
            row.approved_at = row.approved_by = None  # a changed estimate needs approving again
            row.updated_at = self.now
        if approve:
            row.approved_at, row.approved_by = self.now, actor
        return row

    def estimates(self, ticket_ids: Iterable[int]) -> dict[str, Estimate]:
        ids = list(set(ticket_ids))
        out: dict[str, Estimate] = {}
        for start in range(0, len(ids), 500):
            rows = self.session.execute(select(EstimateRow, TicketRow.number)
                                        .join(TicketRow, EstimateRow.ticket_id == TicketRow.id)
                                        .where(EstimateRow.ticket_id.in_(ids[start:start + 500])))
            for row, number in rows:
                out[number] = Estimate(number, row.hours, row.approved_at is not None, row.approved_at,
                                       row.approved_by)
        return out

    def estimate(self, ticket: TicketRow) -> Estimate | None:
        return self.estimates([ticket.id]).get(ticket.number)

    # --- what to bill ----------------------------------------------------------
    def billable_contracts(self, start: dt.date, end: dt.date) -> list[ContractRow]:
        return list(self.session.scalars(
            select(ContractRow).where(ContractRow.pricing.is_not(None))
            .where(or_(ContractRow.start_date.is_(None), ContractRow.start_date < end))
            .where(or_(ContractRow.end_date.is_(None), ContractRow.end_date >= start))
            .order_by(ContractRow.key)))

    def invoice_for(self, contract_id: int, period: str, status: str) -> InvoiceRow | None:
        return self.session.scalar(select(InvoiceRow).where(
            InvoiceRow.contract_id == contract_id, InvoiceRow.period == period, InvoiceRow.kind == "invoice",
            InvoiceRow.status == status))

    def delete_invoice(self, invoice: InvoiceRow) -> None:
        line_ids = select(InvoiceLineRow.id).where(InvoiceLineRow.invoice_id == invoice.id)
        self.session.execute(update(TimeEntryRow).where(TimeEntryRow.invoice_line_id.in_(line_ids))
                             .values(invoice_line_id=None).execution_options(synchronize_session=False))
        self.session.execute(delete(InvoiceLineRow).where(InvoiceLineRow.invoice_id == invoice.id))
        self.session.delete(invoice)
        self.session.flush()

    def unbilled_entries(self, contract_id: int, before: dt.date, period_start: dt.date) -> tuple[list[BillableEntry], set[int]]:
        """One contract's unbilled time up to ``before`` (see :meth:`unbilled_by_contract`)."""
        for cid, entries, tickets in self.unbilled_by_contract(before, period_start, only=contract_id):
            return entries, tickets
        return [], set()

    def unbilled_by_contract(self, before: dt.date, period_start: dt.date, only: int | None = None):  # type: ignore[no-untyped-def]
        """Yield ``(contract_id, entries, ticket_ids)`` for every contract with unbilled time, by contract id.

        One streaming query over tickets in contract order (indexed), so memory holds
        one contract's entries at a time however many there are.
        """
        query = (select(TimeEntryRow.id, TimeEntryRow.ticket_id, TimeEntryRow.minutes, TimeEntryRow.work_date,
                        TimeEntryRow.billable, TimeEntryRow.note, TimeEntryRow.created_at, TicketRow.contract_id,
                        TicketRow.number, TicketRow.subject, AgentRow.login, AgentRow.role)
                 .select_from(TicketRow)
                 .join(TimeEntryRow, TimeEntryRow.ticket_id == TicketRow.id)
                 .join(AgentRow, TimeEntryRow.agent_id == AgentRow.id)
                 .where(TicketRow.contract_id.is_not(None) if only is None else TicketRow.contract_id == only,
                        TimeEntryRow.invoice_line_id.is_(None), TimeEntryRow.billed_externally.is_(False),
                        TimeEntryRow.work_date < before)
                 .order_by(TicketRow.contract_id, TimeEntryRow.work_date, TimeEntryRow.id))
        current, entries, tickets = None, [], set()
        for r in self.session.execute(query.execution_options(yield_per=5000)):
            if r.contract_id != current:
                if current is not None:
                    yield current, entries, tickets
                current, entries, tickets = r.contract_id, [], set()
            tickets.add(r.ticket_id)
            entries.append(BillableEntry(id=r.id, ticket=r.number, ticket_subject=r.subject, agent=r.login,
                                         role=r.role, minutes=r.minutes, work_date=r.work_date, billable=r.billable,
                                         note=r.note, late=r.work_date < period_start, logged_at=r.created_at))
        if current is not None:
            yield current, entries, tickets

    def period_invoice_status(self, period: str) -> dict[int, set[str]]:
        """contract id -> statuses of its invoices (not credit notes) for ``period``."""
        out: dict[int, set[str]] = {}
        for contract_id, status in self.session.execute(select(InvoiceRow.contract_id, InvoiceRow.status).where(
                InvoiceRow.period == period, InvoiceRow.kind == "invoice")):
            out.setdefault(contract_id, set()).add(status)
        return out

    # --- invoices --------------------------------------------------------------
    def add_invoice(self, *, kind: str, customer_id: int, contract_id: int | None, period: str, currency: str,
                    lines: Iterable[InvoiceLine], subtotal: Decimal, tax_rate: Decimal, tax: Decimal,
                    total: Decimal, held: list[dict[str, Any]], vendor: dict[str, Any], credit_for_id: int | None = None,
                    reason: str | None = None) -> InvoiceRow:
        invoice = InvoiceRow(kind=kind, status="draft", customer_id=customer_id, contract_id=contract_id,
                             period=period, currency=currency, subtotal=subtotal, tax_rate=tax_rate, tax=tax,
                             total=total, held=held, vendor=vendor, created_at=self.now,
                             credit_for_id=credit_for_id, reason=reason)
        self.session.add(invoice)
        self.session.flush()
        lines = list(lines)
        if not lines:
            return invoice
        values = [dict(invoice_id=invoice.id, position=position, kind=line.kind, description=line.description,
                       quantity=line.quantity, unit=line.unit, unit_price=line.unit_price.amount,
                       amount=line.amount.amount, ticket=line.ticket, agent=line.agent, work_date=line.work_date,
                       original_date=line.original_date, estimate_hours=line.estimate_hours,
                       details=dict(line.details))
                  for position, line in enumerate(lines, 1)]
        table = InvoiceLineRow.__table__
        ids = list(self.session.connection().execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), values).scalars())
        links = [{"entry": entry, "line": line_id} for line_id, line in zip(ids, lines) for entry in line.entry_ids]
        if links:
            # each entry is linked once: the WHERE keeps an already billed entry out of a second invoice
            self.session.connection().execute(
                update(TimeEntryRow.__table__)
                .where(TimeEntryRow.__table__.c.id == bindparam("entry"),
                       TimeEntryRow.__table__.c.invoice_line_id.is_(None))
                .values(invoice_line_id=bindparam("line")), links)
        return invoice

    def draw_number(self, series: str) -> int:
        insert = _insert_for(self.session)
        self.session.execute(insert(InvoiceSeriesRow).values(series=series, last=0)
                             .on_conflict_do_nothing(index_elements=["series"]))
        return self.session.execute(update(InvoiceSeriesRow).where(InvoiceSeriesRow.series == series)
                                    .values(last=InvoiceSeriesRow.last + 1)
                                    .returning(InvoiceSeriesRow.last)).scalar_one()

    def invoice_row(self, ref: str, *, for_update: bool = False) -> InvoiceRow:
        """By number, or ``draft-ID`` for a draft."""
        if ref.startswith("draft-") and ref[6:].isdigit():
            query = select(InvoiceRow).where(InvoiceRow.id == int(ref[6:]), InvoiceRow.status == "draft")
        else:
            query = select(InvoiceRow).where(InvoiceRow.number == ref)
        if for_update:
            query = query.with_for_update()
        row = self.session.scalar(query)
        if row is None:
            raise NotFound(f"unknown invoice '{ref}'")
        return row

    def invoice_by_token(self, token: str) -> InvoiceRow | None:
        return self.session.scalar(select(InvoiceRow).where(InvoiceRow.link_token == token,
                                                            InvoiceRow.status != "draft"))

    def invoice_rows(self, *, period: str | None = None, status: str | None = None,
                     customer: str | None = None) -> list[InvoiceRow]:
        query = select(InvoiceRow).join(CustomerRow, InvoiceRow.customer_id == CustomerRow.id).order_by(InvoiceRow.id)
        if period:
            query = query.where(InvoiceRow.period == period)
        if status:
            query = query.where(InvoiceRow.status == status)
        if customer:
            query = query.where(CustomerRow.key == customer)
        return list(self.session.scalars(query))

    def invoice_lines(self, invoice: InvoiceRow) -> list[InvoiceLineRow]:
        return list(self.session.scalars(select(InvoiceLineRow).where(InvoiceLineRow.invoice_id == invoice.id)
                                         .order_by(InvoiceLineRow.position)))

    def line_entry_ids(self, line_ids: list[int]) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for entry_id, line_id in self.session.execute(select(TimeEntryRow.id, TimeEntryRow.invoice_line_id)
                                                      .where(TimeEntryRow.invoice_line_id.in_(line_ids))):
            out.setdefault(line_id, []).append(entry_id)
        return out

    def release_entries(self, invoice: InvoiceRow) -> int:
        line_ids = select(InvoiceLineRow.id).where(InvoiceLineRow.invoice_id == invoice.id)
        return self.session.execute(update(TimeEntryRow).where(TimeEntryRow.invoice_line_id.in_(line_ids))
                                    .values(invoice_line_id=None)
                                    .execution_options(synchronize_session=False)).rowcount

    def invoice_view(self, row: InvoiceRow) -> Invoice:
        customer = self.session.get(CustomerRow, row.customer_id)
        contract = self.session.get(ContractRow, row.contract_id) if row.contract_id else None
        credit = self.session.get(InvoiceRow, row.credit_for_id) if row.credit_for_id else None
        line_rows = self.invoice_lines(row)
        entries = self.line_entry_ids([r.id for r in line_rows]) if row.status != "void" else {}
        cur = row.currency
        lines = tuple(InvoiceLine(
            description=r.description, quantity=r.quantity, unit=r.unit, unit_price=Money(r.unit_price, cur),
            amount=Money(r.amount, cur), kind=r.kind, ticket=r.ticket, agent=r.agent, work_date=r.work_date,
            original_date=r.original_date, entry_ids=tuple(entries.get(r.id, ())), estimate_hours=r.estimate_hours,
            details=dict(r.details or {})) for r in line_rows)
        return Invoice(number=row.number, status=row.status, kind=row.kind, customer=customer.key,
                       customer_name=customer.name, contract=contract.key if contract else None, period=row.period,
                       currency=cur, lines=lines, subtotal=Money(row.subtotal, cur), tax_rate=row.tax_rate,
                       tax=Money(row.tax, cur), total=Money(row.total, cur), created_at=row.created_at,
                       issued_at=row.issued_at, credit_for=credit.number if credit else None, reason=row.reason,
                       held=tuple(row.held or ()), id=row.id, vendor=dict(row.vendor or {}))
