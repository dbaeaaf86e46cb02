"""What an invoice looks like on paper, computed once for the html and text formats.

:func:`invoice_view` turns an :class:`~deskframe.billing.Invoice` into plain strings
already translated (gettext catalogs, :mod:`.i18n`) and formatted for a locale:
heading, the vendor's bank details, both parties with ИНН/КПП, lines grouped per
ticket (with the hours logged and billed beside the estimate, and why they differ),
totals, the VAT line, the total in words, the due date, payments and held entries.
The renderers only lay these strings out; escaping is the html template's job.

What the customer sees is customer-facing only: no internal status word, no customer
id, no agent login (the agent's display name, or role with ``agent_label = "role"``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from deskframe.billing import Invoice, InvoiceLine
from deskframe.money import Money

from . import formatting, i18n, words

if TYPE_CHECKING:
    from babel import Locale


def N_(message: str) -> str:
    """Marks a message for the catalog without translating it here."""
    return message


HELD_LABEL = N_("estimate awaiting approval")
LATE_LABEL = N_("logged late")
#: Units pricing models write, as the catalog knows them.
UNITS = {
    "h": N_("h"),
    "min": N_("min"),
    "user": N_("user"),
    "server": N_("server"),
    "service": N_("service"),
    "month": N_("month"),
    "pcs": N_("pcs"),
}
_HOUR_UNITS = frozenset({"h", "hr", "hrs", "hour", "hours"})
_MINUTE_UNITS = frozenset({"min", "mins", "minute", "minutes"})
_SIXTY = Decimal(60)
_HUNDREDTH = Decimal("0.01")
#: ``[billing.vendor]`` keys with a place of their own on the page (the rest are listed as they are).
_CONTACT_LABELS = {"email": N_("E-mail"), "phone": N_("Phone"), "website": N_("Website")}
_VENDOR_PLACED = ("name", "inn", "tax_id", "kpp", "address", "bank", "bik", "corr_account", "account")


@attrs.frozen
class LineView:
    """One invoice line: ``when`` is the work date, or the period a subscription line covers."""

    no: int
    when: str
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
    title: str
    note: str | None  # estimate, hours logged and billed, and why they differ
    lines: tuple[LineView, ...]
    amount: str


@attrs.frozen
class HeldView:
    ticket: str
    agent: str
    date: str
    hours: str
    reason: str


@attrs.frozen
class Party:
    """A vendor or buyer: name and labelled details (ИНН, КПП, address ...)."""

    name: str
    details: tuple[tuple[str, str], ...]


@attrs.frozen
class InvoiceView:
    lang: str
    title: str  # "Invoice" / "Счёт на оплату", "Credit note"
    heading: str  # title, number and date in one line
    reference: str  # the number, or draft-ID
    watermark: str | None  # DRAFT / VOID, translated
    notices: tuple[str, ...]
    kind: str
    credit_for: str | None
    vendor: Party | None
    bank: tuple[tuple[str, str], ...]  # the vendor's payment details, empty when not configured
    buyer: Party
    facts: tuple[tuple[str, str], ...]  # contract, period, issue date, due date
    groups: tuple[TicketGroup, ...]
    totals: tuple[tuple[str, str], ...]  # (label, amount); the last one is the total
    vat_line: str
    items_line: str
    total_words: str
    payment: tuple[tuple[str, str], ...]  # paid, balance (once a payment is recorded)
    payment_note: str | None  # "Payment due by ..."
    held: tuple[HeldView, ...]
    footer: str
    currency: str
    period: str


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
    return _quantity_hours(line)


def billed_hours(line: InvoiceLine) -> Decimal | None:
    """Hours a line bills: its quantity when counted in hours or minutes."""
    return _quantity_hours(line)


def _quantity_hours(line: InvoiceLine) -> Decimal | None:
    unit = (line.unit or "").strip().lower()
    if unit in _HOUR_UNITS:
        return line.quantity
    if unit in _MINUTE_UNITS:
        return line.quantity / _SIXTY
    return None


class _Words:
    """Translation and formatting for one locale (what every helper below needs)."""

    def __init__(self, locale: Locale):
        self.locale = locale
        self.lang = locale.language
        self.gettext: Callable[[str], str] = i18n.translations(self.lang).gettext

    def __call__(self, message: str, **values: Any) -> str:
        text = self.gettext(message)
        return text.format(**values) if values else text

    def date(self, value: dt.date | dt.datetime | None) -> str:
        if value is None:
            return ""
        from babel.dates import format_date

        day = value.date() if isinstance(value, dt.datetime) else value
        return format_date(day, "dd.MM.yyyy" if self.lang == "ru" else "d MMM yyyy", locale=self.locale)

    def long_date(self, value: dt.date) -> str:
        from babel.dates import format_date

        return format_date(value, "long", locale=self.locale)

    def month(self, period: str) -> str:
        from babel.dates import format_date

        start = _period_start(period)
        return format_date(start, "LLLL yyyy", locale=self.locale) if start else period

    def hours(self, value: Decimal) -> str:
        return formatting.number(value.quantize(_HUNDREDTH).normalize(), self.locale)

    def money(self, value: Money, *, exact: bool = False) -> str:
        return formatting.money(value, self.locale, exact=exact)


def _period_start(period: str) -> dt.date | None:
    try:
        year, month = (int(p) for p in period.split("-"))
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        return None


def _period_range(period: str, w: _Words) -> str:
    start = _period_start(period)
    if start is None:
        return period
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return f"{w.date(start)}\u2013{w.date(end)}"


def _agent(line: InvoiceLine, invoice: Invoice, label: str, w: _Words) -> str:
    """The agent as the customer may see it: display name, or role; never the login."""
    if not line.agent:
        return ""
    name, role = invoice.agents.get(line.agent, ("", ""))
    if not role and isinstance(line.details, Mapping):
        role = str(line.details.get("role") or "")
    if label == "role":
        return role
    return name or role


def _line_view(no: int, line: InvoiceLine, invoice: Invoice, agent_label: str, w: _Words) -> LineView:
    day = line.original_date or line.work_date
    return LineView(
        no=no,
        when=w.date(day) if day else _period_range(invoice.period, w),
        late=line.original_date is not None,
        agent=_agent(line, invoice, agent_label, w),
        description=line.description,
        quantity=formatting.number(line.quantity, w.locale),
        unit=w(UNITS[line.unit]) if line.unit in UNITS else line.unit,
        rate=w.money(line.unit_price, exact=True),
        amount=w.money(line.amount),
        kind=line.kind,
    )


def _rounding(lines: list[InvoiceLine], w: _Words) -> str:
    """Why billed time exceeds logged time, from what the pricing model noted."""
    details = [line.details for line in lines if isinstance(line.details, Mapping)]
    increments = {d.get("increment_minutes") for d in details} - {None}
    minimums = {d.get("minimum_minutes") for d in details} - {None}
    parts = []
    if len(increments) == 1:
        parts.append(w("each entry rounded up to {minutes} min", minutes=increments.pop()))
    if len(minimums) == 1:
        parts.append(w("at least {minutes} min per entry", minutes=minimums.pop()))
    return ", ".join(parts) if parts else w("each entry rounded up as the contract provides")


def _group_note(invoice: Invoice, lines: list[InvoiceLine], w: _Words) -> str | None:
    if invoice.kind == "credit":
        return None
    parts = []
    estimates = [line.estimate_hours for line in lines if line.estimate_hours is not None]
    if estimates:
        parts.append(w("estimate {hours} h", hours=w.hours(max(estimates))))
    logged = [h for h in (line_hours(line) for line in lines) if h is not None]
    billed = [h for h in (billed_hours(line) for line in lines) if h is not None]
    if logged:
        total_logged = sum(logged, Decimal(0))
        text = w("{hours} h logged", hours=w.hours(total_logged))
        total_billed = sum(billed, Decimal(0))
        if billed and total_billed.quantize(_HUNDREDTH) != total_logged.quantize(_HUNDREDTH):
            text += ", " + w("billed {hours} h", hours=w.hours(total_billed)) + ": " + _rounding(lines, w)
        parts.append(text)
    elif estimates:
        parts.append(w("{hours} h logged", hours="0"))
    return " \u00b7 ".join(parts) or None


def _groups(invoice: Invoice, agent_label: str, w: _Words) -> tuple[TicketGroup, ...]:
    grouped: dict[str | None, list[tuple[int, InvoiceLine]]] = {}
    for no, line in enumerate(invoice.lines, start=1):
        grouped.setdefault(line.ticket, []).append((no, line))
    out = []
    for ticket, numbered in grouped.items():
        lines = [line for _, line in numbered]
        amount = sum((line.amount for line in lines), Money.zero(invoice.currency))
        title = (
            w("Ticket {number}", number=ticket)
            if ticket
            else w("Services for {period}", period=w.month(invoice.period))
        )
        out.append(
            TicketGroup(
                ticket=ticket,
                title=title,
                note=_group_note(invoice, lines, w) if ticket else None,
                lines=tuple(_line_view(no, line, invoice, agent_label, w) for no, line in numbered),
                amount=w.money(amount),
            )
        )
    return tuple(out)


def _held_view(held: Mapping[str, Any], invoice: Invoice, agent_label: str, w: _Words) -> HeldView:
    minutes = held.get("minutes")
    hours = w.hours(Decimal(minutes) / _SIXTY) if isinstance(minutes, int) else ""
    login = str(held.get("agent", "") or "")
    name, role = invoice.agents.get(login, ("", ""))
    day = held.get("work_date")
    try:
        shown = w.date(dt.date.fromisoformat(str(day))) if day else ""
    except ValueError:
        shown = str(day)
    return HeldView(
        ticket=str(held.get("ticket", "")),
        agent=(role if agent_label == "role" else name or role),
        date=shown,
        hours=hours,
        reason=w(HELD_LABEL),
    )


def _humanize(key: str) -> str:
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _vendor(invoice: Invoice, w: _Words) -> tuple[Party | None, tuple[tuple[str, str], ...]]:
    vendor = {str(k): str(v) for k, v in (invoice.vendor or {}).items() if str(v).strip()}
    if not vendor:
        return None, ()
    inn = vendor.get("inn") or vendor.get("tax_id")
    details = [(w("INN"), inn)] if inn else []
    if vendor.get("kpp"):
        details.append((w("KPP"), vendor["kpp"]))
    if vendor.get("address"):
        details.append((w("Address"), vendor["address"]))
    details += [
        (w(_CONTACT_LABELS[k]) if k in _CONTACT_LABELS else _humanize(k), v)
        for k, v in vendor.items()
        if k not in _VENDOR_PLACED
    ]
    bank: list[tuple[str, str]] = []
    if vendor.get("account"):
        bank = [
            (w("Payee's bank"), vendor.get("bank", "")),
            (w("BIC"), vendor.get("bik", "")),
            (w("Correspondent account"), vendor.get("corr_account", "")),
            (w("Account"), vendor["account"]),
            (w("Payee"), vendor.get("name", "")),
        ]
        bank = [(label, value) for label, value in bank if value]
    return Party(vendor.get("name", ""), tuple(details)), tuple(bank)


def _buyer(invoice: Invoice, w: _Words) -> Party:
    found = invoice.customer_details or {}
    details = [
        (w(label), found[key])
        for key, label in (("inn", N_("INN")), ("kpp", N_("KPP")), ("address", N_("Address")))
        if found.get(key)
    ]
    return Party(invoice.customer_name, tuple(details))


def _totals(invoice: Invoice, w: _Words) -> tuple[tuple[tuple[str, str], ...], str]:
    rate = formatting.percent(invoice.tax_rate, w.locale)
    if invoice.tax_rate:
        totals = (
            (w("Subtotal"), w.money(invoice.subtotal)),
            (w("VAT {rate}", rate=rate), w.money(invoice.tax)),
            (w("Total due"), w.money(invoice.total)),
        )
        vat = w("Including VAT {rate}: {amount}", rate=rate, amount=w.money(invoice.tax))
    else:
        totals = (
            (w("Subtotal"), w.money(invoice.subtotal)),
            (w("VAT"), w("No VAT")),
            (w("Total due"), w.money(invoice.total)),
        )
        vat = w("No VAT")
    return totals, vat


def _payment(invoice: Invoice, w: _Words, terms: int | None) -> tuple[tuple[tuple[str, str], ...], str | None]:
    rows: tuple[tuple[str, str], ...] = ()
    if invoice.payments:
        rows = tuple(
            (
                w("Paid on {date}", date=w.date(p.paid_on)) + (f" ({p.reference})" if p.reference else ""),
                w.money(p.amount),
            )
            for p in invoice.payments
        )
        rows += ((w("Balance due"), w.money(invoice.balance)),)
    note = None
    if invoice.kind == "invoice" and invoice.due_date is not None:
        if invoice.balance.amount <= 0:
            note = w("Paid in full. Thank you.")
        else:
            note = w("Please pay by {date}.", date=w.long_date(invoice.due_date))
            if invoice.issued_at is not None:
                days = (invoice.due_date - invoice.issued_at.date()).days
                days = terms if terms is not None else days
                note += " " + w("Payment terms: {days} days from the invoice date.", days=days)
            note += " " + w("Please quote the invoice number {number} with your payment.", number=reference(invoice))
    return rows, note


def invoice_view(
    invoice: Invoice, locale: Locale, *, agent_label: str = "name", payment_terms_days: int | None = None
) -> InvoiceView:
    """Everything the html and text formats show of ``invoice``, in ``locale``'s language and formats."""
    w = _Words(locale)
    credit = invoice.kind == "credit"
    title = w("Credit note") if credit else w("Invoice for payment")
    ref = reference(invoice)
    heading = (
        w("{title} No. {number} of {date}", title=title, number=ref, date=w.long_date(invoice.issued_at.date()))
        if invoice.issued_at
        else w("{title} {number}", title=title, number=ref)
    )
    watermark = {"draft": w("DRAFT"), "void": w("VOID")}.get(invoice.status)
    notices = []
    if credit:
        notices.append(
            w("Credit note for invoice {number}", number=invoice.credit_for or "-")
            + (f": {invoice.reason}" if invoice.reason else "")
        )
    if invoice.status == "draft":
        notices.append(w("DRAFT: not an invoice yet; the number is assigned when it is issued."))
    elif invoice.status == "void":
        notices.append(
            w("VOID: this invoice was cancelled by a credit note.") + (f" ({invoice.reason})" if invoice.reason else "")
        )
    vendor, bank = _vendor(invoice, w)
    facts = []
    if invoice.contract:
        facts.append((w("Contract"), invoice.contract))
    facts.append((w("Period"), w.month(invoice.period)))
    if invoice.due_date is not None and not credit:
        facts.append((w("Due date"), w.date(invoice.due_date)))
    totals, vat = _totals(invoice, w)
    payment, note = _payment(invoice, w, payment_terms_days)
    return InvoiceView(
        lang=w.lang,
        title=title,
        heading=heading,
        reference=ref,
        watermark=watermark,
        notices=tuple(notices),
        kind=invoice.kind,
        credit_for=invoice.credit_for,
        vendor=vendor,
        bank=bank,
        buyer=_buyer(invoice, w),
        facts=tuple(facts),
        groups=_groups(invoice, agent_label, w),
        totals=totals,
        vat_line=vat,
        items_line=w("Items: {count}, amount {amount}", count=len(invoice.lines), amount=w.money(invoice.total)),
        total_words=words.amount_in_words(invoice.total, w.lang),
        payment=payment,
        payment_note=note,
        held=tuple(_held_view(h, invoice, agent_label, w) for h in invoice.held),
        footer=f"{title} {ref} \u00b7 {invoice.customer_name} \u00b7 {w.month(invoice.period)}",
        currency=invoice.currency,
        period=invoice.period,
    )


def labels(locale: Locale) -> Callable[..., str]:
    """``_(message, **values)`` for ``locale``: what the templates call for their own words."""
    return _Words(locale)


@attrs.frozen
class IndexRow:
    reference: str
    title: str
    issued: str
    customer_name: str
    period: str
    due: str
    total: str
    balance: str


def index_rows(invoices: Iterable[Invoice], locale: Locale) -> list[IndexRow]:
    """One row per invoice for the ``invoices`` kind."""
    w = _Words(locale)
    return [
        IndexRow(
            reference=reference(i),
            title=w("Credit note") if i.kind == "credit" else w("Invoice"),
            issued=w.date(i.issued_at),
            customer_name=i.customer_name,
            period=w.month(i.period),
            due=w.date(i.due_date),
            total=w.money(i.total),
            balance=w.money(i.balance) if i.kind == "invoice" and i.status == "issued" else "",
        )
        for i in invoices
    ]
