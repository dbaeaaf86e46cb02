"""``deskframe invoice show NUMBER --format pdf -o FILE``, read back with pypdf."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

import deskframe
from deskframe import Money, PricingModelType
from deskframe.actors import Actor
from deskframe.billing import InvoiceLine, PricingResult
from deskframe.testing import Factory

CUSTOMER = "ООО «Ромашка»"
NOW = dt.datetime(2026, 11, 3, 12, 0, tzinfo=dt.timezone.utc)


class PerMinute:
    """A tiny pricing model: ``rate`` RUB per minute; time on an unapproved estimate is held."""

    currency = "RUB"

    def __init__(self, table: dict[str, Any]):
        self.rate = Decimal(table.get("rate", "1"))

    def price(self, ctx: Any) -> PricingResult:
        lines, held = [], []
        for e in ctx.entries:
            estimate = ctx.estimates.get(e.ticket)
            if estimate is not None and not estimate.approved:
                held.append(e)
                continue
            lines.append(
                InvoiceLine(
                    description=e.note or e.ticket_subject,
                    quantity=Decimal(e.minutes),
                    unit="min",
                    unit_price=Money(self.rate, "RUB"),
                    amount=Money(self.rate * e.minutes, "RUB").rounded(),
                    ticket=e.ticket,
                    agent=e.agent,
                    work_date=e.work_date,
                    entry_ids=(e.id,),
                )
            )
        return PricingResult("RUB", tuple(lines), tuple(held))


class ModelPlugin:
    @deskframe.hookimpl
    def register_pricing_models(self, register: Any) -> None:
        register(PricingModelType("per-minute", PerMinute))


def config(locale: str | None = None) -> str:
    return f"""
