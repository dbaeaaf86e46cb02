"""Frozen billing values: what a pricing model receives and returns, and invoices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Mapping, NamedTuple, Protocol, runtime_checkable

import attrs

from ..model import Contract
from ..money import Money


@attrs.frozen
class Estimate:
    """An agreed estimate of a ticket's work; time on unapproved estimates is held back."""

    ticket: str
    hours: Decimal
    approved: bool
    approved_at: dt.datetime | None = None
    approved_by: str | None = None


class BillableEntry(NamedTuple):
    """A time entry not yet billed, as a pricing model sees it.

    ``role`` is the agent's role (rate cards key on it); ``late`` is true for an
    entry whose work date lies before the period being billed (logged after its
    own period was invoiced): its line must say its original date.

    A named tuple rather than an attrs class: an ``invoice run`` builds one per
    unbilled entry (hundreds of thousands), and a tuple costs a fraction to make.
    Read it by attribute; it is immutable like every other billing value.
    """

    id: int
    ticket: str
    ticket_subject: str
    agent: str
    role: str
    minutes: int
    work_date: dt.date
    billable: bool
    note: str = ""
    late: bool = False
    logged_at: dt.datetime | None = None


@attrs.frozen
class BillingContext:
    """Everything a pricing model may price for one contract and one period."""

    contract: Contract
    period: str
    period_start: dt.date
    period_end: dt.date  # exclusive
    entries: tuple[BillableEntry, ...] = ()
    estimates: Mapping[str, Estimate] = attrs.field(factory=dict)
    calendars: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def days_in_period(self) -> int:
        return (self.period_end - self.period_start).days

    def active_days(self) -> int:
        """Days of the period the contract runs (for proration)."""
        start = max(self.period_start, self.contract.start or self.period_start)
        end = min(self.period_end, (self.contract.end + dt.timedelta(days=1)) if self.contract.end else self.period_end)
        return max(0, (end - start).days)


@attrs.frozen
class InvoiceLine:
    """One line of an invoice. ``amount`` is already rounded to the currency's minor unit.

    ``entry_ids`` are the time entries this line bills (linked so they are never
    billed again). ``kind`` says what it is: time, subscription, addon, fee,
    overage, credit ...; ``original_date`` marks a late entry's own date.
    """

    description: str
    quantity: Decimal
    unit: str
    unit_price: Money
    amount: Money
    kind: str = "time"
    ticket: str | None = None
    agent: str | None = None
    work_date: dt.date | None = None
    original_date: dt.date | None = None
    entry_ids: tuple[int, ...] = ()
    estimate_hours: Decimal | None = None
    details: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class PricingResult:
    """A pricing model's answer: lines to bill, entries held back (listed, not billed)."""

    currency: str
    lines: tuple[InvoiceLine, ...] = ()
    held: tuple[BillableEntry, ...] = ()
    notes: tuple[str, ...] = ()


@runtime_checkable
class PricingModel(Protocol):
    """A configured pricing model (what ``PricingModelType.build(table)`` returns)."""

    currency: str

    def price(self, context: BillingContext) -> PricingResult:
        """Invoice lines for one contract and period; pure, no side effects."""


@attrs.frozen
class Invoice:
    """An invoice or credit note of the ledger."""

    number: str | None  # None while a draft
    status: str  # draft, issued, void
    kind: str  # invoice, credit
    customer: str
    customer_name: str
    contract: str | None
    period: str
    currency: str
    lines: tuple[InvoiceLine, ...]
    subtotal: Money
    tax_rate: Decimal
    tax: Money
    total: Money
    created_at: dt.datetime
    issued_at: dt.datetime | None = None
    credit_for: str | None = None
    reason: str | None = None
    held: tuple[Mapping[str, Any], ...] = ()
    id: int | None = None
    vendor: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class NewInvoice:
    """A draft invoice the ledger hands to the store to write (amounts are plain decimals)."""

    customer_id: int
    contract_id: int
    period: str
    currency: str
    lines: tuple[InvoiceLine, ...]
    subtotal: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal
    held: list[dict[str, Any]]
    vendor: dict[str, Any]
