"""Properties (hypothesis): totals are sums of rounded lines, amounts have at most two
decimals and equal an exact rational computation rounded half up; no entry is lost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pricing_helpers import MSK, context, contract, entry, estimate, half_up, office_calendar, total

from deskframe_pricing import hourly, retainer, subscription

pytestmark = pytest.mark.sqlite_pass  # no desk on the test database: the same in both passes

CAL = {"office": office_calendar()}
money = st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2, allow_nan=False, allow_infinity=False)
factors = st.sampled_from(["1", "1.25", "1.5", "2", "3.333"])
days = st.dates(min_value=dt.date(2026, 3, 1), max_value=dt.date(2026, 3, 31))


@st.composite
def entries(draw, min_size=0):
    n = draw(st.integers(min_value=min_size, max_value=12))
    out = []
    for i in range(1, n + 1):
        day = draw(days)
        logged = draw(
            st.one_of(
                st.none(),
                st.integers(min_value=0, max_value=24 * 60 - 1).map(
                    lambda m, day=day: dt.datetime(day.year, day.month, day.day, tzinfo=MSK) + dt.timedelta(minutes=m)
                ),
            )
        )
        out.append(
            entry(
                i,
                draw(st.integers(min_value=0, max_value=600)),
                ticket=draw(st.sampled_from(["T-1", "T-2", "T-3"])),
                role=draw(st.sampled_from(["engineer", "developer", "manager"])),
                work_date=day,
                billable=draw(st.booleans()),
                logged_at=logged,
            )
        )
    return out


def billed(minutes, increment, minimum):
    if minutes == 0:
        return 0
    b = max(minutes, minimum)
    if increment:
        b = ((b + increment - 1) // increment) * increment
    return b


@settings(max_examples=200, deadline=None)
@given(
    entries(),
    money,
    money,
    st.sampled_from([None, 1, 5, 15, 30, 60]),
    st.sampled_from([0, 10, 30]),
    factors,
    factors,
    st.lists(st.tuples(st.sampled_from(["T-1", "T-2", "T-3"]), st.booleans()), max_size=3),
    st.sampled_from(["ticket", "entry"]),
)
def test_hourly_amounts_are_exact_rationals_rounded_half_up(
    es, default, developer, increment, minimum, night, weekend, ests, lines
):
    table = {
        "model": "hourly",
        "currency": "RUB",
        "rates": {"default": str(default), "developer": str(developer)},
        "multipliers": {"out_of_hours": night, "weekend": weekend},
        "calendar": "office",
        "lines": lines,
    }
    if increment:
        table["increment"] = f"{increment}m"
    if minimum:
        table["minimum"] = f"{minimum}m"
    model = hourly.build(table)
    estimates = [estimate(t, "2", approved=a) for t, a in dict(ests).items()]
    result = model.price(context(contract(), es, estimates=estimates, calendars=CAL))

    expected_total = Decimal("0.00")
    for line in result.lines:
        assert line.amount.amount.as_tuple().exponent == -2  # exactly two decimals
        if lines == "entry":
            assert len(line.entry_ids) == 1
        exact, prices = Fraction(0), set()
        for eid in line.entry_ids:  # a line's entries share ticket, agent, rate and multiplier
            e = es[eid - 1]
            rate = Fraction(developer if e.role == "developer" else default)
            factor = Fraction(1)
            if e.work_date.weekday() >= 5:
                factor = max(factor, Fraction(weekend))
            if e.logged_at is not None and not CAL["office"].is_working(e.logged_at):
                factor = max(factor, Fraction(night))
            prices.add((e.ticket, e.agent, rate * factor))
            exact += rate * factor * billed(e.minutes, increment, minimum) / 60
        assert len(prices) == 1 and Fraction(line.unit_price.amount) == prices.pop()[2]
        assert line.amount.amount == half_up(exact)  # rounded once per line
        expected_total += half_up(exact)
    assert total(result).amount == expected_total == sum((line.amount.amount for line in result.lines), Decimal(0))

    # every billable entry is billed or held exactly once; non-billable ones neither
    billed_ids = [i for line in result.lines for i in line.entry_ids]
    held_ids = [e.id for e in result.held]
    assert sorted(billed_ids + held_ids) == sorted(e.id for e in es if e.billable)
    unapproved = {t for t, a in dict(ests).items() if not a}
    assert {e.ticket for e in result.held} <= unapproved


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 100_000),
    st.integers(0, 500),
    money,
    money,
    days,
    st.sampled_from([None, "p10", "p25", "fix"]),
    st.booleans(),
)
def test_subscription_prorated_lines(users, servers, per_user, per_server, start, failover, audit):
    model = subscription.build(
        {
            "model": "subscription",
            "currency": "RUB",
            "per_user": {"8x5": str(per_user)},
            "per_server": {"8x5": str(per_server)},
            "failover": {"p10": "10%", "p25": "25%", "fix": "12345.67"},
            "addons": {"audit": "60000.00"},
        }
    )
    params = {"users": users, "servers": servers, "addons": ["audit"] if audit else []}
    if failover:
        params["failover"] = failover
    result = model.price(context(contract(params, start=start), [entry(1, 30)]))
    share = Fraction((dt.date(2026, 4, 1) - start).days, 31)
    u = half_up(Fraction(per_user) * users * share)
    s = half_up(Fraction(per_server) * servers * share)
    expected = [u, s]
    if failover in ("p10", "p25"):
        f = half_up((Fraction(u) + Fraction(s)) * Fraction(int(failover[1:]), 100))
        if f:
            expected.append(f)
    elif failover == "fix":
        expected.append(half_up(Fraction("12345.67") * share))
    if audit:
        expected.append(half_up(Fraction(60000) * share))
    assert [line.amount.amount for line in result.lines] == expected
    assert all(line.amount.amount.as_tuple().exponent == -2 for line in result.lines)
    assert result.lines[0].entry_ids == (1,)


@settings(max_examples=200, deadline=None)
@given(entries(), money, st.integers(0, 3000), money, st.sampled_from([None, 15]), days)
def test_retainer_fee_plus_overage(es, fee, included, rate, increment, start):
    table = {
        "model": "retainer",
        "currency": "RUB",
        "fee": str(fee),
        "included": f"{included}m",
        "overage_rate": str(rate),
    }
    if increment:
        table["increment"] = f"{increment}m"
    result = retainer.build(table).price(context(contract(start=start), es))
    active = (dt.date(2026, 4, 1) - start).days
    available = -(-included * active // 31)
    used = sum(billed(e.minutes, increment, 0) for e in es if e.billable)
    over = max(0, used - available)
    expected = [half_up(Fraction(fee) * active / 31)]
    if over:
        expected.append(half_up(Fraction(rate) * over / 60))
    assert [line.amount.amount for line in result.lines] == expected
    ids = [i for line in result.lines for i in line.entry_ids]
    assert sorted(ids) == [e.id for e in es]  # every entry linked exactly once
