"""What an invoice looks like on paper, computed once for the html and text formats.

:func:`invoice_view` turns an :class:`~deskframe.billing.Invoice` into plain strings
already translated (gettext catalogs, :mod:`.i18n`) and formatted for a locale:
heading, the vendor's bank details, both parties with ИНН/КПП, lines grouped per
ticket (with the hours logged and billed beside the estimate, and why they differ),
totals, the VAT line, the total in words, the due date, payments and held entries.
The renderers only lay these strings out; escaping is the html template's job.
The lines and held entries are :mod:`.line_views`; the words and formats of a locale :mod:`.locale_text`.

What the customer sees is customer-facing only: no internal status word, no customer
id, no agent login (the agent's display name, or role with ``agent_label = "role"``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

from deskframe.billing import Invoice

from . import formatting, words
from .line_views import HeldView, TicketGroup, held_view, ticket_groups
from .locale_text import N_, LocaleText

if TYPE_CHECKING:
    from babel import Locale


#: ``[billing.vendor]`` keys with a place of their own on the page (the rest are listed as they are).
_CONTACT_LABELS = {"email": N_("E-mail"), "phone": N_("Phone"), "website": N_("Website")}
_VENDOR_PLACED = ("name", "inn", "tax_id", "kpp", "address", "bank", "bik", "corr_account", "account")


@attrs.frozen
class Party:
    """A vendor or buyer: name and labelled details (ИНН, КПП, address ...)."""

    name: str
    details: tuple[tuple[str, str], ...]


@attrs.frozen
class InvoiceView:
    """Everything one invoice or credit note shows, as translated and formatted strings."""

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


def _humanize(key: str) -> str:
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _vendor(invoice: Invoice, w: LocaleText) -> tuple[Party | None, tuple[tuple[str, str], ...]]:
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


def _buyer(invoice: Invoice, w: LocaleText) -> Party:
    found = invoice.customer_details or {}
    details = [
        (w(label), found[key])
        for key, label in (("inn", N_("INN")), ("kpp", N_("KPP")), ("address", N_("Address")))
        if found.get(key)
    ]
    return Party(invoice.customer_name, tuple(details))


def _totals(invoice: Invoice, w: LocaleText) -> tuple[tuple[tuple[str, str], ...], str]:
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


def _payment(invoice: Invoice, w: LocaleText, terms: int | None) -> tuple[tuple[tuple[str, str], ...], str | None]:
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
    w = LocaleText(locale)
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
        groups=ticket_groups(invoice, agent_label, w),
        totals=totals,
        vat_line=vat,
        items_line=w("Items: {count}, amount {amount}", count=len(invoice.lines), amount=w.money(invoice.total)),
        total_words=words.amount_in_words(invoice.total, w.lang),
        payment=payment,
        payment_note=note,
        held=tuple(held_view(h, invoice, agent_label, w) for h in invoice.held),
        footer=f"{title} {ref} \u00b7 {invoice.customer_name} \u00b7 {w.month(invoice.period)}",
        currency=invoice.currency,
        period=invoice.period,
    )


@attrs.frozen
class IndexRow:
    """One invoice in a list of invoices."""

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
    w = LocaleText(locale)
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
