"""What an invoice looks like on paper, computed once for the html and text formats.

:func:`invoice_view` turns an :class:`~deskframe.billing.Invoice` into plain
strings already formatted for a locale: title, vendor, lines grouped per ticket
(with the ticket's hours beside its estimate), totals and the held entries.
The renderers only lay these strings out; escaping is the html template's job.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import attrs

from deskframe.billing import Invoice, InvoiceLine
from deskframe.money import Money

from . import formatting

if TYPE_CHECKING:
    from babel import Locale

HELD_LABEL = "not billed: estimate awaiting approval"
LATE_LABEL = "logged late"
_HOUR_UNITS = frozenset({"h", "hr", "hrs", "hour", "hours"})
_MINUTE_UNITS = frozenset({"min", "mins", "minute", "minutes"})
_SIXTY = Decimal(60)
_HUNDREDTH = Decimal("0.01")


@attrs.frozen
class LineView:
    no: int
    date: str
    late: bool
    agent: str
    description: str
    quantity: str
    unit: str
    rate: str
    amount: str
    kind: str


@attrs.frozen
class TicketGroup:
    """The lines of one ticket (``ticket`` None: lines not tied to a ticket)."""

    ticket: str | None
    lines: tuple[LineView, ...]
    amount: str
    hours: str | None  # hours billed on this invoice for the ticket, if its lines are time
    estimate: str | None  # the ticket's estimate in hours, if it has one


@attrs.frozen
class HeldView:
    ticket: str
    agent: str
    date: str
    hours: str
    reason: str


@attrs.frozen
class InvoiceView:
    title: str  # INVOICE / CREDIT NOTE
    reference: str  # the number, or draft-ID
    status: str
    watermark: str | None  # DRAFT / VOID
    kind: str
    credit_for: str | None
    reason: str | None
    issued: str | None
    created: str
    customer: str
    customer_name: str
    contract: str | None
    period: str
    currency: str
    vendor_name: str | None
    vendor_details: tuple[tuple[str, str], ...]
    groups: tuple[TicketGroup, ...]
    subtotal: str
    tax_rate: str
    tax: str
    total: str
    held: tuple[HeldView, ...]


def reference(invoice: Invoice) -> str:
    """The invoice's number, or ``draft-ID`` for a draft (as the CLI lists it)."""
    return invoice.number or f"draft-{invoice.id}"


def iso_date(value: dt.date | dt.datetime | str | None) -> str:
    """A date as ``YYYY-MM-DD`` (a datetime: its own date, as stored)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def line_hours(line: InvoiceLine) -> Decimal | None:
    """Hours of work a line stands for: the worked minutes a pricing model noted in
    ``details["minutes"]``, else the quantity of a line counted in hours or minutes."""
    minutes = line.details.get("minutes") if isinstance(line.details, Mapping) else None
    if isinstance(minutes, int) and not isinstance(minutes, bool):
        return Decimal(minutes) / _SIXTY
    unit = (line.unit or "").strip().lower()
    if unit in _HOUR_UNITS:
        return line.quantity
    if unit in _MINUTE_UNITS:
        return line.quantity / _SIXTY
    return None


def _hours_text(hours: Decimal, locale: Locale) -> str:
    return formatting.number(hours.quantize(_HUNDREDTH).normalize(), locale)


def _group(lines: Iterable[InvoiceLine]) -> list[tuple[str | None, list[tuple[int, InvoiceLine]]]]:
    groups: dict[str | None, list[tuple[int, InvoiceLine]]] = {}
    for no, line in enumerate(lines, start=1):
        groups.setdefault(line.ticket, []).append((no, line))
    return list(groups.items())


def _line_view(no: int, line: InvoiceLine, locale: Locale) -> LineView:
    return LineView(
        no=no,
        date=iso_date(line.original_date or line.work_date),
        late=line.original_date is not None,
        agent=line.agent or "",
        description=line.description,
        quantity=formatting.number(line.quantity, locale),
        unit=line.unit,
        rate=formatting.money(line.unit_price, locale, exact=True),
        amount=formatting.money(line.amount, locale),
        kind=line.kind,
    )


def _ticket_group(invoice: Invoice, ticket: str | None, numbered: list[tuple[int, InvoiceLine]],
                  locale: Locale) -> TicketGroup:
    lines = [line for _, line in numbered]
    amount = sum((line.amount for line in lines), Money.zero(invoice.currency))
    hours = estimate = None
    if ticket is not None and invoice.kind != "credit":
        estimates = [line.estimate_hours for line in lines if line.estimate_hours is not None]
        if estimates:
            estimate = _hours_text(max(estimates), locale)
        counted = [h for h in (line_hours(line) for line in lines) if h is not None]
        if counted:
            hours = _hours_text(sum(counted, Decimal(0)), locale)
    return TicketGroup(ticket=ticket, lines=tuple(_line_view(no, line, locale) for no, line in numbered),
                       amount=formatting.money(amount, locale), hours=hours, estimate=estimate)


def _held_view(held: Mapping[str, Any], locale: Locale) -> HeldView:
    minutes = held.get("minutes")
    hours = _hours_text(Decimal(minutes) / _SIXTY, locale) if isinstance(minutes, int) else ""
    return HeldView(ticket=str(held.get("ticket", "")), agent=str(held.get("agent", "")),
                    date=iso_date(held.get("work_date")), hours=hours, reason=HELD_LABEL)


def _humanize(key: str) -> str:
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def invoice_view(invoice: Invoice, locale: Locale) -> InvoiceView:
    """Everything the html and text formats show of ``invoice``, formatted for ``locale``."""
    vendor = dict(invoice.vendor or {})
    vendor_name = vendor.pop("name", None)
    watermark = {"draft": "DRAFT", "void": "VOID"}.get(invoice.status)
    return InvoiceView(
        title="CREDIT NOTE" if invoice.kind == "credit" else "INVOICE",
        reference=reference(invoice),
        status=invoice.status,
        watermark=watermark,
        kind=invoice.kind,
        credit_for=invoice.credit_for,
        reason=invoice.reason,
        issued=iso_date(invoice.issued_at) or None,
        created=iso_date(invoice.created_at),
        customer=invoice.customer,
        customer_name=invoice.customer_name,
        contract=invoice.contract,
        period=invoice.period,
        currency=invoice.currency,
        vendor_name=str(vendor_name) if vendor_name else None,
        vendor_details=tuple((_humanize(str(k)), str(v)) for k, v in vendor.items() if str(v).strip()),
        groups=tuple(_ticket_group(invoice, ticket, numbered, locale) for ticket, numbered in _group(invoice.lines)),
        subtotal=formatting.money(invoice.subtotal, locale),
        tax_rate=formatting.percent(invoice.tax_rate, locale),
        tax=formatting.money(invoice.tax, locale),
        total=formatting.money(invoice.total, locale),
        held=tuple(_held_view(h, locale) for h in invoice.held),
    )


@attrs.frozen
class IndexRow:
    reference: str
    title: str
    status: str
    issued: str
    customer: str
    customer_name: str
    contract: str
    period: str
    total: str


def index_rows(invoices: Iterable[Invoice], locale: Locale) -> list[IndexRow]:
    """One row per invoice for the ``invoices`` kind."""
    return [IndexRow(reference=reference(i), title="Credit note" if i.kind == "credit" else "Invoice",
                     status=i.status, issued=iso_date(i.issued_at), customer=i.customer,
                     customer_name=i.customer_name, contract=i.contract or "", period=i.period,
                     total=formatting.money(i.total, locale))
            for i in invoices]
