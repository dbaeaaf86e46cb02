"""The ``text`` output format: plain text for e-mail bodies.

The same content as the html page (:func:`.view.invoice_view`), in the invoice's
language: columns padded with spaces so the lines align in a monospaced view;
money formatted for the locale (``1 500,00 ₽`` in ``ru``, ``RUB 1,500.00`` in ``en``).
Each invoice line is one row of figures followed by its description, indented.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from deskframe.billing import Invoice

from . import formatting
from .line_views import LATE_LABEL
from .locale_text import labels
from .view import InvoiceView, index_rows, invoice_view

MEDIA_TYPE = "text/plain; charset=utf-8"
KINDS = ("invoice", "invoices")
_INDENT = "  "


def _table(rows: Sequence[Sequence[str]], right: Sequence[bool]) -> list[str]:
    """Rows padded to common column widths; ``right`` says which columns align right."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(right))]
    out = []
    for row in rows:
        cells = [cell.rjust(w) if r else cell.ljust(w) for cell, w, r in zip(row, widths, right)]
        out.append("  ".join(cells).rstrip())
    return out


def _facts(rows: Sequence[tuple[str, str]]) -> list[str]:
    if not rows:
        return []
    width = max(len(label) for label, _ in rows) + 1
    return [f"{(label + ':').ljust(width)} {value}".rstrip() for label, value in rows]


def _header(v: InvoiceView, _: Any) -> list[str]:
    out = [v.heading, *v.notices, ""]
    if v.vendor is not None:
        out += [f"{_('Supplier')}: {v.vendor.name}", *(_INDENT + f for f in _facts(v.vendor.details))]
    out += [f"{_('Customer')}: {v.buyer.name}", *(_INDENT + f for f in _facts(v.buyer.details))]
    if v.bank:
        out += [f"{_('Payment details')}:", *(_INDENT + f for f in _facts(v.bank))]
    out += _facts(v.facts)
    return out


def _lines(v: InvoiceView, _: Any) -> list[str]:
    head = (_("No."), _("Date or period"), _("Qty"), _("Unit"), _("Price"), _("Amount"))
    right = (True, False, True, False, True, True)
    rows: list[tuple[str, ...]] = [head]
    for g in v.groups:
        for line in g.lines:
            rows.append((str(line.no), line.when, line.quantity, line.unit, line.rate, line.amount))
    table = _table(rows, right)
    width = max(len(t) for t in table)
    out = [_INDENT + table[0], _INDENT + "-" * width]
    index = 1
    pad = " " * (max(len(row[0]) for row in rows) + 2)
    for g in v.groups:
        out.append(g.title + (f" ({g.note})" if g.note else ""))
        for line in g.lines:
            out.append(_INDENT + table[index])
            extra = [x for x in (line.agent, f"[{_(LATE_LABEL)}]" if line.late else "") if x]
            out.append(_INDENT + pad + line.description + (f" ({', '.join(extra)})" if extra else ""))
            index += 1
    label_w = max(len(label) for label, _amount in (*v.totals, *v.payment))
    amount_w = max(len(amount) for _label, amount in (*v.totals, *v.payment))
    out.append(_INDENT + "-" * width)
    for label, amount in (*v.totals, *v.payment):
        out.append(_INDENT + f"{label.ljust(label_w)}  {amount.rjust(amount_w)}".rjust(width))
    out += ["", v.items_line, v.total_words, v.vat_line]
    if v.payment_note:
        out.append(v.payment_note)
    return out


def _held(v: InvoiceView, _: Any) -> list[str]:
    if not v.held:
        return []
    rows = [(f"{_('Ticket')} {h.ticket}", h.date, h.agent, f"{h.hours} {_('h')}") for h in v.held]
    return [
        "",
        f"{_('Not billed')} ({v.held[0].reason}):",
        *[_INDENT + row for row in _table(rows, (False, False, False, True))],
    ]


def render_invoice(
    invoice: Invoice, locale: str | None = None, agent_label: str = "name", payment_terms_days: int | None = None
) -> str:
    """One invoice as plain text in ``locale``'s language."""
    loc = formatting.resolve_locale(locale)
    v = invoice_view(invoice, loc, agent_label=agent_label, payment_terms_days=payment_terms_days)
    _ = labels(loc)
    return "\n".join([*_header(v, _), "", *_lines(v, _), *_held(v, _)]) + "\n"


def render_index(invoices: Sequence[Invoice], locale: str | None = None) -> str:
    """A list of invoices as plain text."""
    loc = formatting.resolve_locale(locale)
    _ = labels(loc)
    found = index_rows(invoices, loc)
    if not found:
        return _("No invoices.") + "\n"
    rows = [(_("Number"), _("Date"), _("Customer"), _("Period"), _("Due date"), _("Total"), _("Balance due"))]
    rows += [
        (r.reference, r.issued or "-", r.customer_name, r.period, r.due or "-", r.total, r.balance or "-")
        for r in found
    ]
    table = _table(rows, (False, False, False, False, False, True, True))
    return "\n".join([table[0], "-" * max(len(t) for t in table), *table[1:]]) + "\n"


def render(
    kind: str, data: Any, *, locale: str | None = None, agent_label: str = "name", payment_terms_days: int | None = None
) -> str:
    """``invoice`` (one) or ``invoices`` (a list) as plain text; ``locale`` default ``"en"``."""
    if kind == "invoice":
        if not isinstance(data, Invoice):
            raise TypeError(f"text: kind 'invoice' needs an Invoice, got {type(data).__name__}")
        return render_invoice(data, locale, agent_label, payment_terms_days)
    if kind == "invoices":
        return render_index(list(data), locale)
    raise ValueError(f"text: cannot render kind {kind!r} (renders: {', '.join(KINDS)})")
