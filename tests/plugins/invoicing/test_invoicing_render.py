"""html, csv and text of an issued invoice with Cyrillic text, a late entry, an estimate and held time."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from invoicing_helpers import CUSTOMER_NAME, HELD_SUBJECT, MAIL_SUBJECT, XSS_SUBJECT, check_html, spaces

from deskframe_invoicing import csv_format, html_format, text_format


def test_html_invoice_ru(billed):
    inv = billed.desk.billing.invoice(billed.october)
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
    # Russian labels from the catalog, the usual heading
    assert "Счёт на оплату № INV-2026-00002 от 3 ноября 2026 г." in text
    assert "Поставщик (исполнитель)" in page and "Покупатель (заказчик)" in page
    assert "Studio LLC" in page and "Nevsky 1, St Petersburg" in page and "ИНН" in page
    assert CUSTOMER_NAME in page and MAIL_SUBJECT in page
    assert "октябрь 2026" in page and "watermark" not in page.split("<body>")[1]
    shown = re.sub(r"<[^>]+>", " ", page.split("<body>")[1])
    for english in ("Invoice", "Ticket", "Subtotal", "Tax", "Amount", "estimate", "Bill to", "Status"):
        assert english not in shown, english
    # money by locale, VAT, totals, total in words, due date
    assert "1 500,00 ₽" in text and "2 500,00 ₽" in text and "500,00 ₽" in text and "3 000,00 ₽" in text
    assert "НДС 20 %" in text and "В том числе НДС 20 %: 500,00 ₽" in text and "Всего к оплате" in text
    assert "Три тысячи рублей 00 копеек" in page
    assert "Срок оплаты" in page and "13.11.2026" in page and "Оплатить не позднее 13 ноября 2026 г." in text
    # grouped per ticket, late line marked, estimate beside the ticket's hours
    assert page.count('<tbody class="ticket">') == 2
    assert re.search(r'29\.09\.2026 </span>Alice <span class="late">учтено позже</span>', page)
    assert f"Заявка № {billed.mail_ticket}" in page and "оценка 2 ч · затрачено 1,5 ч" in text
    # held time listed, not billed
    held = page.split('<section class="held">')[1]
    assert billed.held_ticket in held and "оценка ждёт согласования" in held and "0,5" in held
    assert HELD_SUBJECT not in page


def test_the_customer_sees_no_internal_words(billed):
    """No status word, no customer id, no agent login: display names only."""
    inv = billed.desk.billing.invoice(billed.october)
    for locale in ("ru", "en"):
        for page in (
            html_format.render("invoice", inv, locale=locale),
            text_format.render("invoice", inv, locale=locale),
        ):
            assert "issued" not in page.lower() and "romashka" not in page.replace("romashka-pm", "")
            assert "alice" not in page and "bob" not in page and "Alice" in page and "Bob" in page
    assert "Specialist" in html_format.render("invoice", inv, locale="en")


def test_html_invoice_en_and_index(billed):
    inv = billed.desk.billing.invoice(billed.october)
    page = html_format.render("invoice", inv, locale="en")
    assert "RUB 1,500.00" in page and "RUB 2,500.00" in page and "RUB 3,000.00" in page and "VAT 20%" in page
    assert "Invoice for payment No. INV-2026-00002 of November 3, 2026" in page
    assert "Three thousand roubles 00 kopeks" in page and "Please pay by November 13, 2026." in page
    assert "1.5 h logged" in page
    index = html_format.render("invoices", billed.desk.billing.invoices(), locale="en")
    check_html(index)
    assert billed.september in index and billed.october in index and "RUB 120.00" in index
    assert "<script" not in index


def test_csv_parses_back_and_sums_to_subtotal(billed):
    inv = billed.desk.billing.invoice(billed.october)
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
    both = list(csv.DictReader(io.StringIO(csv_format.render("invoices", billed.desk.billing.invoices()).decode())))
    assert [r["invoice_number"] for r in both] == ["INV-2026-00001"] + ["INV-2026-00002"] * 4


def test_text_for_email(billed):
    inv = billed.desk.billing.invoice(billed.october)
    body = text_format.render("invoice", inv, locale="ru")
    plain = spaces(body)
    assert plain.startswith("Счёт на оплату № INV-2026-00002 от 3 ноября 2026 г.\n")
    assert CUSTOMER_NAME in body and MAIL_SUBJECT in body
    assert "2 500,00 ₽" in plain and "3 000,00 ₽" in plain and "НДС 20 %" in plain
    assert "[учтено позже]" in body and "оценка 2 ч · затрачено 1,5 ч" in plain
    assert "Три тысячи рублей 00 копеек" in body and "Срок оплаты: 13.11.2026" in plain
    assert "Не выставлено (оценка ждёт согласования):" in body and billed.held_ticket in body
    # amounts end in one column: line rows and totals are right-aligned to the same edge
    money_rows = [line for line in body.splitlines() if line.endswith("₽") and line.startswith(" ")]
    assert len(money_rows) == 4 + 3 and len({len(line) for line in money_rows}) == 1
    en = text_format.render("invoice", inv, locale="en")
    assert "RUB 3,000.00" in en and "RUB 1,500.00" in en and "Three thousand roubles 00 kopeks" in en
    index = text_format.render("invoices", billed.desk.billing.invoices(), locale="en")
    assert "INV-2026-00001" in index and "RUB 3,000.00" in index
