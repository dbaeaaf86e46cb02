"""Frozen billing values: what a pricing model receives and returns, and invoices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NamedTuple, Protocol, runtime_checkable

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
    #: Summed path only (see :class:`TimeRules`): the positions, in the groups handed to
    #: ``price_groups``, of the :class:`TimeGroup` s whose entries this line bills.
    entry_groups: tuple[int, ...] = ()


@attrs.frozen
class PricingResult:
    """A pricing model's answer: lines to bill, entries held back (listed, not billed)."""

    currency: str
    lines: tuple[InvoiceLine, ...] = ()
    held: tuple[BillableEntry, ...] = ()
    notes: tuple[str, ...] = ()
    #: Summed path only: positions of the groups held back (their entries are listed, not billed).
    held_groups: tuple[int, ...] = ()


@runtime_checkable
class PricingModel(Protocol):
    """A configured pricing model (what ``PricingModelType.build(table)`` returns)."""

    currency: str

    def price(self, context: BillingContext) -> PricingResult:
        """Invoice lines for one contract and period; pure, no side effects."""


@attrs.frozen
class TimeRules:
    """How a pricing model counts each time entry, so the store can sum entries in SQL.

    A model that can say this returns it from ``time_rules(context)`` (``context``
    has no entries) and prices the sums in ``price_groups(context, groups)`` instead
    of ``price(context)``; the ledger then never loads the entries one by one and
    links them to their lines in one set-based statement. Per entry, in SQL:

    * ``billed``: zero when the entry's minutes are zero or less, else
      ``max(minutes, minimum)`` rounded up to a multiple of ``increment``;
    * ``multiplier``: ``"weekend"`` when ``weekend`` is set and the work date is a
      Saturday or Sunday, ``"out_of_hours"`` when ``out_of_hours`` is set and the
      entry's logged-at instant lies outside the working time of the calendar
      ``calendar``; when both apply, the larger factor (``"weekend"`` on a tie);
      else ``None``;
    * ``late``: the work date lies before the period (its group keeps that date);
    * ``over_budget`` (with ``budget``, minutes): taking the entries in the order
      work date, logged-at, id, the running sum of billable entries' billed minutes
      exceeds ``budget`` at this entry.

    Entries are grouped per ``group_by``: ``"ticket"`` by ticket, agent, billable,
    multiplier and late date; ``"contract"`` by billable and ``over_budget`` only.
    ``billable_only`` leaves non-billable entries out (no group: never linked).
    Results must equal ``price(context)`` on the same entries to the kopeck.
    """

    increment: int | None = None
    minimum: int = 0
    weekend: Decimal | None = None
    out_of_hours: Decimal | None = None
    calendar: str | None = None
    budget: int | None = None
    group_by: str = "ticket"
    billable_only: bool = False


class TimeGroup(NamedTuple):
    """The sums of one group of unbilled time entries (see :class:`TimeRules`).

    With ``group_by = "contract"`` the ticket and agent fields are ``None``.
    ``first_id`` is the smallest entry id; ``notes`` the distinct non-empty notes in
    entry id order; ``negative`` the ``(id, minutes)`` of the billable entry with
    negative minutes and the smallest id (None when there is none). ``key`` is the store's own and opaque.
    """

    ticket: str | None
    ticket_subject: str | None
    agent: str | None
    role: str | None
    billable: bool
    multiplier: str | None
    original_date: dt.date | None
    over_budget: bool
    entries: int
    minutes: int
    billed: int
    first_date: dt.date
    last_date: dt.date
    first_id: int
    notes: tuple[str, ...]
    negative: tuple[int, int] | None
    key: tuple[Any, ...]


@runtime_checkable
class SummedPricingModel(PricingModel, Protocol):
    """A pricing model that can also price summed time (optional, see :class:`TimeRules`)."""

    def time_rules(self, context: BillingContext) -> TimeRules | None:
        """How to sum this contract's entries; ``None``: use ``price`` with the entries."""

    def price_groups(self, context: BillingContext, groups: tuple[TimeGroup, ...]) -> PricingResult:
        """As ``price``, from the groups (``context.entries`` is empty); lines name their
        groups in ``entry_groups``, held groups go in ``held_groups``."""


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
    #: Fixed on issue: the issue date (desk's zone) plus ``payment_terms_days``.
    due_date: dt.date | None = None
    #: The sum of the payments recorded against it (zero while nothing is paid).
    paid: Money | None = None
    payments: tuple[Payment, ...] = ()
    #: The buyer's details from the directory: ``inn``, ``kpp``, ``address`` (those that are set).
    customer_details: Mapping[str, str] = attrs.field(factory=dict)
    #: ``login -> (display name, role)`` of the agents its lines name.
    agents: Mapping[str, tuple[str, str]] = attrs.field(factory=dict)

    @property
    def balance(self) -> Money:
        """What is still to be paid: total minus payments (zero for drafts' payments, which cannot exist)."""
        return self.total - (self.paid or Money.zero(self.currency))

    def overdue(self, today: dt.date) -> bool:
        """Issued, not paid in full, and ``today`` is after its due date."""
        return (
            self.status == "issued"
            and self.kind == "invoice"
            and self.due_date is not None
            and today > self.due_date
            and self.balance.amount > 0
        )


@attrs.frozen
class Payment:
    """Money received against an invoice (``paid_on`` is the date the customer paid)."""

    amount: Money
    paid_on: dt.date
    reference: str | None = None
    recorded_at: dt.datetime | None = None
    actor: str | None = None


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
    #: summed path: ``(line position from 1, group key, entries in the group)`` to link
    group_links: tuple[tuple[int, tuple[Any, ...], int], ...] = ()
