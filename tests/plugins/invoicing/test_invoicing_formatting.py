"""Money, numbers and the formats on hand-built invoices (no database)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from invoicing_helpers import check_html, spaces

from deskframe import Money
from deskframe.billing import Invoice, InvoiceLine
from deskframe.errors import DomainError
from deskframe_invoicing import FORMATS, csv_format, html_format, text_format
from deskframe_invoicing.formatting import money, percent, resolve_locale


def rub(amount: str) -> Money:
    return Money(amount, "RUB")


def invoice(**changes) -> Invoice:
    line = InvoiceLine(
        description="Поддержка",
        quantity=Decimal("1.5"),
        unit="h",
        unit_price=rub("1000"),
        amount=rub("1500.00"),
        ticket="T1",
        agent="alice",
        work_date=dt.date(2026, 10, 5),
    )
    base = dict(
        number="INV-2026-00007",
        status="issued",
        kind="invoice",
        customer="acme",
        customer_name="ACME",
        contract="acme-1",
        period="2026-10",
        currency="RUB",
        lines=(line,),
        subtotal=rub("1500.00"),
        tax_rate=Decimal("0.2"),
        tax=rub("300.00"),
        total=rub("1800.00"),
        created_at=dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc),
        issued_at=dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc),
        id=7,
    )
    base.update(changes)
    return Invoice(**base)


def test_money_ru_and_en_by_hand():
    ru, en = resolve_locale("ru"), resolve_locale("en")
    assert spaces(money(rub("1500"), ru)) == "1 500,00 ₽"
    assert spaces(money(rub("-1500"), ru)) == "-1 500,00 ₽"
    assert money(rub("1500"), en) == "RUB 1,500.00"
    assert money(rub("-1500.5"), en) == "-RUB 1,500.50"
    assert money(Money("1500", "USD"), en) == "$1,500.00"  # a real symbol gets no space
    assert money(Money("0.125", "RUB"), en, exact=True) == "RUB 0.125"  # rates keep their digits
    assert spaces(percent(Decimal("0.2"), ru)) == "20 %" and percent(Decimal("0.125"), en) == "12.5%"
    assert resolve_locale("ru-RU").territory == "RU"
    with pytest.raises(DomainError, match="unknown locale"):
        resolve_locale("xx_NOPE")


def test_registered_formats_and_kinds():
    assert {(f.name, f.kinds) for f in FORMATS} == {(n, ("invoice", "invoices")) for n in ("html", "csv", "text")}
    assert {f.name: f.media_type for f in FORMATS}["csv"] == "text/csv; charset=utf-8"
    for fmt in FORMATS:
        with pytest.raises(ValueError):
            fmt.render("report", [])


def test_draft_has_watermark_and_no_number():
    page = html_format.render("invoice", invoice(number=None, status="draft", issued_at=None))
    parser = check_html(page)
    assert 'class="watermark"' in page and ">DRAFT<" in page and "draft-7" in page
    assert "draft-7" in text_format.render("invoice", invoice(number=None, status="draft", issued_at=None))
    assert "script" not in parser.tags


def test_credit_note_names_the_invoice_it_credits():
    line = InvoiceLine(
        description="Поддержка",
        quantity=Decimal("-1.5"),
        unit="h",
        unit_price=rub("1000"),
        amount=rub("-1500.00"),
        kind="credit",
        ticket="T1",
        agent="alice",
        work_date=dt.date(2026, 10, 5),
        details={"minutes": 90},
    )
    credit = invoice(
        number="CN-2026-00001",
        kind="credit",
        credit_for="INV-2026-00007",
        reason="wrong rate",
        lines=(line,),
        subtotal=rub("-1500.00"),
        tax=rub("-300.00"),
        total=rub("-1800.00"),
    )
    page = html_format.render("invoice", credit, locale="en")
    check_html(page)
    assert "Credit note No. CN-2026-00001" in page and "Credit note for invoice INV-2026-00007: wrong rate" in page
    assert "-RUB 1,800.00" in page and "logged" not in page  # no estimate/logged hours on a reversal
    text = text_format.render("invoice", credit, locale="en")
    assert text.startswith("Credit note No. CN-2026-00001") and "Credit note for invoice INV-2026-00007" in text
    rows = list(csv.DictReader(io.StringIO(csv_format.render("invoice", credit).decode("utf-8"))))
    assert rows[0]["amount"] == "-1500.00" and rows[0]["invoice_kind"] == "credit"


def test_void_invoice_is_marked_void():
    page = html_format.render("invoice", invoice(status="void", reason="typo"))
    assert ">VOID<" in page and "typo" in page


def test_csv_defuses_spreadsheet_formulas_but_not_numbers():
    line = InvoiceLine(
        description='=HYPERLINK("http://evil")',
        quantity=Decimal("-2"),
        unit="h",
        unit_price=rub("10"),
        amount=rub("-20.00"),
        agent="@bob",
    )
    data = csv_format.render("invoice", invoice(lines=(line,), subtotal=rub("-20.00")))
    assert data.startswith(b"invoice_number,") and b"\r\n" in data and not data.startswith(b"\xef\xbb\xbf")
    (row,) = csv.DictReader(io.StringIO(data.decode("utf-8")))
    assert row["description"] == '\'=HYPERLINK("http://evil")' and row["agent"] == "'@bob"
    assert row["quantity"] == "-2" and row["amount"] == "-20.00" and row["tax_rate_percent"] == "20"


def test_index_without_invoices():
    check_html(html_format.render("invoices", []))
    assert text_format.render("invoices", []) == "No invoices.\n"
    assert csv_format.render("invoices", []).decode().strip() == ",".join(csv_format.COLUMNS)
