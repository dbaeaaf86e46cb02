"""Payments against invoices, and what an invoice shows beyond its own rows: due date,
the sum paid, the buyer's tax details and the display names of the agents it names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..billing.model import Payment
from ..money import Money
from .rows import AgentRow, CustomerRow, InvoiceRow, PaymentRow


class PaymentRepo:
    """Payment data access (a mixin of the store's Repository)."""

    session: Session
    now: dt.datetime

    def add_payment(
        self, invoice: InvoiceRow, amount: Decimal, paid_on: dt.date, reference: str | None, actor: str | None
    ) -> PaymentRow:
        """Record ``amount`` paid on ``paid_on`` against ``invoice`` (the caller checked the balance)."""
        row = PaymentRow(
            invoice_id=invoice.id, amount=amount, paid_on=paid_on, reference=reference, actor=actor, created_at=self.now
        )
        self.session.add(row)
        self.session.flush()
        return row

    def payments(self, invoice_id: int) -> list[PaymentRow]:
        """The payments of one invoice, oldest first."""
        return list(
            self.session.scalars(
                select(PaymentRow)
                .where(PaymentRow.invoice_id == invoice_id)
                .order_by(PaymentRow.paid_on, PaymentRow.id)
            )
        )

    def paid_sums(self, invoice_ids: Iterable[int]) -> dict[int, Decimal]:
        """The sum paid per invoice id (invoices without payments are left out).

        Summed in Python: the amounts are exact decimals stored as text.
        """
        ids = sorted(set(invoice_ids))
        out: dict[int, Decimal] = {}
        for start in range(0, len(ids), 500):
            for invoice_id, amount in self.session.execute(
                select(PaymentRow.invoice_id, PaymentRow.amount).where(
                    PaymentRow.invoice_id.in_(ids[start : start + 500])
                )
            ):
                out[invoice_id] = out.get(invoice_id, Decimal(0)) + amount
        return out

    @staticmethod
    def buyer_details(customer: CustomerRow) -> dict[str, str]:
        """The customer's ``inn``, ``kpp`` and ``address`` that are set (what an invoice prints)."""
        return {k: v for k, v in (("inn", customer.inn), ("kpp", customer.kpp), ("address", customer.address)) if v}

    def invoice_buyer(self, invoice: InvoiceRow) -> dict[str, str]:
        """The buyer's details of ``invoice`` as the directory has them now (frozen on issue)."""
        customer = self.session.get(CustomerRow, invoice.customer_id)
        return self.buyer_details(customer) if customer is not None else {}

    def invoice_extras(self, row: InvoiceRow, customer: CustomerRow, logins: Iterable[str | None]) -> dict[str, Any]:
        """The keyword arguments of :class:`~deskframe.billing.Invoice` read beside the invoice's rows;
        ``logins`` are the lines' agents (``None`` for a line without one)."""
        cur = row.currency
        payments = tuple(
            Payment(
                amount=Money(p.amount, cur),
                paid_on=p.paid_on,
                reference=p.reference,
                recorded_at=p.created_at,
                actor=p.actor,
            )
            for p in self.payments(row.id)
        )
        paid = sum((p.amount for p in payments), Money.zero(cur))
        wanted = sorted({login for login in logins if login})
        agents = (
            {
                a.login: (a.name, a.role)
                for a in self.session.scalars(select(AgentRow).where(AgentRow.login.in_(wanted)))
            }
            if wanted
            else {}
        )
        details = dict(row.buyer) if row.buyer is not None else self.buyer_details(customer)
        return {
            "due_date": row.due_date,
            "paid": paid,
            "payments": payments,
            "customer_details": details,
            "agents": agents,
        }
