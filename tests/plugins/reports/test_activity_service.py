"""``desk.activity``: the read-only service the report reads through (the scenario of reports_helpers)."""

from __future__ import annotations

import datetime as dt

import pytest
from reports_helpers import at

from deskframe.actors import Actor
from deskframe.errors import NotFound
from deskframe.services.activity import ActivityService


def test_desk_builds_the_activity_service(scenario):
    assert isinstance(scenario.desk.activity, ActivityService)


def test_tickets_of_october(scenario):
    tickets = scenario.desk.activity.tickets("acme", at(1, 0), at(1, 0, month=11))
    numbers = {name: scenario.t[name] for name in ("s1", "t1", "t2", "t3", "t4", "v1", "v2", "v3")}
    assert [t.created_at for t in tickets] == sorted(t.created_at for t in tickets)  # oldest first
    assert {t.number for t in tickets} == set(numbers.values())  # s2 closed in September: not in October
    t1 = next(t for t in tickets if t.number == scenario.t["t1"])
    assert t1.first_reply_at == at(1, 10, 30) and t1.closed_in(at(1, 0), at(1, 0, month=11)) == at(1, 15)
    assert {c.kind for c in t1.clocks} == {"first_response", "resolution"}
    assert all(c.category == "met" for c in t1.clocks)


def test_time_summed_per_ticket_agent_and_billable(scenario):
    totals = scenario.desk.activity.time("acme", dt.date(2026, 10, 1), dt.date(2026, 11, 1))
    got = sorted((t.ticket, t.agent, t.billable, t.minutes) for t in totals)
    t = scenario.t
    assert got == sorted([(t["t1"], "anna", True, 120), (t["t2"], "anna", False, 30), (t["t4"], "boris", True, 90)])


def test_unknown_customer_or_contract_is_refused(scenario):
    with pytest.raises(NotFound):
        scenario.desk.activity.tickets("nobody", at(1, 0), at(1, 0, month=11))
    with pytest.raises(NotFound):
        scenario.desk.activity.time("acme", dt.date(2026, 10, 1), dt.date(2026, 11, 1), contract="nope")


def test_time_summed_in_sql_over_the_dimensions_left_out(scenario):
    t, oct1, nov1 = scenario.t, dt.date(2026, 10, 1), dt.date(2026, 11, 1)
    by_ticket = scenario.desk.activity.time("acme", oct1, nov1, by=("ticket",))
    assert sorted((x.ticket, x.agent, x.billable, x.minutes) for x in by_ticket) == sorted(
        [(t["t1"], "", True, 120), (t["t2"], "", False, 30), (t["t4"], "", True, 90)]
    )
    assert all(x.subject for x in by_ticket)
    by_agent = scenario.desk.activity.time("acme", oct1, nov1, by=("agent",))
    assert sorted((x.ticket, x.subject, x.agent, x.billable, x.minutes) for x in by_agent) == [
        ("", "", "anna", False, 30),
        ("", "", "anna", True, 120),
        ("", "", "boris", True, 90),
    ]
    totals = scenario.desk.activity.time("acme", oct1, nov1, by=())
    assert sorted((x.billable, x.minutes) for x in totals) == [(False, 30), (True, 210)]
    with pytest.raises(ValueError):
        scenario.desk.activity.time("acme", oct1, nov1, by=("queue",))


def test_first_replies_are_read_only_when_asked(scenario):
    start, end = at(1, 0), at(1, 0, month=11)
    full = scenario.desk.activity.tickets("acme", start, end)
    lean = scenario.desk.activity.tickets("acme", start, end, first_replies=False)
    assert any(t.first_reply_at is not None for t in full)
    assert all(t.first_reply_at is None for t in lean)
    assert [t._replace(first_reply_at=None) for t in full] == lean


def test_clock_rows_are_the_clocks_fields_in_order(scenario):
    from deskframe.services.activity import CLOCK_CATEGORY, CLOCK_KIND, ClockRecord

    tickets = scenario.desk.activity.tickets("acme", at(1, 0), at(1, 0, month=11))
    t1 = next(t for t in tickets if t.number == scenario.t["t1"])
    assert [type(r) for r in t1.clock_rows] == [tuple, tuple]  # plain tuples: the GC stops tracking them
    assert all(isinstance(c, ClockRecord) and tuple(c) == r for c, r in zip(t1.clocks, t1.clock_rows))
    assert [(r[CLOCK_KIND], r[CLOCK_CATEGORY]) for r in t1.clock_rows] == [(c.kind, c.category) for c in t1.clocks]


