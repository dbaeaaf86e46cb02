"""``deskframe invoice show|list --format html|csv|text`` through the CLI."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from invoicing_helpers import CUSTOMER_NAME, check_html


def test_invoice_show_and_list_in_each_format(billed, cli, tmp_path):
    run = cli(billed.desk)
    html_file = tmp_path / "invoice.html"
    result = run("invoice", "show", billed.october, "--format", "html", "-o", str(html_file))
    assert result.exit_code == 0, result.output
    page = html_file.read_text(encoding="utf-8")
    check_html(page)
    assert CUSTOMER_NAME in page and "<script" not in page
    # the CLI passes [billing] locale ("ru" here) to formats that declare the option
    assert "3 000,00 ₽" in page.replace("\xa0", " ").replace("\u202f", " ")

    csv_file = tmp_path / "invoice.csv"
    result = run("invoice", "show", billed.october, "--format", "csv", "-o", str(csv_file))
    assert result.exit_code == 0, result.output
    raw = csv_file.read_bytes()
    assert raw.count(b"\r\n") == 5 and b"\r\r\n" not in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal("2500.00")

    result = run("invoice", "show", billed.october, "--format", "text")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Счёт на оплату № INV-2026-00002 от 3 ноября 2026")
    assert "3 000,00 ₽" in result.output.replace("\xa0", " ").replace("\u202f", " ")

    result = run("invoice", "list", "--format", "csv")
    assert result.exit_code == 0, result.output
    listed = list(csv.DictReader(io.StringIO(result.output)))
    assert {r["invoice_number"] for r in listed} == {billed.september, billed.october}
    index = tmp_path / "index.html"
    assert run("invoice", "list", "--format", "html", "-o", str(index)).exit_code == 0
    assert billed.september in index.read_text(encoding="utf-8")
