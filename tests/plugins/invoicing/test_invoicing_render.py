"""html, csv and text of an issued invoice with Cyrillic text, a late entry, an estimate and held time."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from invoicing_helpers import CUSTOMER_NAME, HELD_SUBJECT, MAIL_SUBJECT, XSS_SUBJECT, check_html, spaces

from deskframe_invoicing import csv_format, html_format, text_format


def test_html_invoice_ru(billed):
    inv = billed.desk.ledger.invoice(billed.october)
    page = html_format.render("invoice", inv, locale="ru")
    parser = check_html(page)
    text = spaces(page)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="ru">' in page
    # no script, nothing loaded from anywhere; the subject is text, not an element
    assert "<script" not in page.lower() and parser.tags.isdisjoint({"script", "img", "link", "iframe", "object"})
    assert parser.attributes.isdisjoint({"src", "href", "srcset", "onerror", "onload"})
    assert "url(" not in page and "@import" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and XSS_SUBJECT in "".join(parser.text)
    assert "@media print" in page and "size: A4" in page
    # who, what, when
    assert "Studio LLC" in page and "Nevsky 1, St Petersburg" in page
    assert CUSTOMER_NAME in page and "romashka" in page and MAIL_SUBJECT in page
    assert "INV-2026-00002" in page and "2026-10" in page and "watermark" not in page.split("<body>")[1]
    # money by locale, tax rate, totals
    assert "1 500,00 ₽" in text and "2 500,00 ₽" in text and "500,00 ₽" in text and "3 000,00 ₽" in text
    assert "Tax (20 %)" in text
    # grouped per ticket, late line marked, estimate beside the ticket's hours
    assert page.count('<tbody class="ticket">') == 2
    assert re.search(r"2026-09-29 <span class=\"late\">logged late</span>", page)
    assert f"Ticket {billed.mail_ticket}" in page and "estimate 2 h &middot; actual 1,5 h" in page
    # held time listed, not billed
    held = page.split('<section class="held">')[1]
    assert billed.held_ticket in held and "not billed: estimate awaiting approval" in held and "0,5" in held
    assert HELD_SUBJECT not in page


def test_html_invoice_en_and_index(billed):
    inv = billed.desk.ledger.invoice(billed.october)
    page = html_format.render("invoice", inv, locale="en")
    assert "RUB 1,500.00" in page and "RUB 2,500.00" in page and "RUB 3,000.00" in page and "Tax (20%)" in page
    assert "actual 1.5 h" in page
    index = html_format.render("invoices", billed.desk.ledger.invoices(), locale="en")
    check_html(index)
    assert billed.september in index and billed.october in index and "RUB 120.00" in index
    assert "<script" not in index


def test_csv_parses_back_and_sums_to_subtotal(billed):
    inv = billed.desk.ledger.invoice(billed.october)
    data = csv_format.render("invoice", inv)
    assert isinstance(data, bytes)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    assert list(rows[0]) == list(csv_format.COLUMNS)
    assert len(rows) == len(inv.lines) == 4
    assert sum(Decimal(r["amount"]) for r in rows) == inv.subtotal.amount == Decimal("2500.00")
    assert {r["invoice_number"] for r in rows} == {"INV-2026-00002"}
    assert {r["customer_name"] for r in rows} == {CUSTOMER_NAME} and rows[1]["description"] == MAIL_SUBJECT
    assert rows[3]["description"] == XSS_SUBJECT
    late = [r for r in rows if r["original_date"]]
    assert [(r["date"], r["original_date"], r["amount"]) for r in late] == [("2026-09-29", "2026-09-29", "250.00")]
    assert {r["tax_rate_percent"] for r in rows} == {"20"} and {r["currency"] for r in rows} == {"RUB"}
    assert all(re.fullmatch(r"-?\d+\.\d{2}", r["amount"]) for r in rows)
    # the "invoices" kind: every line of every invoice, same columns
    both = list(csv.DictReader(io.StringIO(csv_format.render("invoices", billed.desk.ledger.invoices()).decode())))
    assert [r["invoice_number"] for r in both] == ["INV-2026-00001"] + ["INV-2026-00002"] * 4


def test_text_for_email(billed):
    inv = billed.desk.ledger.invoice(billed.october)
    body = text_format.render("invoice", inv, locale="ru")
    plain = spaces(body)
    assert body.startswith("INVOICE INV-2026-00002\n") and CUSTOMER_NAME in body and MAIL_SUBJECT in body
    assert "2 500,00 ₽" in plain and "3 000,00 ₽" in plain and "Tax (20 %)" in plain
    assert "[logged late]" in body and "estimate 2 h, actual 1,5 h" in body
    assert "Not billed (estimate awaiting approval):" in body and billed.held_ticket in body
    # amounts end in one column: line rows and totals are right-aligned to the same edge
    money_rows = [line for line in body.splitlines() if line.endswith("₽")]
    assert len(money_rows) == 4 + 3 and len({len(line) for line in money_rows}) == 1
    en = text_format.render("invoice", inv, locale="en")
    assert "RUB 3,000.00" in en and "RUB 1,500.00" in en
    index = text_format.render("invoices", billed.desk.ledger.invoices(), locale="en")
    assert "INV-2026-00001" in index and "RUB 3,000.00" in index
