"""The ``csv`` output format: one row per invoice line, for import into accounting.

UTF-8 without BOM, a header row, RFC 4180 quoting and CRLF line ends (the csv
module's ``excel`` dialect). Returned as bytes so no newline translation touches it.
Amounts, quantities and prices are plain decimals with a dot (``-1500.00``), dates
ISO 8601, the tax rate in percent (``20``). Free-text cells that a spreadsheet would
read as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR) get a leading
``'``; numeric columns are never touched. ``invoice`` and ``invoices`` give the same
columns; an invoice without lines gives no row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from deskframe.billing import Invoice

from .formatting import plain
from .view import iso_date, reference

MEDIA_TYPE = "text/csv; charset=utf-8"
KINDS = ("invoice", "invoices")

COLUMNS = (
    "invoice_number",
    "invoice_status",
    "invoice_kind",
    "issue_date",
    "customer",
    "customer_name",
    "contract",
    "period",
    "currency",
    "line_no",
    "line_kind",
    "ticket",
    "date",
    "original_date",
    "agent",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "amount",
    "tax_rate_percent",
)
#: Columns of free text (everything else is a number, a date or a code we produced).
TEXT_COLUMNS = frozenset({"customer", "customer_name", "contract", "ticket", "agent", "description", "unit"})
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defuse(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def rows(invoice: Invoice) -> Iterable[dict[str, str]]:
    """The csv rows of one invoice, as column -> text."""
    tax_percent = plain((invoice.tax_rate * 100).normalize())
    for no, line in enumerate(invoice.lines, start=1):
        row = {
            "invoice_number": reference(invoice),
            "invoice_status": invoice.status,
            "invoice_kind": invoice.kind,
            "issue_date": iso_date(invoice.issued_at),
            "customer": invoice.customer,
            "customer_name": invoice.customer_name,
            "contract": invoice.contract or "",
            "period": invoice.period,
            "currency": invoice.currency,
            "line_no": str(no),
            "line_kind": line.kind,
            "ticket": line.ticket or "",
            "date": iso_date(line.work_date),
            "original_date": iso_date(line.original_date),
            "agent": line.agent or "",
            "description": line.description,
            "quantity": plain(line.quantity),
            "unit": line.unit,
            "unit_price": plain(line.unit_price.amount),
            "amount": plain(line.amount.amount),
            "tax_rate_percent": tax_percent,
        }
        yield {k: _defuse(v) if k in TEXT_COLUMNS else v for k, v in row.items()}


def render(kind: str, data: Any, *, locale: str | None = None) -> bytes:
    """``invoice`` (one) or ``invoices`` (a list) as csv bytes; ``locale`` is accepted and
    ignored (accounting imports want fixed, locale-free numbers)."""
    if kind == "invoice":
        invoices: list[Invoice] = [data]
    elif kind == "invoices":
        invoices = list(data)
    else:
        raise ValueError(f"csv: cannot render kind {kind!r} (renders: {', '.join(KINDS)})")
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, dialect="excel")
    writer.writeheader()
    for invoice in invoices:
        writer.writerows(rows(invoice))
    return out.getvalue().encode("utf-8")
