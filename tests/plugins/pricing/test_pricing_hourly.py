"""The hourly model, against hand-computed amounts (to the kopeck)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pricing_helpers import MSK, SATURDAY, context, contract, entry, estimate, office_calendar, rub, total

from deskframe.errors import DomainError
from deskframe_pricing import hourly

BASE = {"model": "hourly", "currency": "RUB", "rates": {"default": "1500.00", "developer": "2000.00"}}


def model(**extra):
    return hourly.build({**BASE, **extra})


def price(m, entries, **kw):
    return m.price(context(kw.pop("c", None), entries, **kw))


# --- rounding of time ----------------------------------------------------------


def test_seven_minutes_round_up_to_fifteen():
    # 7 min -> 15 min = 0.25 h x 1500.00 = 375.00
    result = price(model(increment="15m"), [entry(1, 7)])
    (line,) = result.lines
    assert line.quantity == Decimal("0.25") and line.unit == "h"
    assert line.unit_price == rub("1500.00")
    assert line.amount == rub("375.00")
    assert line.details["minutes"] == 7 and line.details["billed_minutes"] == 15


def test_exact_multiple_is_not_rounded():
    result = price(model(increment="15m", lines="entry"), [entry(1, 45), entry(2, 60), entry(3, 61)])
    # 45 -> 0.75 h = 1125.00; 60 -> 1 h = 1500.00; 61 -> 75 min = 1.25 h = 1875.00
    assert [line.quantity for line in result.lines] == [Decimal("0.75"), Decimal("1"), Decimal("1.25")]
    assert [line.amount for line in result.lines] == [rub("1125.00"), rub("1500.00"), rub("1875.00")]
    assert total(result) == rub("4500.00")


def test_a_line_per_ticket_sums_entries_rounded_each():
    # the same entries on one line: 45 + 60 + 75 billed minutes = 3 h = 4500.00
    result = price(model(increment="15m"), [entry(1, 45), entry(2, 60), entry(3, 61)])
    (line,) = result.lines
    assert line.quantity == Decimal("3") and line.amount == rub("4500.00")
    assert line.entry_ids == (1, 2, 3)
    assert line.details["minutes"] == 166 and line.details["billed_minutes"] == 180
    assert line.details["entries"] == 3


def test_a_line_per_ticket_agent_and_rate():
    entries = [
        entry(1, 10, ticket="T-1", agent="alice"),
        entry(2, 10, ticket="T-1", agent="alice"),
        entry(3, 10, ticket="T-1", agent="bob", role="developer"),
        entry(4, 10, ticket="T-2", agent="alice"),
        entry(5, 10, ticket="T-1", agent="alice", work_date=dt.date(2026, 3, 5)),
    ]
    result = price(model(increment="15m"), entries)
    # T-1 alice: 3 x 15 min = 0.75 h x 1500.00 = 1125.00; T-1 bob: 0.25 h x 2000.00 = 500.00;
    # T-2 alice: 0.25 h x 1500.00 = 375.00
    assert [(line.ticket, line.agent, line.entry_ids, line.amount) for line in result.lines] == [
        ("T-1", "alice", (1, 2, 5), rub("1125.00")),
        ("T-1", "bob", (3,), rub("500.00")),
        ("T-2", "alice", (4,), rub("375.00")),
    ]
    assert result.lines[0].work_date == dt.date(2026, 3, 5)  # the last day worked
    assert (result.lines[0].details["first_date"], result.lines[0].details["last_date"]) == ("2026-03-03", "2026-03-05")


def test_late_entries_keep_a_line_per_original_date():
    entries = [
        entry(1, 30),
        entry(2, 30, late=True, work_date=dt.date(2026, 2, 26)),
        entry(3, 30, late=True, work_date=dt.date(2026, 2, 26)),
        entry(4, 30, late=True, work_date=dt.date(2026, 2, 27)),
    ]
    result = price(model(), entries)
    assert [(line.original_date, line.entry_ids, line.amount) for line in result.lines] == [
        (dt.date(2026, 2, 26), (2, 3), rub("1500.00")),
        (dt.date(2026, 2, 27), (4,), rub("750.00")),
        (None, (1,), rub("750.00")),
    ]


def test_lines_option_is_validated():
    from deskframe.errors import ConfigError

    with pytest.raises(ConfigError, match="lines"):
        model(lines="day")


def test_one_minute_with_a_minimum_of_thirty():
    # 1 min -> minimum 30 min = 0.5 h x 1500.00 = 750.00 (with or without an increment)
    assert price(model(minimum="30m"), [entry(1, 1)]).lines[0].amount == rub("750.00")
    assert price(model(minimum="30m", increment="15m"), [entry(1, 1)]).lines[0].amount == rub("750.00")
    # 40 min is above the minimum: 40 min, rounded up to 45 min = 1125.00
    assert price(model(minimum="30m", increment="15m"), [entry(1, 40)]).lines[0].amount == rub("1125.00")


def test_minimum_first_then_increment():
    # minimum 20 min, increment 15 min: 1 min -> 20 min -> 30 min = 0.5 h = 750.00
    line = price(model(minimum="20m", increment="15m"), [entry(1, 1)]).lines[0]
    assert line.details["billed_minutes"] == 30 and line.amount == rub("750.00")


def test_zero_minutes_bill_nothing_even_with_a_minimum():
    line = price(model(minimum="30m", increment="15m"), [entry(1, 0)]).lines[0]
    assert line.quantity == 0 and line.amount == rub("0.00") and line.entry_ids == (1,)


def test_no_increment_bills_exact_minutes():
    # 20 min = 1/3 h x 1500.00 = 500.00 (quantity shown to 6 decimals)
    line = price(model(), [entry(1, 20)]).lines[0]
    assert line.amount == rub("500.00")
    assert line.quantity == Decimal("0.333333")


# --- half-kopeck edges ----------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "minutes", "expected"),
    [
        ("1000.00", 1, "16.67"),  # 16.6666... -> 16.67
        ("1000.00", 2, "33.33"),  # 33.3333... -> 33.33
        ("999.90", 1, "16.67"),  # exactly 16.665 -> half up 16.67 (half even would give 16.66)
        ("1000.50", 1, "16.68"),  # exactly 16.675 -> 16.68
        ("0.30", 1, "0.01"),  # exactly 0.005 -> 0.01
        ("0.29", 1, "0.00"),  # 0.004833... -> 0.00
        ("1500.00", 1, "25.00"),  # exact
        ("1234.56", 7, "144.03"),  # 8641.92 / 60 = 144.032 -> 144.03
    ],
)
def test_half_kopeck_rounding(rate, minutes, expected):
    m = hourly.build({**BASE, "rates": {"default": rate}})
    line = price(m, [entry(1, minutes)]).lines[0]
    assert line.amount == rub(expected)
    assert line.amount.amount.as_tuple().exponent == -2


def test_each_line_rounded_then_summed():
    # three single minutes at 1000.00/h on a line each: 16.67 x 3 = 50.01 (not 50.00 = 3 min exactly)
    m = hourly.build({**BASE, "rates": {"default": "1000.00"}, "lines": "entry"})
    assert total(price(m, [entry(i, 1) for i in (1, 2, 3)])) == rub("50.01")
    # on one line per ticket the line is rounded once: 3 min at 1000.00/h = 50.00
    m = hourly.build({**BASE, "rates": {"default": "1000.00"}})
    assert total(price(m, [entry(i, 1) for i in (1, 2, 3)])) == rub("50.00")


# --- rate card --------------------------------------------------------------------


def test_rate_by_role_and_default():
    result = price(model(increment="15m"), [entry(1, 60, role="developer"), entry(2, 60, role="manager")])
    assert [(line.unit_price, line.amount) for line in result.lines] == [
        (rub("2000.00"), rub("2000.00")),
        (rub("1500.00"), rub("1500.00")),
    ]
    assert [line.details["rate_key"] for line in result.lines] == ["developer", "default"]


def test_contract_overrides_the_card_key_by_key():
    c = contract({"rates": {"developer": "2100.00"}})
    result = price(model(), [entry(1, 30, role="developer"), entry(2, 30, role="engineer")], c=c)
    # developer: 0.5 h x 2100.00 = 1050.00; engineer falls back to the configured default
    assert [line.amount for line in result.lines] == [rub("1050.00"), rub("750.00")]
    c = contract({"rates": {"default": "1800"}})
    result = price(model(), [entry(1, 60, role="developer"), entry(2, 60, role="engineer")], c=c)
    assert [line.amount for line in result.lines] == [rub("2000.00"), rub("1800.00")]


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"rates": {"developer": 2100.0}}, "params.rates.developer"),
        ({"rates": {"developer": "-5"}}, "params.rates.developer"),
        ({"rates": {"developer": "abc"}}, "params.rates.developer"),
        ({"rates": "2100"}, "params.rates"),
        ({"rate": {"developer": "2100"}}, "params.rate"),
    ],
)
def test_bad_params_name_the_key(params, key):
    with pytest.raises(DomainError, match=rf"contract 'acme-1': {key}\b"):
        price(model(), [entry(1, 30)], c=contract(params))


# --- multipliers --------------------------------------------------------------------


def night_model():
    return model(multipliers={"out_of_hours": "1.5", "weekend": "2"}, calendar="office")


def test_out_of_hours_at_night():
    cal = {"office": office_calendar()}
    night = dt.datetime(2026, 3, 3, 23, 0, tzinfo=MSK)
    day = dt.datetime(2026, 3, 3, 12, 0, tzinfo=MSK)
    result = price(
        night_model(),
        [entry(1, 60, role="developer", logged_at=night), entry(2, 60, role="developer", logged_at=day)],
        calendars=cal,
    )
    # night: 1 h x 2000.00 x 1.5 = 3000.00; day: 2000.00
    assert [line.amount for line in result.lines] == [rub("3000.00"), rub("2000.00")]
    assert result.lines[0].unit_price == rub("3000.00")
    assert result.lines[0].details["multiplier_reason"] == "out_of_hours"
    assert "out of hours x1.5" in result.lines[0].description
    assert "multiplier" not in result.lines[1].details


def test_frame_end_is_out_of_hours_and_start_is_in_hours():
    cal = {"office": office_calendar()}
    at_19 = dt.datetime(2026, 3, 3, 19, 0, tzinfo=MSK)
    at_10 = dt.datetime(2026, 3, 3, 10, 0, tzinfo=MSK)
    result = price(night_model(), [entry(1, 60, logged_at=at_19), entry(2, 60, logged_at=at_10)], calendars=cal)
    assert [line.amount for line in result.lines] == [rub("2250.00"), rub("1500.00")]


def test_weekend_and_the_larger_multiplier_wins():
    cal = {"office": office_calendar()}
    saturday_noon = dt.datetime(2026, 3, 7, 12, 0, tzinfo=MSK)  # outside the mon-fri calendar too
    result = price(
        night_model(),
        [entry(1, 30, work_date=SATURDAY, logged_at=saturday_noon), entry(2, 30, work_date=SATURDAY)],
        calendars=cal,
    )
    # 0.5 h x 1500.00 x 2 = 1500.00 both (weekend 2 beats out-of-hours 1.5; they do not compound),
    # on one line: 1 h x 3000.00
    (line,) = result.lines
    assert line.amount == rub("3000.00") and line.unit_price == rub("3000.00") and line.entry_ids == (1, 2)
    assert line.details["multiplier_reason"] == "weekend"


def test_weekend_multiplier_needs_no_calendar():
    result = price(model(multipliers={"weekend": "2"}), [entry(1, 60, work_date=SATURDAY), entry(2, 60)])
    # lines are sorted by ticket, then work date: Tuesday first
    assert [(line.entry_ids, line.amount) for line in result.lines] == [((2,), rub("1500.00")), ((1,), rub("3000.00"))]


def test_no_logged_at_is_in_hours():
    result = price(night_model(), [entry(1, 60)], calendars={"office": office_calendar()})
    assert result.lines[0].amount == rub("1500.00")


def test_multiplier_with_rounding():
    # 7 min at 1333.33/h x 1.5 at night: 15 min -> 1333.33 x 1.5 / 4 = 499.99875 -> 500.00
    m = hourly.build(
        {
            **BASE,
            "rates": {"default": "1333.33"},
            "increment": "15m",
            "multipliers": {"out_of_hours": "1.5"},
            "calendar": "office",
        }
    )
    night = dt.datetime(2026, 3, 3, 2, 0, tzinfo=MSK)
    line = price(m, [entry(1, 7, logged_at=night)], calendars={"office": office_calendar()}).lines[0]
    assert line.amount == rub("500.00")


def test_missing_calendar_is_a_domain_error():
    with pytest.raises(DomainError, match="calendar 'office'"):
        price(night_model(), [entry(1, 60)])


def test_naive_logged_at_is_refused():
    with pytest.raises(DomainError, match="time entry 1"):
        price(
            night_model(),
            [entry(1, 60, logged_at=dt.datetime(2026, 3, 3, 23))],
            calendars={"office": office_calendar()},
        )


def test_calendar_names():
    assert night_model().calendar_names() == {"office"}
    assert model().calendar_names() == set()


# --- what is billed, what is held -------------------------------------------------


def test_non_billable_entries_are_left_out():
    result = price(model(), [entry(1, 60), entry(2, 60, billable=False)])
    assert [line.entry_ids for line in result.lines] == [(1,)]
    assert result.held == ()


def test_unapproved_estimate_holds_the_time():
    entries = [entry(1, 60, ticket="T-1"), entry(2, 30, ticket="T-2"), entry(3, 15, ticket="T-3")]
    estimates = [estimate("T-1", "4", approved=False), estimate("T-2", "2", approved=True)]
    result = price(model(), entries, estimates=estimates)
    # T-1 held (estimate not approved); T-2 billed with its estimate; T-3 has none: billed by default
    assert [e.id for e in result.held] == [1]
    assert [(line.ticket, line.estimate_hours) for line in result.lines] == [("T-2", Decimal("2")), ("T-3", None)]
    assert any("T-1" in note and "not approved" in note for note in result.notes)


def test_require_estimate_always_holds_unestimated_tickets():
    entries = [entry(1, 60, ticket="T-1"), entry(2, 60, ticket="T-2")]
    result = price(model(require_estimate="always"), entries, estimates=[estimate("T-2", "1")])
    assert [e.id for e in result.held] == [1] and [line.ticket for line in result.lines] == ["T-2"]
    assert "no estimate" in result.notes[0]


def test_require_estimate_false_never_holds():
    result = price(model(require_estimate=False), [entry(1, 60)], estimates=[estimate("T-1", "4", approved=False)])
    assert result.held == () and len(result.lines) == 1


def test_line_fields_for_an_invoice_per_ticket():
    entries = [
        entry(7, 50, ticket="T-9", subject="VPN down", agent="bob", role="developer", note="router reset"),
        entry(8, 20, ticket="T-9", subject="VPN down", late=True, work_date=dt.date(2026, 2, 26)),
    ]
    result = price(model(increment="15m"), entries, estimates=[estimate("T-9", "1.5")])
    late, first = result.lines  # sorted by ticket, then work date
    assert first.description == "VPN down - router reset"
    assert (first.ticket, first.agent, first.work_date, first.original_date) == (
        "T-9",
        "bob",
        dt.date(2026, 3, 3),
        None,
    )
    assert first.entry_ids == (7,) and first.estimate_hours == Decimal("1.5") and first.kind == "time"
    assert first.amount == rub("2000.00")  # 50 -> 60 min at 2000.00
    assert late.original_date == dt.date(2026, 2, 26) and late.work_date == dt.date(2026, 2, 26)
    assert late.amount == rub("750.00")  # 20 -> 30 min at 1500.00
    # estimate vs actual per ticket: 1.5 h estimated, 1.5 h billed
    assert sum(line.quantity for line in result.lines if line.ticket == "T-9") == Decimal("1.5")


def test_price_is_pure():
    m = model(increment="15m")
    ctx = context(contract({"rates": {"developer": "2100.00"}}), [entry(1, 7), entry(2, 61, role="developer")])
    assert m.price(ctx) == m.price(ctx)
    assert ctx.contract.params == {"rates": {"developer": "2100.00"}}


def test_negative_minutes_are_refused():
    with pytest.raises(DomainError, match="time entry 1"):
        price(model(), [entry(1, -5)])


def test_empty_period():
    result = price(model(), [])
    assert result.lines == () and result.held == () and result.currency == "RUB"
