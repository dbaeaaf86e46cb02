"""``GET /invoices/{token}[.csv]``: in-process, and over real HTTP from ``deskframe serve``."""

from __future__ import annotations

import csv
import io
import urllib.parse
from decimal import Decimal

import pytest
from invoicing_helpers import CUSTOMER_NAME, check_html, fetch, serve, spaces
from starlette.testclient import TestClient

from deskframe.actors import Actor
from deskframe.web import create_app

EXPECTED_HEADERS = {
    "x-content-type-options": "nosniff",
    "cache-control": "private, no-store",
    "x-robots-tag": "noindex, nofollow",
}


def _token(link: str) -> str:
    return link.rsplit("/", 1)[1]


def _assert_private(headers) -> None:
    for name, value in EXPECTED_HEADERS.items():
        assert headers[name] == value
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "style-src 'unsafe-inline'" in csp and "script-src" not in csp


def test_route_in_process(billed):
    client = TestClient(create_app(billed.desk))
    token = _token(billed.desk.billing.link(billed.october))
    page = client.get(f"/invoices/{token}")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    _assert_private(page.headers)
    check_html(page.text)
    assert CUSTOMER_NAME in page.text and "3 000,00 ₽" in spaces(page.text)  # [billing] locale = "ru"
    sheet = client.get(f"/invoices/{token}.csv")
    assert sheet.status_code == 200 and sheet.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="INV-2026-00002.csv"' in sheet.headers["content-disposition"]
    _assert_private(sheet.headers)
    rows = list(csv.DictReader(io.StringIO(sheet.content.decode("utf-8"), newline="")))
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal("2500.00")

    wrong = client.get(f"/invoices/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}")
    answers = [wrong] + [
        client.get(f"/invoices/{bad}")
        for bad in ("x", token[:10], token + "..", "%3Cscript%3E", "a" * 300, f"{token[:-1]}.csv", "draft-1", ".csv")
    ]
    for answer in answers:
        assert answer.status_code == 404 and answer.text == "Not Found"
        _assert_private(answer.headers)


def test_draft_has_no_link_and_a_void_invoice_stays_readable(billed):
    desk = billed.desk
    client = TestClient(create_app(desk))
    token = _token(desk.billing.link(billed.september))
    credit = desk.billing.void(billed.september, "wrong rate", actor=Actor.operator())
    voided = client.get(f"/invoices/{token}")
    assert voided.status_code == 200 and ">АННУЛИРОВАН<" in voided.text
    credit_page = client.get(f"/invoices/{_token(desk.billing.link(credit.number))}")
    assert "Кредит-нота к счёту" in credit_page.text and billed.september in credit_page.text
    desk.billing.run("2026-09", actor=Actor.operator())  # the released time is drafted again; a draft has no link
    (draft,) = desk.billing.invoices(status="draft")
    assert draft.number is None


@pytest.mark.slow
def test_invoice_link_over_real_http(billed, tmp_path):
    link = billed.desk.billing.link(billed.october)
    with serve(billed.desk.config.path, tmp_path) as port:
        parts = urllib.parse.urlsplit(link)
        url = parts._replace(netloc=f"127.0.0.1:{port}").geturl()
        status, headers, body = fetch(url)
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        _assert_private(headers)
        page = body.decode("utf-8")
        check_html(page)
        assert "<script" not in page and CUSTOMER_NAME in page and "3 000,00 ₽" in spaces(page)
        status, headers, body = fetch(url + ".csv")
        assert status == 200 and body.startswith(b"invoice_number,")
        status, headers, body = fetch(url[:-4] + "zzzz")
        assert status == 404 and body == b"Not Found"
        _assert_private(headers)
        status, _, malformed = fetch(parts._replace(netloc=f"127.0.0.1:{port}", path="/invoices/%2e%2e").geturl())
        assert status == 404 and malformed == b"Not Found"