def test_sqlite_epoch_microseconds_are_exact_with_unixepoch_and_strftime():
    import sqlite3

    from deskframe.store.report_repo import sqlite_epoch_us

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (at TEXT)")
    values = [
        "1970-01-01 00:00:00.000000",
        "2026-10-31 21:00:00.000001",
        "2024-02-29 23:59:59.999999",
        "1999-12-31 12:34:56.500000",
    ]
    conn.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    expected = [
        (dt.datetime.fromisoformat(v) - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1) for v in values
    ]
    versions = [(3, 37, 2), None] + ([(3, 38, 0)] if sqlite3.sqlite_version_info >= (3, 38) else [])
    for version in versions:
        sql = sqlite_epoch_us("at", version)
        assert ("unixepoch" in sql) == (version is not None and version >= (3, 38))
        assert [r[0] for r in conn.execute(f"SELECT {sql} FROM t ORDER BY rowid")] == expected


def test_clock_instants_keep_fractions_of_a_second_near_the_next_second(scenario):
    from sqlalchemy import update

    from deskframe.store.rows import SlaClockRow

    late = dt.datetime(2026, 10, 1, 12, 0, 59, 999700, tzinfo=dt.timezone.utc)  # SQLite's functions round to ms
    with scenario.desk.store.write() as repo:
        ticket = repo.ticket_row(scenario.t["t1"])
        repo.session.execute(
            update(SlaClockRow)
            .where(SlaClockRow.ticket_id == ticket.id, SlaClockRow.kind == "resolution")
            .values(stopped_at=late)
        )
    tickets = scenario.desk.activity.tickets("acme", at(1, 0), at(1, 0, month=11))
    t1 = next(t for t in tickets if t.number == scenario.t["t1"])
    assert next(c for c in t1.clocks if c.kind == "resolution").stopped_at == late


def test_time_per_ticket_is_the_per_ticket_sums_side_by_side(scenario):
    t, oct1, nov1 = scenario.t, dt.date(2026, 10, 1), dt.date(2026, 11, 1)
    rows = scenario.desk.activity.time_per_ticket("acme", oct1, nov1)
    assert [type(r) for r in rows] == [tuple] * 3  # plain tuples, by number
    assert [(r[0], r[2], r[3]) for r in rows] == sorted([(t["t1"], 120, 0), (t["t2"], 0, 30), (t["t4"], 90, 0)])
    expected = {}
    for x in scenario.desk.activity.time("acme", oct1, nov1, by=("ticket",)):
        sums = expected.setdefault(x.ticket, [x.subject, 0, 0])
        sums[1 if x.billable else 2] += x.minutes
    assert {r[0]: list(r[1:]) for r in rows} == expected
    assert scenario.desk.activity.time_per_ticket("acme", dt.date(2026, 8, 1), dt.date(2026, 9, 1)) == []
    with pytest.raises(NotFound):
        scenario.desk.activity.time_per_ticket("acme", oct1, nov1, contract="nope")


def test_time_per_ticket_sums_mixed_voided_and_by_contract(scenario):
    """The grouped join of tickets and entries (grouped by the ticket's id alone): a ticket with
    billable and non-billable entries sums each side, a voided entry counts nowhere, a contract
    keeps its tickets; the same on SQLite and PostgreSQL."""
    t, oct1, nov1 = scenario.t, dt.date(2026, 10, 1), dt.date(2026, 11, 1)
    scenario.log("t1", "boris", 45, dt.date(2026, 10, 20), billable=False)
    scenario.log("t1", "anna", 15, dt.date(2026, 10, 21))
    scenario.log("t4", "boris", 50, dt.date(2026, 10, 22))
    entry = scenario.desk.time.log(t["t4"], actor=Actor.agent("boris"), minutes=200, date=dt.date(2026, 10, 23))
    scenario.desk.time.void(entry.id, actor=Actor.agent("boris"), reason="typo")
    rows = scenario.desk.activity.time_per_ticket("acme", oct1, nov1)
    assert [(r[0], r[2], r[3]) for r in rows] == sorted([(t["t1"], 135, 45), (t["t2"], 0, 30), (t["t4"], 140, 0)])
    assert scenario.desk.activity.time_per_ticket("acme", oct1, nov1, contract="acme-8x5") == rows
