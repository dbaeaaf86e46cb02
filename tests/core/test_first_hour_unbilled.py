"""Time no invoice can take is reported by ``invoice run``; ``ticket customer`` gives an
unknown sender's ticket its customer afterwards, and its contract, SLA and time follow."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import deskframe
from deskframe import SlaPolicyType
from deskframe.actors import Actor
from deskframe.sla.policy import ClockSpec
from deskframe.testing import Clock, Factory

MSK = ZoneInfo("Europe/Moscow")
OPENED = dt.datetime(2026, 11, 3, 15, 0, tzinfo=MSK)  # a Tuesday, in working hours


class FirstResponse:
    """One ``first_response`` clock, due ``minutes`` of working time after the opening."""

    def __init__(self, table: dict[str, Any]):
        self.minutes = table["minutes"]

    def calendar_names(self) -> set[str]:
        return {"msk"}

    def start(self, facts: Any, calendars: Any) -> list[ClockSpec]:
        due = calendars["msk"].add(facts.opened_at, dt.timedelta(minutes=self.minutes))
        return [ClockSpec(kind="first_response", calendar="msk", due=due, warn_at=None, stop_on="reply")]

    def restart(self, kind: str, facts: Any, at: Any, calendars: Any) -> None:
        return None


class PolicyPlugin:
    @deskframe.hookimpl
    def register_sla_policies(self, register: Any) -> None:
        register(SlaPolicyType("first-response", FirstResponse))


CONFIG = """
[tickets]
default_sla = "basic"
[calendars.msk]
timezone = "Europe/Moscow"
hours = { mon = "10:00-19:00", tue = "10:00-19:00", wed = "10:00-19:00", thu = "10:00-19:00", fri = "10:00-19:00" }
[sla.basic]
type = "first-response"
minutes = 240
[sla.gold]
type = "first-response"
minutes = 60
[pricing.studio]
model = "hourly"
currency = "RUB"
rates = { default = "1500.00" }
increment = "15m"
"""


@pytest.fixture
def clock() -> Clock:
    return Clock(OPENED)


@pytest.fixture
def studio(make_desk: Any, cli: Any, clock: Clock) -> Any:
    """acme bills hourly (gold SLA); beta has no contract; gamma's contract has no price;
    delta's contract starts in November. Each has a ticket with time in October, and so
    has a ticket from an unknown sender."""
    desk = make_desk(CONFIG, plugins=[PolicyPlugin()], clock=clock)
    f = Factory(desk)
    f.agent("alice")
    for key in ("acme", "beta", "gamma", "delta"):
        f.customer(key)
    f.contract("acme", key="acme-hourly", pricing="studio", sla="gold", start=dt.date(2026, 1, 1))
    f.contract("gamma", key="gamma-free", start=dt.date(2026, 1, 1))
    f.contract("delta", key="delta-new", pricing="studio", start=dt.date(2026, 11, 1))
    desk.tickets_by = {}
    for key, minutes in (("acme", 60), ("beta", 30), ("gamma", 20), ("delta", 15)):
        number = f.ticket(key, subject=f"{key} request").number
        desk.tickets_by[key] = number
        desk.time.log(number, actor=Actor.agent("alice"), minutes=minutes, date=dt.date(2026, 10, 5))
    stranger = desk.tickets.open(
        subject="Who am I", body="?", contact="someone@nowhere.example", actor=Actor.operator()
    ).number
    desk.tickets_by["stranger"] = stranger
    desk.time.log(stranger, actor=Actor.agent("alice"), minutes=45, date=dt.date(2026, 10, 6))
    desk.time.log(
        stranger, actor=Actor.agent("alice"), minutes=10, date=dt.date(2026, 10, 7), billable=False
    )  # never billed
    voided = desk.time.log(stranger, actor=Actor.agent("alice"), minutes=500, date=dt.date(2026, 10, 7))
    desk.time.void(voided.id, actor=Actor.agent("alice"), reason="typo")
    invoke = cli(desk)
    desk.run = lambda *args: invoke("--now", clock.now.isoformat(), *args)
    return desk


def ok(desk: Any, *args: str) -> str:
    result = desk.run(*args)
    assert result.exit_code == 0, f"{args}: {result.output}"
    return result.stdout


def test_invoice_run_says_what_it_could_not_bill_and_why(studio: Any) -> None:
    t = studio.tickets_by
    report = json.loads(ok(studio, "invoice", "run", "--period", "2026-10", "--format", "json"))
    assert report["drafted"] == ["acme-hourly"]
    got = {
        i["ticket"]: (i["customer"], i["contract"], i["minutes"], i["entries"], i["reason"])
        for i in report["not_billed"]
    }
    assert got == {
        t["stranger"]: (None, None, 45, 1, "no_customer"),
        t["beta"]: ("beta", None, 30, 1, "no_contract"),
        t["gamma"]: ("gamma", "gamma-free", 20, 1, "no_pricing"),
        t["delta"]: ("delta", "delta-new", 15, 1, "contract_not_in_period"),
    }
    first = {i["ticket"]: i for i in report["not_billed"]}[t["stranger"]]
    assert (first["first_date"], first["last_date"]) == ("2026-10-06", "2026-10-06")
    assert f"deskframe ticket customer {t['stranger']} --customer ID" in first["why"]

    text = ok(studio, "invoice", "run", "--period", "2026-10")
    assert "not billed: 110 min on 4 tickets" in text
    line = next(x for x in text.splitlines() if t["beta"] in x)
    assert "beta" in line and "30 min" in line and "customer beta had no contract" in line
    assert "contract gamma-free has no pricing model" in text and "contract delta-new does not run in 2026-10" in text


def test_assigning_a_customer_brings_its_contract_sla_and_time(studio: Any, clock: Clock) -> None:
    stranger = studio.tickets_by["stranger"]
    [basic] = studio.sla.clocks(stranger)
    assert basic.kind == "first_response" and basic.due_at == OPENED + dt.timedelta(hours=4)
    clock.now = OPENED + dt.timedelta(minutes=90)
    studio.tickets.reply(
        stranger, actor=Actor.agent("alice"), body="Hello, who are you?"
    )  # in time for basic (4 h), late for gold (1 h)
    clock.now = OPENED + dt.timedelta(hours=2)

    out = ok(studio, "ticket", "customer", stranger, "--customer", "acme", "--agent", "alice")
    assert out.strip() == f"{stranger}: customer acme, contract acme-hourly"
    ticket = studio.tickets.get(stranger)
    assert (ticket.customer, ticket.contract) == ("acme", "acme-hourly")
    changes = [(h.action, h.actor, h.old, h.new) for h in ticket.history[-2:]]
    assert changes == [("customer", "alice", None, "acme"), ("contract", "alice", None, "acme-hourly")]
    old, new = studio.sla.clocks(stranger)
    assert (old.status, old.due_at) == ("cancelled", OPENED + dt.timedelta(hours=4))
    assert (new.status, new.due_at, new.stopped_at) == (
        "missed",
        OPENED + dt.timedelta(hours=1),
        OPENED + dt.timedelta(minutes=90),
    )

    report = json.loads(ok(studio, "invoice", "run", "--period", "2026-10", "--format", "json"))
    assert stranger not in {i["ticket"] for i in report["not_billed"]}
    [draft] = json.loads(ok(studio, "invoice", "list", "--format", "json"))
    assert draft["customer"] == "acme" and draft["total"] == "2625.00"  # 60 + 45 min at 1,500.00 an hour

    assert (
        ok(studio, "ticket", "customer", stranger, "--customer", "acme", "--agent", "alice").strip()
        == f"{stranger}: customer acme, contract acme-hourly"
    )
    assert len(studio.sla.clocks(stranger)) == 2 and len(studio.tickets.get(stranger).history) == len(ticket.history)


def test_a_new_contract_reaches_a_ticket_of_a_customer_that_had_none(studio: Any) -> None:
    beta = studio.tickets_by["beta"]
    studio.directory.add_contract(
        deskframe.Contract(
            key="beta-hourly", customer="beta", support_type="8x5", pricing="studio", start=dt.date(2026, 1, 1)
        ),
        actor=Actor.operator(),
    )
    ok(studio, "ticket", "customer", beta, "--customer", "beta", "--agent", "alice")
    assert studio.tickets.get(beta).contract == "beta-hourly"
    # same policy as before (no contract SLA: the default): the clock is left alone
    assert [c.status for c in studio.sla.clocks(beta)] == ["running"]
    report = json.loads(ok(studio, "invoice", "run", "--period", "2026-10", "--format", "json"))
    assert sorted(report["drafted"]) == ["acme-hourly", "beta-hourly"]


def test_refusals_are_one_line(studio: Any) -> None:
    acme = studio.tickets_by["acme"]
    for args, code, needle in (
        (("ticket", "customer", acme, "--customer", "beta", "--agent", "alice"), 1, "belongs to customer acme"),
        (
            ("ticket", "customer", studio.tickets_by["stranger"], "--customer", "nobody", "--agent", "alice"),
            None,
            "unknown customer 'nobody'",
        ),
        (
            ("ticket", "customer", studio.tickets_by["stranger"], "--customer", "acme", "--agent", "nobody"),
            None,
            "unknown agent 'nobody'",
        ),
    ):
        result = studio.run(*args)
        assert result.exit_code == code if code else result.exit_code in (1, 2), result.output  # unknown ids: 1 or 2
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and needle in lines[0], result.stderr
    assert studio.tickets.get(studio.tickets_by["stranger"]).customer is None
