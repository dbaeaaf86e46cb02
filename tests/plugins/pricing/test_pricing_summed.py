"""The summed path (TimeRules: per-entry rounding in SQL) gives the same invoices as ``price``.

Every reference model prices a contract's time either entry by entry (``price``) or
from sums the store computes in SQL (``time_rules`` + ``price_groups``). The ledger
is run on the same data both ways and every invoice, line, amount, held entry and
entry link must be equal to the kopeck. Runs on SQLite and, with
``DESKFRAME_TEST_DATABASE_URL``, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from deskframe.actors import Actor
from deskframe.services import billing as ledger_module
from deskframe.testing import Factory

CONFIG = """
[billing]
tax_rate = "20%"
[calendars.office]
timezone = "Asia/Vladivostok"
hours = { mon-fri = "10:00-19:00" }
[pricing.studio]
model = "hourly"
currency = "RUB"
rates = { default = "1500.00", developer = "2000.00" }
increment = "15m"
minimum = "20m"
multipliers = { out_of_hours = "1.5", weekend = "2" }
calendar = "office"
[pricing.tie]
model = "hourly"
currency = "RUB"
rates = { default = "1000.00" }
multipliers = { out_of_hours = "2", weekend = "2" }
calendar = "office"
require_estimate = "always"
[pricing.plain]
model = "hourly"
currency = "RUB"
rates = { default = "1001.00" }
require_estimate = false
[pricing.retainer]
model = "retainer"
currency = "RUB"
fee = "100000.00"
included = "3h"
overage_rate = "9000.00"
increment = "10m"
minimum = "15m"
[pricing.platform]
model = "subscription"
currency = "RUB"
per_user = { "8x5" = "40.00" }
[pricing.warranty]
model = "warranty"
"""

UTC = dt.timezone.utc
#: Enough agents that nobody logs more than a day ([time] max_per_day) on the busiest dates.
AGENTS = {
    "alice": "developer",
    "bob": "support",
    "carol": "developer",
    "dave": "support",
    "erin": "developer",
    "frank": "support",
    "grace": "developer",
    "heidi": "support",
}


class Clock:
    def __init__(self):
        self.now = dt.datetime(2026, 9, 28, 2, 0, tzinfo=UTC)

    def __call__(self):
        return self.now


def build(make_desk, idle=0):
    """A desk with a contract per plan and three tickets each; ``idle`` subscriptions without
    tickets come first (the lowest contract ids)."""
    clock = Clock()
    desk = make_desk(CONFIG, clock=clock)
    f = Factory(desk)
    for n in range(idle):
        f.customer(f"idle{n}")
        f.contract(f"idle{n}", key=f"idle{n}-1", pricing="platform", params={"users": 3}, start=dt.date(2026, 1, 1))
    for login, role in AGENTS.items():
        f.agent(login, role=role)
    plans = {
        "studio": {"rates": {"support": "1234.56"}},
        "tie": {},
        "plain": {},
        "retainer": {},
        "platform": {"users": 7},
        "warranty": {},
    }
    tickets = {}
    for plan, params in plans.items():
        f.customer(plan)
        f.contract(plan, key=f"{plan}-1", pricing=plan, params=params, start=dt.date(2026, 1, 1))
        tickets[plan] = [
            desk.tickets.open(subject=f"{plan} task {i}", body="x", customer=plan, actor=Actor.operator()).number
            for i in range(3)
        ]
    desk.tickets.estimate(tickets["studio"][1], hours=Decimal("2"), actor=Actor.operator())  # held: not approved
    desk.tickets.estimate(tickets["tie"][0], hours=Decimal("5"), approve=True, actor=Actor.agent("alice"))
    return desk, clock, tickets


def log_month(desk, clock, tickets, days, seed):
    """Entries over ``days``, logged at instants in and out of the office's hours."""
    import random

    rng = random.Random(seed)
    for numbers in tickets.values():
        for _ in range(40):
            day = rng.choice(days)
            clock.now = dt.datetime.combine(day, dt.time(rng.randrange(24), rng.choice((0, 0, 59))), UTC)
            if rng.random() < 0.1:  # exactly on a frame edge (10:00 / 19:00 Vladivostok = 00:00 / 09:00 UTC)
                clock.now = dt.datetime.combine(day, dt.time(rng.choice((0, 9))), UTC)
            desk.time.log(
                rng.choice(numbers),
                actor=Actor.agent(rng.choice(tuple(AGENTS))),
                minutes=rng.choice((1, 7, 14, 15, 16, 20, 31, 45, 59, 61, 90, 121)),
                date=day,
                note=rng.choice(("", "", "", "call", "fix", "call")),
                billable=rng.random() > 0.15,
            )


def snapshot(desk, period):
    out = {}
    for invoice in desk.billing.invoices(period=period):
        lines = [
            (
                line.kind,
                line.description,
                line.quantity,
                line.unit,
                line.unit_price,
                line.amount,
                line.ticket,
                line.agent,
                line.work_date,
                line.original_date,
                tuple(sorted(line.entry_ids)),
                line.estimate_hours,
                dict(line.details),
            )
            for line in invoice.lines
        ]
        out[invoice.contract] = (
            invoice.status,
            invoice.currency,
            invoice.subtotal,
            invoice.tax,
            invoice.total,
            tuple(tuple(sorted(h.items())) for h in invoice.held),
            lines,
        )
    return out


