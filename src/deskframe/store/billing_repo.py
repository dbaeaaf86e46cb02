"""Estimates, invoices and their lines, gapless series; links from time entries to lines.

What an invoice run reads to decide what to bill is :mod:`.invoice_run_repo`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from itertools import repeat
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from ..billing.model import Estimate, Invoice, InvoiceLine, NewInvoice
from ..bounds import INT32_MAX, parse_id
from ..errors import DomainError, NotFound, StorageError
from ..money import Money
from .rows import (
    ContractRow,
    CustomerRow,
    EstimateRow,
    InvoiceLineEntryRow,
    InvoiceLineRow,
    InvoiceRow,
    InvoiceSeriesRow,
    TicketRow,
    table_of,
)
from .sql_values import chunks, rowcount
from .ticket_repo import dialect_insert


class BillingRepo:
    """Ledger data access."""

    session: Session
    now: dt.datetime

    #: from :class:`~.time_groups_repo.TimeGroupRepo`, another part of the same Repository
    link_groups: Callable[[list[tuple[Any, ...]]], int]
    #: from :class:`~.payment_repo.PaymentRepo`, another part of the same Repository
    invoice_extras: Callable[[InvoiceRow, CustomerRow, Iterable[str | None]], dict[str, Any]]

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
            rows = self.session.execute(
                select(EstimateRow, TicketRow.number)
                .join(TicketRow, EstimateRow.ticket_id == TicketRow.id)
                .where(EstimateRow.ticket_id.in_(ids[start : start + 500]))
            )
            for row, number in rows:
                out[number] = Estimate(number, row.hours, row.approved_at is not None, row.approved_at, row.approved_by)
        return out

    def estimate(self, ticket: TicketRow) -> Estimate | None:
        return self.estimates([ticket.id]).get(ticket.number)

    # --- invoices --------------------------------------------------------------
    def add_invoice(
        self,
        *,
        kind: str,
        customer_id: int,
        contract_id: int | None,
        period: str,
        currency: str,
        lines: Iterable[InvoiceLine],
        subtotal: Decimal,
        tax_rate: Decimal,
        tax: Decimal,
        total: Decimal,
        held: list[dict[str, Any]],
        vendor: dict[str, Any],
        credit_for_id: int | None = None,
        reason: str | None = None,
    ) -> InvoiceRow:
        invoice = InvoiceRow(
            kind=kind,
            status="draft",
            customer_id=customer_id,
            contract_id=contract_id,
            period=period,
            currency=currency,
            subtotal=subtotal,
            tax_rate=tax_rate,
            tax=tax,
            total=total,
            held=held,
            vendor=vendor,
            created_at=self.now,
            credit_for_id=credit_for_id,
            reason=reason,
        )
        self.session.add(invoice)
        self.session.flush()
        self._add_lines([(invoice.id, list(lines))])
        return invoice

    def add_drafts(self, drafts: list[NewInvoice]) -> list[int]:
        """Write draft invoices with their lines and entry links in bulk; their ids, in order.

        A handful of statements per call whatever the number of drafts and lines: one
        executemany for the invoices (their ids read back by contract: the drafts are of one
        period, one per contract), one for all lines, one set-based insert linking the
        entries (in entry id order, which keeps the writes local).
        """
        if not drafts:
            return []
        if len({d.period for d in drafts}) != 1 or len({d.contract_id for d in drafts}) != len(drafts):
            raise ValueError("add_drafts takes one draft per contract, all of one period")
        table = table_of(InvoiceRow)
        conn = self.session.connection()
        conn.execute(
            insert(table),
            [
                dict(
                    kind="invoice",
                    status="draft",
                    customer_id=d.customer_id,
                    contract_id=d.contract_id,
                    period=d.period,
                    currency=d.currency,
                    subtotal=d.subtotal,
                    tax_rate=d.tax_rate,
                    tax=d.tax,
                    total=d.total,
                    held=d.held,
                    vendor=d.vendor,
                    created_at=self.now,
                )
                for d in drafts
            ],
        )
        # a contract has one draft per period (the run deleted the old ones under the contracts' lock)
        found = [
            (cid, iid)
            for chunk in chunks([d.contract_id for d in drafts])
            for iid, cid in conn.execute(
                select(table.c.id, table.c.contract_id).where(
                    table.c.contract_id.in_(chunk),
                    table.c.period == drafts[0].period,
                    table.c.kind == "invoice",
                    table.c.status == "draft",
                )
            )
        ]
        if len(found) != len(drafts):
            raise DomainError(f"period {drafts[0].period}: a contract has another draft meanwhile; run again")
        by_contract = dict(found)
        ids = [by_contract[d.contract_id] for d in drafts]
        line_ids = self._add_lines([(invoice_id, list(d.lines)) for invoice_id, d in zip(ids, drafts)])
        links = [
            (*key, line_ids[(invoice_id, position)])
            for invoice_id, d in zip(ids, drafts)
            for position, key, _ in d.group_links
        ]
        if links:
            expected = sum(n for d in drafts for _, _, n in d.group_links)
            linked = self.link_groups(links)
            if linked != expected:
                raise DomainError(
                    f"{expected - linked} of {expected} time entries were billed by another "
                    "invoice meanwhile; nothing was written, run again"
                )
        return ids

    def _add_lines(self, invoices: list[tuple[int, list[InvoiceLine]]]) -> dict[tuple[int, int], int]:
        """Insert the lines of these invoices and link each line's time entries to it.

        Each entry is linked once: the link table takes an entry no line links yet, and
        if any entry was linked meanwhile (a parallel run) the transaction is refused.
        """
        values = [
            dict(
                invoice_id=invoice_id,
                position=position,
                kind=line.kind,
                description=line.description,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price.amount,
                amount=line.amount.amount,
                ticket=line.ticket,
                agent=line.agent,
                work_date=line.work_date,
                original_date=line.original_date,
                estimate_hours=line.estimate_hours,
                details=dict(line.details),
            )
            for invoice_id, lines in invoices
            for position, line in enumerate(lines, 1)
        ]
        if not values:
            return {}
        table = table_of(InvoiceLineRow)
        conn = self.session.connection()
        conn.execute(insert(table), values)
        line_ids: dict[tuple[int, int], int] = {}
        for chunk in chunks([invoice_id for invoice_id, _ in invoices]):
            for line_id, invoice_id, position in conn.execute(
                select(table.c.id, table.c.invoice_id, table.c.position).where(table.c.invoice_id.in_(chunk))
            ):
                line_ids[(invoice_id, position)] = line_id
        links: list[tuple[int, int]] = []  # (line, entry), built and sorted in C: one per billed entry
        for invoice_id, lines in invoices:
            for position, line in enumerate(lines, 1):
                links.extend(zip(repeat(line_ids[(invoice_id, position)]), line.entry_ids))
        if not links:
            return line_ids
        links.sort(key=itemgetter(1))  # in entry order: appended to the link table's pages
        # straight to the driver: building SQLAlchemy parameters per row would cost more
        # than the insert itself, and there is one row per billed time entry
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        linked = conn.exec_driver_sql(
            f"INSERT INTO invoice_line_entries (line_id, entry_id) VALUES ({mark}, {mark}) "
            "ON CONFLICT (entry_id) DO NOTHING",
            links,
        ).rowcount
        if linked != len(links):
            raise DomainError(
                f"{len(links) - linked} of {len(links)} time entries were billed by another "
                "invoice meanwhile; nothing was written, run again"
            )
        return line_ids

    def draw_number(self, series: str) -> int:
        insert = dialect_insert(self.session)
        self.session.execute(
            insert(InvoiceSeriesRow).values(series=series, last=0).on_conflict_do_nothing(index_elements=["series"])
        )
        return self.session.execute(
            update(InvoiceSeriesRow)
            .where(InvoiceSeriesRow.series == series)
            .values(last=InvoiceSeriesRow.last + 1)
            .returning(InvoiceSeriesRow.last)
        ).scalar_one()

    def invoice_row(self, ref: str, *, for_update: bool = False) -> InvoiceRow:
        """By number, or ``draft-ID`` for a draft."""
        draft_id = parse_id(ref[6:], INT32_MAX) if ref.startswith("draft-") else None
        if draft_id is not None:
            query = select(InvoiceRow).where(InvoiceRow.id == draft_id, InvoiceRow.status == "draft")
        else:
            query = select(InvoiceRow).where(InvoiceRow.number == ref)
        if for_update:
            query = query.with_for_update()
        row = self.session.scalar(query)
        if row is None:
            raise NotFound(f"unknown invoice '{ref}'")
        return row

    def invoice_by_token(self, token: str) -> InvoiceRow | None:
        return self.session.scalar(
            select(InvoiceRow).where(InvoiceRow.link_token == token, InvoiceRow.status != "draft")
        )

    def invoice_rows(
        self, *, period: str | None = None, status: str | None = None, customer: str | None = None
    ) -> list[InvoiceRow]:
        query = select(InvoiceRow).join(CustomerRow, InvoiceRow.customer_id == CustomerRow.id).order_by(InvoiceRow.id)
        if period:
            query = query.where(InvoiceRow.period == period)
        if status:
            query = query.where(InvoiceRow.status == status)
        if customer:
            query = query.where(CustomerRow.key == customer)
        return list(self.session.scalars(query))

    def invoice_lines(self, invoice: InvoiceRow) -> list[InvoiceLineRow]:
        return list(
            self.session.scalars(
                select(InvoiceLineRow).where(InvoiceLineRow.invoice_id == invoice.id).order_by(InvoiceLineRow.position)
            )
        )

    def line_entry_ids(self, line_ids: list[int]) -> dict[int, list[int]]:
        """The time entries each of these lines bills, by entry id."""
        out: dict[int, list[int]] = {}
        link = InvoiceLineEntryRow
        for chunk in chunks(line_ids):
            for entry_id, line_id in self.session.execute(
                select(link.entry_id, link.line_id).where(link.line_id.in_(chunk)).order_by(link.entry_id)
            ):
                out.setdefault(line_id, []).append(entry_id)
        return out

    def release_entries(self, invoice: InvoiceRow) -> int:
        """Unlink the time entries of this invoice's lines (billable again); how many."""
        line_ids = select(InvoiceLineRow.id).where(InvoiceLineRow.invoice_id == invoice.id)
        return rowcount(
            self.session.execute(
                delete(InvoiceLineEntryRow)
                .where(InvoiceLineEntryRow.line_id.in_(line_ids))
                .execution_options(synchronize_session=False)
            )
        )

    def invoice_view(self, row: InvoiceRow) -> Invoice:
        customer = self.session.get(CustomerRow, row.customer_id)
        if customer is None:  # customer_id is a non-null foreign key
            raise StorageError(f"invoice {row.number or row.id}: its customer (id {row.customer_id}) is missing")
        contract = self.session.get(ContractRow, row.contract_id) if row.contract_id else None
        credit = self.session.get(InvoiceRow, row.credit_for_id) if row.credit_for_id else None
        line_rows = self.invoice_lines(row)
        entries = self.line_entry_ids([r.id for r in line_rows]) if row.status != "void" else {}
        cur = row.currency
        lines = tuple(
            InvoiceLine(
                description=r.description,
                quantity=r.quantity,
                unit=r.unit,
                unit_price=Money(r.unit_price, cur),
                amount=Money(r.amount, cur),
                kind=r.kind,
                ticket=r.ticket,
                agent=r.agent,
                work_date=r.work_date,
                original_date=r.original_date,
                entry_ids=tuple(entries.get(r.id, ())),
                estimate_hours=r.estimate_hours,
                details=dict(r.details or {}),
            )
            for r in line_rows
        )
        return Invoice(
            number=row.number,
            status=row.status,
            kind=row.kind,
            customer=customer.key,
            customer_name=customer.name,
            contract=contract.key if contract else None,
            period=row.period,
            currency=cur,
            lines=lines,
            subtotal=Money(row.subtotal, cur),
            tax_rate=row.tax_rate,
            tax=Money(row.tax, cur),
            total=Money(row.total, cur),
            created_at=row.created_at,
            issued_at=row.issued_at,
            credit_for=credit.number if credit else None,
            reason=row.reason,
            held=tuple(row.held or ()),
            id=row.id,
            vendor=dict(row.vendor or {}),
            **self.invoice_extras(row, customer, (line.agent for line in lines)),
        )
