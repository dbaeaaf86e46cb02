"""Issue 17, item 5: tables show every time in the desk's zone; JSON keeps ISO 8601 with the offset;
money in tables carries its currency.

Was: ``invoice list`` ISSUED_AT, ``intake quarantine list`` CREATED_AT and SLA history reasons
(``(due 2026-10-01T16:00:00+00:00)``) in UTC, and the invoice TOTAL without its currency.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

import deskframe
from deskframe import Money, PricingModelType
from deskframe.actors import Actor
from deskframe.billing import InvoiceLine, PricingResult
from deskframe.cli.tickets import local_times
from deskframe.intake.polling import quarantine
from deskframe.testing import Clock, Factory

MOSCOW = 'timezone = "Europe/Moscow"\n'
UTC = dt.timezone.utc


class PerEntry:
    """100 RUB per time entry: enough to draft and issue an invoice."""

    currency = "RUB"

    def __init__(self, table):  # type: ignore[no-untyped-def]
        pass

    def price(self, ctx):  # type: ignore[no-untyped-def]
        price = Money(Decimal(100), "RUB")
        lines = tuple(
            InvoiceLine(
                description=e.ticket_subject,
                quantity=Decimal(1),
                unit="pcs",
                unit_price=price,
                amount=price,
                ticket=e.ticket,
                agent=e.agent,
                work_date=e.work_date,
                entry_ids=(e.id,),
            )
            for e in ctx.entries
        )
        return PricingResult("RUB", lines, ())


class ModelPlugin:
    @deskframe.hookimpl
    def register_pricing_models(self, register):  # type: ignore[no-untyped-def]
        register(PricingModelType("per-entry", PerEntry))


def test_invoice_list_shows_issue_time_in_the_desks_zone_and_money_with_currency(make_desk, cli) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(dt.datetime(2026, 10, 5, 9, 0, tzinfo=UTC))
    desk = make_desk(MOSCOW + '[pricing.pe]\nmodel = "per-entry"\n', plugins=[ModelPlugin()], clock=clock)
    f = Factory(desk)
    f.customer("acme")
    f.contract("acme", key="acme-1", pricing="pe", start=dt.date(2026, 1, 1))
    f.agent("alice")
    t = desk.tickets.open(subject="Fix", body="x", customer="acme", actor=Actor.operator())
    desk.time.log(t.number, actor=Actor.agent("alice"), minutes=30, date=dt.date(2026, 10, 5))
    clock.now = dt.datetime(2026, 11, 2, 21, 30, tzinfo=UTC)  # 3 November, 00:30 in Moscow
    desk.billing.run("2026-10", actor=Actor.operator())
    desk.billing.issue(period="2026-10", actor=Actor.operator())
    run = cli(desk)
    table = run("invoice", "list").output
    row = table.splitlines()[1]
    assert "2026-11-03 00:30" in row and "2026-11-02 21:30" not in row, table
    assert "100.00 RUB" in row, table
    data = json.loads(run("invoice", "list", "--format", "json").output)
    assert data[0]["issued_at"] == "2026-11-02T21:30:00+00:00"  # JSON: ISO 8601 with the offset
    assert data[0]["total"] == "100.00" and data[0]["currency"] == "RUB"


def test_quarantine_list_and_show_in_the_desks_zone(make_desk, cli) -> None:  # type: ignore[no-untyped-def]
    desk = make_desk(MOSCOW, clock=lambda: dt.datetime(2026, 10, 5, 22, 15, tzinfo=UTC))  # 01:15 on the 6th there
    item = quarantine(desk, "mail", "uid-1", b"Subject: x\r\n\r\nbody", "cannot parse")
    run = cli(desk)
    listed = run("intake", "quarantine", "list").output
    assert "2026-10-06 01:15" in listed and "2026-10-05 22:15" not in listed, listed
    shown = run("intake", "quarantine", "show", str(item)).output
    assert "created_at: 2026-10-06 01:15" in shown, shown
    data = json.loads(run("intake", "quarantine", "list", "--format", "json").output)
    assert data[0]["created_at"] == "2026-10-05T22:15:00+00:00"


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("due 2026-10-01T16:00:00+00:00", "Europe/Moscow", "due 2026-10-01 19:00"),
        ("due 2026-10-01T19:00:00+03:00", "Europe/Moscow", "due 2026-10-01 19:00"),
        ("due 2026-10-01T16:00:00.123456Z", "Asia/Tokyo", "due 2026-10-02 01:00"),
        ("escalated on SLA breach", "Europe/Moscow", "escalated on SLA breach"),
        ("release 2026-10-01 planned", "Europe/Moscow", "release 2026-10-01 planned"),  # a date alone stays
    ],
)
def test_history_reason_times_are_shown_local(text: str, zone: str, expected: str) -> None:
    assert local_times(text, ZoneInfo(zone)) == expected
