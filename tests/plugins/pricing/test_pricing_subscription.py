"""The subscription model, against hand-computed amounts (to the kopeck)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pricing_helpers import amounts, context, contract, entry, rub, total

from deskframe.errors import DomainError
from deskframe_pricing import subscription

PLATFORM = {
    "model": "subscription",
    "currency": "RUB",
    "per_user": {"8x5": "40.00", "24x7": "65.00", "premium": "90.00"},
    "per_server": {"8x5": "5000.00", "24x7": "8000.00", "premium": "12000.00"},
    "failover": {"none": "0", "active-passive": "10%", "active-active": "25%", "cold": "20000.00"},
    "addons": {"dedicated-engineer": "150000.00", "audit": "60000.00"},
}
PARAMS = {"users": 1200, "servers": 3, "failover": "active-passive", "addons": ["audit"]}


def price(params=PARAMS, entries=(), **kw):
    return subscription.build(PLATFORM).price(context(contract(params, **kw), entries))


def test_full_month_exact():
    result = price()
    # 1200 x 40.00 = 48000.00; 3 x 5000.00 = 15000.00; 10% of 63000.00 = 6300.00; audit 60000.00
    assert amounts(result) == ["48000.00", "15000.00", "6300.00", "60000.00"]
    assert total(result) == rub("129300.00")
    users, servers, failover, audit = result.lines
    assert (users.quantity, users.unit, users.unit_price, users.kind) == (
        Decimal(1200),
        "user",
        rub("40.00"),
        "subscription",
    )
    assert (servers.quantity, servers.unit, servers.unit_price) == (Decimal(3), "server", rub("5000.00"))
    assert failover.kind == "failover" and failover.details["percent"] == "10"
    assert failover.details["base"] == "63000.00"
    assert audit.kind == "addon" and audit.description == "Add-on: audit"
    assert result.held == ()


def test_support_type_selects_the_prices():
    # 24x7: 1200 x 65.00 = 78000.00; 3 x 8000.00 = 24000.00; 25% of 102000.00 = 25500.00
    result = price({"users": 1200, "servers": 3, "failover": "active-active"}, support_type="24x7")
    assert amounts(result) == ["78000.00", "24000.00", "25500.00"]


def test_prorated_start_on_the_17th_of_a_31_day_month():
    # active 17..31 March = 15 of 31 days; each line prorated, then rounded half up:
    #   users   48000.00 x 15/31 = 23225.806451... -> 23225.81
    #   servers 15000.00 x 15/31 =  7258.064516... ->  7258.06
    #   failover 10% of (23225.81 + 7258.06 = 30483.87) = 3048.387 -> 3048.39
    #   audit   60000.00 x 15/31 = 29032.258064... -> 29032.26
    #   total   62564.52 (exact total 129300 x 15/31 = 62564.516... also -> 62564.52)
    result = price(start=dt.date(2026, 3, 17))
    assert amounts(result) == ["23225.81", "7258.06", "3048.39", "29032.26"]
    assert total(result) == rub("62564.52")
    assert result.lines[0].details["prorated"] == "15/31"
    assert result.lines[0].description.endswith(", 15 of 31 days")


def test_prorated_end_inside_the_period():
    # ends 10 March (inclusive): 10 of 31 days
    #   users 48000 x 10/31 = 15483.870967... -> 15483.87; servers 15000 x 10/31 = 4838.709677... -> 4838.71
    #   failover 10% of 20322.58 = 2032.258 -> 2032.26; audit 60000 x 10/31 = 19354.838709... -> 19354.84
    result = price(start=dt.date(2025, 1, 1), end=dt.date(2026, 3, 10))
    assert amounts(result) == ["15483.87", "4838.71", "2032.26", "19354.84"]
    assert total(result) == rub("41709.68")


def test_one_day_rounding_edge():
    # a single day of a 31-day month: 1 user at 40.00 -> 1.290322... -> 1.29
    result = price({"users": 1, "servers": 0}, start=dt.date(2026, 3, 31))
    assert amounts(result) == ["1.29", "0.00"]


def test_fixed_failover_is_prorated_too_and_zero_gives_no_line():
    result = price({"users": 10, "servers": 1, "failover": "cold"}, start=dt.date(2026, 3, 17))
    # users 400 x 15/31 = 193.548... -> 193.55; servers 5000 x 15/31 = 2419.354... -> 2419.35;
    # cold 20000 x 15/31 = 9677.419... -> 9677.42
    assert amounts(result) == ["193.55", "2419.35", "9677.42"]
    result = price({"users": 10, "servers": 1, "failover": "none"})
    assert [line.kind for line in result.lines] == ["subscription", "subscription"]


def test_incidents_never_change_the_price_and_time_is_covered_not_billed():
    quiet = price()
    busy = price(entries=[entry(i, 90, ticket=f"T-{i}", billable=i % 2 == 0) for i in range(1, 51)])
    assert amounts(busy) == amounts(quiet)
    assert busy.lines[0].entry_ids == tuple(range(1, 51))
    assert all(line.entry_ids == () for line in busy.lines[1:])
    assert busy.held == ()


def test_not_active_in_the_period_gives_no_lines():
    result = price(start=dt.date(2026, 4, 1))
    assert result.lines == () and "not active" in result.notes[0]


def test_without_proration_a_partial_month_pays_in_full():
    model = subscription.build({**PLATFORM, "prorate": False})
    result = model.price(context(contract(PARAMS, start=dt.date(2026, 3, 17))))
    assert total(result) == rub("129300.00")


def test_only_per_server():
    model = subscription.build({"model": "subscription", "currency": "RUB", "per_server": {"8x5": "5000"}})
    assert amounts(model.price(context(contract({"servers": 2})))) == ["10000.00"]
    with pytest.raises(DomainError, match=r"params\.users: this pricing model has no per_user"):
        model.price(context(contract({"servers": 2, "users": 5})))


@pytest.mark.parametrize(
    ("params", "pattern"),
    [
        ({**PARAMS, "addons": ["audit", "backup"]}, r"params\.addons\[1\]: unknown add-on 'backup'"),
        ({**PARAMS, "addons": ["audit", "audit"]}, r"params\.addons\[1\]: 'audit' is listed twice"),
        ({**PARAMS, "addons": "audit"}, r"params\.addons: must be an array"),
        ({**PARAMS, "failover": "hot"}, r"params\.failover: unknown failover option 'hot'"),
        ({"servers": 3}, r"params\.users: is required"),
        ({**PARAMS, "users": "1200"}, r"params\.users: must be a whole number"),
        ({**PARAMS, "users": 12.5}, r"params\.users: must be a whole number"),
        ({**PARAMS, "servers": -1}, r"params\.servers: must not be negative"),
        ({**PARAMS, "user": 5}, r"params\.user: unknown parameter"),
    ],
)
def test_bad_params_name_the_key(params, pattern):
    with pytest.raises(DomainError, match=pattern):
        price(params)


def test_unpriced_support_type_is_named():
    with pytest.raises(DomainError, match=r"per_user has no price for support type 'gold'"):
        price(support_type="gold")
