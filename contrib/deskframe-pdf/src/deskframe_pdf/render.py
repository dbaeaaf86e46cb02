"""An :class:`~deskframe.billing.Invoice` laid out on A4 pages with fpdf2.

Text is set in DejaVu Sans, shipped inside this package (``fonts/``, license in
``fonts/LICENSE``), embedded as a subset with a Unicode map, so Cyrillic (and Greek,
and most of Latin, and ₽ €) prints and the PDF's text can be searched and copied.

The page shows: title and reference (``INVOICE INV-2026-00001``; ``CREDIT NOTE ...``;
a draft's ``draft-ID``), a DRAFT or VOID watermark unless issued, the vendor's details
(``[billing.vendor]``), the customer, contract, period and dates, one table row per
line (date, ticket, agent, quantity, rate, amount, description; a late entry's date is
marked), subtotal, tax and total, and the time entries held back (listed, not billed).
The same invoice renders to the same bytes: the document's dates are the invoice's.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

from deskframe.billing import Invoice

from . import formatting

FONT = "DejaVuSans"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
MEDIA_TYPE = "application/pdf"
GREY = (110, 110, 110)
LIGHT = (235, 235, 235)
#: Column widths in mm (A4 portrait, 15 mm margins: 180 mm).
LINE_COLUMNS = (
    ("Date", 18, "LEFT"),
    ("Ticket", 31, "LEFT"),
    ("Agent", 15, "LEFT"),
    ("Qty", 15, "RIGHT"),
    ("Rate", 20, "RIGHT"),
    ("Amount", 25, "RIGHT"),
    ("Description", 56, "LEFT"),
)
HELD_COLUMNS = (
    ("Ticket", 34, "LEFT"),
    ("Agent", 26, "LEFT"),
    ("Date", 22, "LEFT"),
    ("Minutes", 20, "RIGHT"),
    ("Reason", 78, "LEFT"),
)


@functools.lru_cache(maxsize=1)
def font_paths() -> dict[str, str]:
    """Style -> path of the shipped TTF files (extracted once if the package is zipped)."""
    import atexit
    import contextlib

    stack = contextlib.ExitStack()
    atexit.register(stack.close)
    base = resources.files(__package__) / "fonts"
    return {style: str(stack.enter_context(resources.as_file(base / name))) for style, name in FONT_FILES.items()}


def _title(invoice: Invoice) -> tuple[str, str]:
    title = "CREDIT NOTE" if invoice.kind == "credit" else "INVOICE"
    return title, invoice.number or f"draft-{invoice.id}"


def _document_date(invoice: Invoice) -> dt.datetime:
    when = invoice.issued_at or invoice.created_at
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when


def _page_class() -> type:
    from fpdf import FPDF

    class InvoicePage(FPDF):
        watermark: str | None = None
        footer_text: str = ""

        def header(self) -> None:
            if not self.watermark:
                return
            self.set_font(FONT, "B", 90)
            self.set_text_color(228, 228, 228)
            with self.rotation(45, x=self.w / 2, y=self.h / 2):
                width = self.get_string_width(self.watermark)
                self.text(self.w / 2 - width / 2, self.h / 2 + 12, self.watermark)
            self.set_text_color(0, 0, 0)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FONT, "", 7.5)
            self.set_text_color(*GREY)
            self.cell(0, 5, f"{self.footer_text}  ·  page {self.page_no()} of {{nb}}", align="C")
            self.set_text_color(0, 0, 0)

    return InvoicePage


def render_invoice(invoice: Invoice, locale_name: str | None = None) -> bytes:
    """The PDF of ``invoice``; money formatted for ``locale_name`` (None: ``1234.50 RUB``)."""
    locale = formatting.resolve_locale(locale_name)
    title, reference = _title(invoice)
    vendor = dict(invoice.vendor or {})
    vendor_name = str(vendor.pop("name", "") or "")

    pdf = _page_class()(orientation="P", unit="mm", format="A4")
    pdf.watermark = {"draft": "DRAFT", "void": "VOID"}.get(invoice.status)
    pdf.footer_text = f"{title.title()} {reference}" + (f" · {vendor_name}" if vendor_name else "")
    for style, path in font_paths().items():
        pdf.add_font(FONT, style, path)
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(f"{title.title()} {reference}")
    pdf.set_subject(f"{invoice.customer_name}, {invoice.period}")
    pdf.set_author(vendor_name or "deskframe")
    pdf.set_creator("deskframe-pdf")
    pdf.set_creation_date(_document_date(invoice))
    pdf.set_lang(str(locale.language) if locale is not None else "en")
    pdf.add_page()

    _heading(pdf, invoice, title, reference)
    _parties(pdf, invoice, vendor_name, vendor)
    _lines(pdf, invoice, locale)
    _totals(pdf, invoice, locale)
    if invoice.held:
        _held(pdf, invoice.held)
    return bytes(pdf.output())


def _heading(pdf: Any, invoice: Invoice, title: str, reference: str) -> None:
    pdf.set_font(FONT, "B", 18)
    pdf.cell(0, 10, f"{title} {reference}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*GREY)
    notes = []
    if invoice.status == "draft":
        notes.append("Draft: not issued, numbers and amounts may still change")
    elif invoice.status == "void":
        notes.append("Void: cancelled by a credit note")
    if invoice.credit_for:
        notes.append(f"Credits invoice {invoice.credit_for}" + (f": {invoice.reason}" if invoice.reason else ""))
    for note in notes:
        pdf.multi_cell(0, 5, note, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)


def _block(pdf: Any, x: float, y: float, width: float, label: str, name: str, rows: list[str]) -> float:
    """A labelled address block at (x, y); returns the y below it."""
    pdf.set_xy(x, y)
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*GREY)
    pdf.cell(width, 5, label, new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(width, 6, name or "-", align="L", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    for row in rows:
        pdf.multi_cell(width, 5, row, align="L", new_x="LEFT", new_y="NEXT")
    return pdf.get_y()


def _humanize(key: str) -> str:
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _parties(pdf: Any, invoice: Invoice, vendor_name: str, vendor: Mapping[str, Any]) -> None:
    top = pdf.get_y()
    vendor_rows = [f"{_humanize(str(k))}: {v}" for k, v in vendor.items() if str(v).strip()]
    left = _block(pdf, pdf.l_margin, top, 88, "From", vendor_name, vendor_rows)
    customer_rows = [
        f"Customer: {invoice.customer}",
        f"Contract: {invoice.contract or '-'}",
        f"Period: {invoice.period}",
    ]
    if invoice.issued_at:
        customer_rows.append(f"Issued: {formatting.day(invoice.issued_at)}")
    else:
        customer_rows.append(f"Created: {formatting.day(invoice.created_at)}")
    customer_rows.append(f"Currency: {invoice.currency}")
    right = _block(pdf, pdf.l_margin + 92, top, 88, "Bill to", invoice.customer_name, customer_rows)
    pdf.set_xy(pdf.l_margin, max(left, right) + 6)


def _table(pdf: Any, columns: tuple[tuple[str, int, str], ...], rows: Sequence[tuple[str, ...]]) -> None:
    from fpdf.fonts import FontFace

    pdf.set_font(FONT, "", 7.5)
    with pdf.table(
        col_widths=tuple(w for _, w, _ in columns),
        width=sum(w for _, w, _ in columns),
        text_align=tuple(a for _, _, a in columns),
        line_height=4.2,
        padding=(1, 1),
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", fill_color=LIGHT),
        align="LEFT",
        v_align="TOP",
    ) as table:
        heading = table.row()
        for name, _, _ in columns:
            heading.cell(name)
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(value)


def _lines(pdf: Any, invoice: Invoice, locale: Any) -> None:
    rows = []
    for line in invoice.lines:
        when = formatting.day(line.original_date or line.work_date)
        if line.original_date is not None:
            when += " (late)"
        quantity = formatting.number(line.quantity, locale) + (f" {line.unit}" if line.unit else "")
        description = line.description
        if line.estimate_hours is not None:
            description += f" (estimate {formatting.number(line.estimate_hours, locale)} h)"
        rows.append(
            (
                when,
                line.ticket or "",
                line.agent or "",
                quantity,
                formatting.money(line.unit_price, locale, exact=True),
                formatting.money(line.amount, locale),
                description,
            )
        )
    if not rows:
        pdf.set_font(FONT, "", 9)
        pdf.cell(0, 6, "No lines.", new_x="LMARGIN", new_y="NEXT")
        return
    _table(pdf, LINE_COLUMNS, rows)


def _totals(pdf: Any, invoice: Invoice, locale: Any) -> None:
    pdf.ln(4)
    label_x, label_w, value_w = pdf.l_margin + 90, 50, 40
    rows = [
        ("Subtotal", formatting.money(invoice.subtotal, locale), ""),
        (f"Tax {formatting.percent(invoice.tax_rate, locale)}", formatting.money(invoice.tax, locale), ""),
        ("Total", formatting.money(invoice.total, locale), "B"),
    ]
    for label, value, style in rows:
        pdf.set_x(label_x)
        pdf.set_font(FONT, style, 11 if style else 9.5)
        pdf.cell(label_w, 7 if style else 6, label, border="T" if style else 0)
        pdf.cell(
            value_w, 7 if style else 6, value, border="T" if style else 0, align="R", new_x="LMARGIN", new_y="NEXT"
        )


def _held(pdf: Any, held: tuple[Mapping[str, Any], ...]) -> None:
    pdf.ln(6)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, 6, "Not billed on this invoice", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8.5)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(
        0,
        4.5,
        "Time held back by the pricing model (listed, not billed); it is billed on a "
        "later invoice once released, e.g. when its estimate is approved.",
        align="L",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1)
    rows = [
        (
            str(h.get("ticket", "")),
            str(h.get("agent", "")),
            formatting.day(h.get("work_date")),
            str(h.get("minutes", "")),
            str(h.get("reason", "") or "estimate awaiting approval"),
        )
        for h in held
    ]
    _table(pdf, HELD_COLUMNS, rows)
