"""The retainer model, against hand-computed amounts (to the kopeck)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pricing_helpers import amounts, context, contract, entry, rub, total

from deskframe.errors import DomainError
from deskframe_pricing import retainer

GOLD = {"model": "retainer", "currency": "RUB", "fee": "300000.00", "included": "40h", "overage_rate": "9000.00"}


def price(entries, params=None, **config):
    c = contract(params, start=config.pop("start", None))
    return retainer.build({**GOLD, **config}).price(context(c, entries))


def hours_entries(*minutes):
    return [entry(i, m, work_date=dt.date(2026, 3, 2) + dt.timedelta(days=i)) for i, m in enumerate(minutes, 1)]


def test_under_the_included_hours():
    result = price(hours_entries(600, 600, 600))  # 30 h of 40
    assert amounts(result) == ["300000.00"]
    (fee,) = result.lines
    assert fee.kind == "fee" and fee.entry_ids == (1, 2, 3) and fee.quantity == 1
    assert fee.details["used_minutes"] == 1800 and fee.details["unused_minutes"] == 600
    assert result.notes == ("unused hours: 10 (not carried over)",)


def test_exactly_the_included_hours():
    result = price(hours_entries(1200, 1200))
    assert amounts(result) == ["300000.00"] and result.notes == ()


def test_over_the_included_hours():
    # 20 h + 20 h + 2 h 20 min = 42 h 20 min; overage 140 min x 9000.00 / 60 = 21000.00
    result = price(hours_entries(1200, 1200, 140))
    assert amounts(result) == ["300000.00", "21000.00"]
    assert total(result) == rub("321000.00")
    fee, over = result.lines
    assert fee.entry_ids == (1, 2) and over.entry_ids == (3,)
    assert (over.kind, over.unit, over.unit_price) == ("overage", "h", rub("9000.00"))
    assert over.quantity == Decimal("2.333333")  # 140 min shown to 6 decimals; amount from minutes


def test_straddling_entry_goes_on_the_overage_line():
    # 39 h + 2 h: the second entry passes 40 h; overage 1 h = 9000.00
    result = price(hours_entries(39 * 60, 120))
    fee, over = result.lines
    assert fee.entry_ids == (1,) and over.entry_ids == (2,)
    assert over.amount == rub("9000.00") and over.quantity == Decimal(1)


def test_overage_on_per_entry_rounded_minutes():
    # increment 15m: 40 h + 7 min + 1 min -> 40 h + 15 + 15 = 30 min overage = 4500.00
    result = price(hours_entries(2400, 7, 1), increment="15m")
    assert amounts(result) == ["300000.00", "4500.00"]
    # without the increment: 8 min x 9000 / 60 = 1200.00
    assert amounts(price(hours_entries(2400, 7, 1))) == ["300000.00", "1200.00"]


def test_overage_half_kopeck():
    # overage rate 1000.00, 1 min over -> 16.666... -> 16.67
    result = price(hours_entries(2401), overage_rate="1000.00")
    assert amounts(result) == ["300000.00", "16.67"]


def test_non_billable_time_is_covered_and_counts_nothing():
    entries = hours_entries(2400) + [entry(9, 600, billable=False)]
    result = price(entries)
    assert amounts(result) == ["300000.00"] and result.lines[0].entry_ids == (1, 9)


def test_carry_over_uses_and_reports_unused_hours():
    # 40 h + 5 carried = 45 h available; 42 h used: no overage, 3 h carried on
    result = price(hours_entries(1200, 1200, 120), {"carried_hours": "5"}, carry_over=True)
    assert amounts(result) == ["300000.00"]
    assert result.notes[0].startswith('carried_hours = "3"')
    # 30 min used of 40 h 30 min: carries 40 h
    result = price(hours_entries(30), {"carried_hours": "0.5"}, carry_over=True)
    assert result.notes[0].startswith('carried_hours = "40"')
    # over the carried hours too: 46 h used of 45 -> 1 h overage, nothing carried
    result = price(hours_entries(1200, 1200, 360), {"carried_hours": 5}, carry_over=True)
    assert amounts(result) == ["300000.00", "9000.00"]
    assert result.notes[0].startswith('carried_hours = "0"')


def test_carried_hours_round_trip_through_the_note():
    # 40 h - 1 min unused = 39 h 59 min = 39.983333 h; read back as 2399 minutes
    result = price(hours_entries(1), carry_over=True)
    assert result.notes[0].startswith('carried_hours = "39.983333"')
    again = price(hours_entries(2400 + 2399), {"carried_hours": "39.983333"}, carry_over=True)
    assert amounts(again) == ["300000.00"] and again.notes[0].startswith('carried_hours = "0"')


def test_carried_hours_need_carry_over():
    with pytest.raises(DomainError, match=r"params\.carried_hours: .*carry_over"):
        price([], {"carried_hours": "5"})
    with pytest.raises(DomainError, match=r"params\.carried_hours: must not be a float"):
        price([], {"carried_hours": 5.0}, carry_over=True)


def test_prorated_start_on_the_17th():
    # 15 of 31 days: fee 300000.00 x 15/31 = 145161.290322... -> 145161.29
    # included 2400 min x 15/31 = 1161.29... -> 1162 min (rounded up, customer's favour)
    # 20 h = 1200 min used: 38 min over x 9000.00 / 60 = 5700.00
    result = price(hours_entries(600, 600), start=dt.date(2026, 3, 17))
    assert amounts(result) == ["145161.29", "5700.00"]
    assert result.lines[0].details["included_minutes"] == 1162
    assert total(result) == rub("150861.29")


def test_price_without_time():
    result = price([])
    assert amounts(result) == ["300000.00"] and result.lines[0].entry_ids == ()
