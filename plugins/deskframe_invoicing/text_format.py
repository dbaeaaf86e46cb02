"""The ``text`` output format: plain text for e-mail bodies.

Columns are padded with spaces so the lines align in a monospaced view; money is
formatted for the locale (``1 500,00 ₽`` in ``ru``, ``RUB 1,500.00`` in ``en``).
Each invoice line is one row of figures followed by its description, indented.
"""

from __future__ import annotations

from typing import Any, Sequence

from deskframe.billing import Invoice

from . import formatting
from .view import HELD_LABEL, LATE_LABEL, InvoiceView, index_rows, invoice_view

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


def _header(v: InvoiceView) -> list[str]:
    out = [f"{v.title} {v.reference}"]
    if v.watermark == "DRAFT":
        out.append("DRAFT: not an invoice yet; the number is assigned when it is issued.")
    elif v.watermark == "VOID":
        out.append(f"VOID: cancelled by a credit note{f' ({v.reason})' if v.reason else ''}.")
    if v.kind == "credit":
        out.append(f"Credit note for invoice {v.credit_for or '-'}{f': {v.reason}' if v.reason else ''}")
    out.append("")
    facts: list[tuple[str, str]] = []
    if v.vendor_name or v.vendor_details:
        facts.append(("From", v.vendor_name or ""))
        facts.extend((f"  {label}", value) for label, value in v.vendor_details)
    facts += [("Bill to", f"{v.customer_name} (customer {v.customer})"), ("Contract", v.contract or "-"),
              ("Period", v.period), ("Status", v.status), ("Issued", v.issued or "not issued")]
    width = max(len(label) for label, _ in facts) + 1
    out.extend(f"{(label + ':').ljust(width)} {value}".rstrip() for label, value in facts)
    return out


def _lines(v: InvoiceView) -> list[str]:
    head = ("#", "Date", "Agent", "Quantity", "Unit", "Rate", "Amount")
    right = (True, False, False, True, False, True, True)
    rows: list[tuple[str, ...]] = [head]
    for g in v.groups:
        for line in g.lines:
            rows.append((str(line.no), line.date, line.agent or "-", line.quantity, line.unit, line.rate, line.amount))
    table = _table(rows, right)
    width = max(len(t) for t in table)
    out = [_INDENT + table[0], _INDENT + "-" * width]
    index = 1
    for g in v.groups:
        title = f"Ticket {g.ticket}" if g.ticket else "Other charges"
        if g.estimate:
            title += f" (estimate {g.estimate} h, actual {g.hours or '0'} h)"
        elif g.hours:
            title += f" (actual {g.hours} h)"
        out.append(title)
        for line in g.lines:
            out.append(_INDENT + table[index])
            description = line.description + (f" [{LATE_LABEL}]" if line.late else "")
            out.append(_INDENT + " " * (len(str(len(rows) - 1)) + 2) + description)
            index += 1
    totals = [("Subtotal", v.subtotal), (f"Tax ({v.tax_rate})", v.tax), ("Total", v.total)]
    label_w = max(len(label) for label, _ in totals)
    amount_w = max(len(amount) for _, amount in totals)
    out.append(_INDENT + "-" * width)
    for label, amount in totals:
        text = f"{label.ljust(label_w)}  {amount.rjust(amount_w)}"
        out.append(_INDENT + text.rjust(width))
    return out


def _held(v: InvoiceView) -> list[str]:
    if not v.held:
        return []
    rows = [(f"Ticket {h.ticket}", h.date, h.agent, f"{h.hours} h") for h in v.held]
    return ["", f"Not billed ({HELD_LABEL.split(': ', 1)[1]}):",
            *[_INDENT + row for row in _table(rows, (False, False, False, True))]]


def render_invoice(invoice: Invoice, locale: str | None = None) -> str:
    v = invoice_view(invoice, formatting.resolve_locale(locale))
    return "\n".join([*_header(v), "", *_lines(v), *_held(v)]) + "\n"


def render_index(invoices: Sequence[Invoice], locale: str | None = None) -> str:
    found = index_rows(invoices, formatting.resolve_locale(locale))
    if not found:
        return "No invoices.\n"
    rows = [("Number", "Status", "Issued", "Customer", "Period", "Total")]
    rows += [(r.reference, r.status, r.issued or "-", f"{r.customer_name} ({r.customer})", r.period, r.total)
             for r in found]
    table = _table(rows, (False, False, False, False, False, True))
    return "\n".join([table[0], "-" * max(len(t) for t in table), *table[1:]]) + "\n"


def render(kind: str, data: Any, *, locale: str | None = None) -> str:
    """``invoice`` (one) or ``invoices`` (a list) as plain text; ``locale`` default ``"en"``."""
    if kind == "invoice":
        if not isinstance(data, Invoice):
            raise TypeError(f"text: kind 'invoice' needs an Invoice, got {type(data).__name__}")
        return render_invoice(data, locale)
    if kind == "invoices":
        return render_index(list(data), locale)
    raise ValueError(f"text: cannot render kind {kind!r} (renders: {', '.join(KINDS)})")