[billing]
tax_rate = "20%"
series = "INV"
{f'locale = "{locale}"' if locale else ""}
[billing.vendor]
name = "ИП Иванов"
address = "Москва, ул. Ленина, 1"
tax_id = "7701234567"
[pricing.pm]
model = "per-minute"
rate = "1.5"
"""


def issue(make_desk: Any, locale: str | None = None, *, hold: bool = False) -> tuple[Any, str]:
    desk = make_desk(config(locale), plugins=[ModelPlugin()], clock=lambda: NOW)
    f = Factory(desk)
    f.customer("romashka", name=CUSTOMER)
    f.contract("romashka", key="romashka-2026", pricing="pm", start=dt.date(2026, 1, 1))
    f.agent("alice")
    ticket = desk.tickets.open(
        subject="Не печатает принтер", body="Помогите", customer="romashka", actor=Actor.operator()
    )
    desk.time.log(
        ticket.number,
        actor=Actor.agent("alice"),
        minutes=10,
        date=dt.date(2026, 10, 5),
        note="Настройка принтера в бухгалтерии",
    )
    desk.time.log(
        ticket.number, actor=Actor.agent("alice"), minutes=20, date=dt.date(2026, 10, 6), note="Замена картриджа"
    )
    if hold:
        other = desk.tickets.open(subject="Новый сервер", body="x", customer="romashka", actor=Actor.operator())
        desk.tickets.estimate(other.number, hours=Decimal("8"), actor=Actor.operator())
        desk.time.log(other.number, actor=Actor.agent("alice"), minutes=90, date=dt.date(2026, 10, 7))
    desk.billing.run("2026-10", actor=Actor.operator())
    (invoice,) = desk.billing.issue(period="2026-10", actor=Actor.operator())
    return desk, invoice.number


def pdf_text(path: Path) -> str:
    reader = PdfReader(str(path))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split())  # line breaks in wrapped cells, the locale's no-break spaces: one space


def show(cli: Any, desk: Any, number: str, out: Path) -> Path:
    result = cli(desk)("invoice", "show", number, "--format", "pdf", "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_pdf_has_cyrillic_text_and_the_total(make_desk, cli, tmp_path):
    desk, number = issue(make_desk)
    out = show(cli, desk, number, tmp_path / "out.pdf")
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    text = pdf_text(out)
    assert CUSTOMER in text
    assert "Настройка принтера в бухгалтерии" in text and "ИП Иванов" in text
    assert f"INVOICE {number}" in text
    # 30 min x 1.5 RUB = 45.00; tax 20% = 9.00; total 54.00 ([billing] locale defaults to "en")
    assert "54.00 RUB" in text and "45.00 RUB" in text and "9.00 RUB" in text
    assert "Total 54.00 RUB" in text
    assert PdfReader(str(out)).metadata.title == f"Invoice {number}"


def test_russian_locale_formats_money_the_russian_way(make_desk, cli, tmp_path):
    desk, number = issue(make_desk, "ru")
    text = pdf_text(show(cli, desk, number, tmp_path / "ru.pdf"))
    assert CUSTOMER in text
    assert "54,00 ₽" in text and "20 %" in text


def test_held_entries_are_listed_not_billed(make_desk, cli, tmp_path):
    desk, number = issue(make_desk, hold=True)
    text = pdf_text(show(cli, desk, number, tmp_path / "held.pdf"))
    assert "Not billed on this invoice" in text and "estimate not approved" in text
    assert "54.00 RUB" in text  # the 90 held minutes are not in the total


def test_the_same_invoice_renders_to_the_same_bytes(make_desk, cli, tmp_path):
    desk, number = issue(make_desk)
    first = show(cli, desk, number, tmp_path / "a.pdf").read_bytes()
    second = show(cli, desk, number, tmp_path / "b.pdf").read_bytes()
    assert first == second


def test_a_draft_carries_a_watermark(make_desk, cli, tmp_path):
    desk = make_desk(config(), plugins=[ModelPlugin()], clock=lambda: NOW)
    f = Factory(desk)
    f.customer("romashka", name=CUSTOMER)
    f.contract("romashka", key="romashka-2026", pricing="pm", start=dt.date(2026, 1, 1))
    f.agent("alice")
    ticket = desk.tickets.open(subject="Вопрос", body="x", customer="romashka", actor=Actor.operator())
    desk.time.log(ticket.number, actor=Actor.agent("alice"), minutes=60, date=dt.date(2026, 10, 5))
    desk.billing.run("2026-10", actor=Actor.operator())
    (draft,) = desk.billing.invoices(period="2026-10")
    text = pdf_text(show(cli, desk, f"draft-{draft.id}", tmp_path / "draft.pdf"))
    assert f"INVOICE draft-{draft.id}" in text and "DRAFT" in text and "108.00 RUB" in text


def test_plugins_lists_the_format_and_show_offers_it(desk, cli):
    listed = cli(desk)("plugins")
    assert "pdf  (deskframe-pdf 0.1.0)" in listed.output and "output_formats: pdf" in listed.output
    helptext = cli(desk)("invoice", "show", "--help").output
    assert "pdf" in helptext


def test_only_invoices_are_rendered():
    from deskframe_pdf import render_pdf

    with pytest.raises(deskframe.DomainError):
        render_pdf("invoices", [])


def test_a_long_invoice_runs_over_pages(make_desk, cli, tmp_path):
    desk = make_desk(config("ru"), plugins=[ModelPlugin()], clock=lambda: NOW)
    f = Factory(desk)
    f.customer("romashka", name=CUSTOMER)
    f.contract("romashka", key="romashka-2026", pricing="pm", start=dt.date(2026, 1, 1))
    f.agent("alice")
    ticket = desk.tickets.open(subject="Сопровождение", body="x", customer="romashka", actor=Actor.operator())
    for i in range(70):
        desk.time.log(
            ticket.number,
            actor=Actor.agent("alice"),
            minutes=10,
            date=dt.date(2026, 10, 1 + i % 28),
            note=f"Работа №{i + 1}: проверка резервных копий и обновление антивирусных баз",
        )
    desk.billing.run("2026-10", actor=Actor.operator())
    (invoice,) = desk.billing.issue(period="2026-10", actor=Actor.operator())
    out = show(cli, desk, invoice.number, tmp_path / "long.pdf")
    pages = PdfReader(str(out)).pages
    assert len(pages) >= 2
    last = " ".join(pages[-1].extract_text().split())
    assert f"page {len(pages)} of {len(pages)}" in last
    assert "Работа №70" in pdf_text(out) and "1 260,00 ₽" in last  # 700 min x 1.5 = 1050 + 20 %