def run_both(desk, period, monkeypatch):
    summed_report = desk.billing.run(period, actor=Actor.operator())
    summed = snapshot(desk, period)
    with monkeypatch.context() as m:
        m.setattr(ledger_module.Ledger, "_time_rules", lambda self, context: None)
        entry_report = desk.billing.run(period, actor=Actor.operator())  # rebuilds the drafts entry by entry
        by_entry = snapshot(desk, period)
    assert (summed_report.drafted, summed_report.nothing_to_bill, summed_report.held_entries) == (
        entry_report.drafted,
        entry_report.nothing_to_bill,
        entry_report.held_entries,
    )
    return summed, by_entry


def test_summed_and_per_entry_paths_give_identical_invoices(make_desk, monkeypatch):
    desk, clock, tickets = build(make_desk)
    october = [dt.date(2026, 10, d) for d in range(1, 32)]
    log_month(desk, clock, tickets, [dt.date(2026, 9, 29), dt.date(2026, 9, 30)], seed=1)
    september = run_both(desk, "2026-09", monkeypatch)
    assert september[0] == september[1]
    desk.billing.issue(period="2026-09", actor=Actor.operator())
    clock.now = dt.datetime(2026, 10, 1, 3, tzinfo=UTC)
    log_month(desk, clock, tickets, [dt.date(2026, 9, 30)] + october, seed=2)  # some late for September
    summed, by_entry = run_both(desk, "2026-10", monkeypatch)
    assert summed == by_entry
    # the data exercises what it should
    lines = [line for inv in summed.values() for line in inv[6]]
    reasons = {line[12].get("multiplier_reason") for line in lines}
    assert {"weekend", "out_of_hours", None} <= reasons
    assert any(line[9] == dt.date(2026, 9, 30) for line in lines)  # late entries keep their date
    assert any(line[0] == "overage" for line in lines)
    assert summed["studio-1"][5]  # held entries on the unapproved estimate
    assert "warranty-1" not in summed
    # again on the summed path: still identical, nothing billed twice
    desk.billing.run("2026-10", actor=Actor.operator())
    assert snapshot(desk, "2026-10") == by_entry
    linked = [e for inv in summed.values() for line in inv[6] for e in line[10]]
    assert len(linked) == len(set(linked))


def test_a_model_without_time_rules_still_prices_entry_by_entry(make_desk, monkeypatch):
    """Third-party models that only have ``price`` keep working beside summed ones."""
    from deskframe_pricing.hourly import HourlyModel

    desk, clock, tickets = build(make_desk)
    log_month(desk, clock, tickets, [dt.date(2026, 10, d) for d in range(1, 32)], seed=3)
    summed = run_both(desk, "2026-10", monkeypatch)[0]
    monkeypatch.delattr(HourlyModel, "time_rules")
    desk.billing.run("2026-10", actor=Actor.operator())
    assert snapshot(desk, "2026-10") == summed


@pytest.mark.parametrize("lines", ["entry"])
def test_line_per_entry_uses_the_per_entry_path(lines):
    from pricing_helpers import context

    from deskframe_pricing.hourly import build as build_hourly

    model = build_hourly({"model": "hourly", "currency": "RUB", "rates": {"default": "1.00"}, "lines": lines})
    assert model.time_rules(context()) is None


def test_two_runs_at_once_bill_every_entry_exactly_once(make_desk, monkeypatch):
    """Reliability item 17 with two processes' worth of runs racing over the same period.

    Each run is its own Desk (own connections) in its own thread, in batches of two
    contracts so their transactions interleave. Either may be told to run again (an
    entry it priced was linked by the other meanwhile); whatever happens, every
    contract ends with one draft, no entry is linked twice, and the drafts are exactly
    those a run on its own makes.
    """
    import threading

    from deskframe.config import load_config
    from deskframe.desk import Desk
    from deskframe.errors import DomainError

    desk, clock, tickets = build(make_desk, idle=4)  # drafts that link no entry, and so cannot conflict
    log_month(desk, clock, tickets, [dt.date(2026, 10, d) for d in range(1, 32)], seed=4)
    monkeypatch.setattr(ledger_module, "BATCH_CONTRACTS", 2)
    other = Desk(load_config(desk.config.path, desk.plugins.registry), desk.plugins, clock=clock)
    barrier, outcomes = threading.Barrier(2), []

    def run(one):
        barrier.wait()
        try:
            outcomes.append(one.billing.run("2026-10", actor=Actor.operator()).drafted)
        except DomainError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=run, args=(d,)) for d in (desk, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    other.close()
    assert any(isinstance(o, list) for o in outcomes), outcomes
    assert all(isinstance(o, list) or "run again" in o for o in outcomes), outcomes
    raced = snapshot(desk, "2026-10")
    assert len(desk.billing.invoices(period="2026-10")) == len(raced)  # one draft per contract
    linked = [e for inv in raced.values() for line in inv[6] for e in line[10]]
    assert linked and len(linked) == len(set(linked))
    desk.billing.run("2026-10", actor=Actor.operator())  # alone
    assert snapshot(desk, "2026-10") == raced
