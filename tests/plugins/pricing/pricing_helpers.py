"""Builders for the pricing plugin tests: contracts, time entries, billing contexts.

The period used throughout is March 2026: 31 days, 2026-03-01 is a Sunday, so
Monday 2026-03-02 .. Friday 2026-03-06 are working days and 2026-03-07/08 a weekend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from deskframe.billing import BillableEntry, BillingContext, Estimate, PricingResult
from deskframe.model import Contract
from deskframe.money import Money
from deskframe.sla import Calendar

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 4, 1))
MSK = ZoneInfo("Europe/Moscow")
TUESDAY = dt.date(2026, 3, 3)
SATURDAY = dt.date(2026, 3, 7)


def contract(
    params: dict[str, Any] | None = None,
    *,
    support_type: str = "8x5",
    key: str = "acme-1",
    pricing: str = "p",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Contract:
    return Contract(
        key=key, customer="acme", support_type=support_type, pricing=pricing, params=params or {}, start=start, end=end
    )


def entry(
    id: int,
    minutes: int,
    *,
    ticket: str = "T-1",
    subject: str = "Printer offline",
    agent: str = "alice",
    role: str = "engineer",
    work_date: dt.date = TUESDAY,
    billable: bool = True,
    note: str = "",
    late: bool = False,
    logged_at: dt.datetime | None = None,
) -> BillableEntry:
    return BillableEntry(
        id=id,
        ticket=ticket,
        ticket_subject=subject,
        agent=agent,
        role=role,
        minutes=minutes,
        work_date=work_date,
        billable=billable,
        note=note,
        late=late,
        logged_at=logged_at,
    )


def estimate(ticket: str, hours: str, approved: bool = True) -> Estimate:
    return Estimate(ticket=ticket, hours=Decimal(hours), approved=approved)


def context(
    c: Contract | None = None,
    entries: Iterable[BillableEntry] = (),
    *,
    estimates: Iterable[Estimate] = (),
    calendars: dict[str, Any] | None = None,
    period: tuple[dt.date, dt.date] = MARCH,
) -> BillingContext:
    return BillingContext(
        contract=c or contract(),
        period=f"{period[0]:%Y-%m}",
        period_start=period[0],
        period_end=period[1],
        entries=tuple(entries),
        estimates={e.ticket: e for e in estimates},
        calendars=calendars or {},
    )


def office_calendar() -> Calendar:
    return Calendar.from_config({"timezone": "Europe/Moscow", "hours": {"mon-fri": "10:00-19:00"}}, "office")


def rub(text: str) -> Money:
    return Money(Decimal(text), "RUB")


def total(result: PricingResult) -> Money:
    """What an invoice's subtotal is: the sum of its rounded lines."""
    out = Money.zero(result.currency)
    for line in result.lines:
        out += line.amount
    return out


def amounts(result: PricingResult) -> list[str]:
    return [str(line.amount.amount) for line in result.lines]


def half_up(value: Fraction) -> Decimal:
    """Exact rational -> kopecks, half up (an oracle independent of Decimal contexts)."""
    cents = value * 100
    floor = cents.numerator // cents.denominator
    if cents - floor >= Fraction(1, 2):
        floor += 1
    return (Decimal(floor) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
