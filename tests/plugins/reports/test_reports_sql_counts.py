"""The report's counts summed in SQL (``desk.activity.counts``), its compact reads of the tickets
opened in a period and their clocks (``desk.activity.opened``), each clock's target stored when it
starts (migration 0027), and weeks bucketed in the desk's zone: on SQLite and PostgreSQL alike,
against hand-counted figures and against the per-ticket reads (``desk.activity.tickets``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from reports_helpers import NOW, at, october_outputs, set_clock_column
from sqlalchemy import inspect

from deskframe.actors import Actor
from deskframe.services.activity import CLOCK_CATEGORY
from deskframe_reports import build_report

HOUR_US = 3600 * 1_000_000
OPEN = ("new", "open", "pending")


def _period(month: int) -> tuple[dt.datetime, dt.datetime]:
    end = at(1, 0, month=month + 1) if month < 12 else at(1, 0, month=1).replace(year=2027)
    return at(1, 0, month=month), end


def _by_python(desk, start, end, by):
    """The same counts from the per-ticket read, as the report computed them before."""
    out: dict[tuple, list[int]] = {}
    for t in desk.activity.tickets("acme", start, end):
        key = tuple(getattr(t, name) for name in by)
        row = out.setdefault(key, [0, 0, 0, 0])
        opened = start <= t.created_at < end
        row[0] += opened
        row[1] += t.closed_in(start, end) is not None
        row[2] += t.state_type_at(end) in OPEN
        row[3] += opened and any(c[CLOCK_CATEGORY] in ("missed", "overdue") for c in t.clock_rows)
    return out


def _by_sql(desk, start, end, by):
    out: dict[tuple, list[int]] = {}
    for row in desk.activity.counts("acme", start, end, by=by):
        n = len(by)
        found = out.setdefault(tuple(row[:n]), [0, 0, 0, 0])
        for k, value in enumerate(row[n:]):
            found[k] += value
    return out


def test_counts_by_hand(scenario):
    desk = scenario.desk
    # October: t1-t4 and v1-v3 opened; s1, t1, t2, t4 resolved; t3 and v1-v3 open at the end;
    # breached: t2 (both clocks missed), t3 (resolution overdue), v1-v3 (first response overdue)
    assert desk.activity.counts("acme", *_period(10)) == [(7, 4, 4, 5)]
    rows = {r[0]: r[1:] for r in desk.activity.counts("acme", *_period(10), by=("priority",))}
    assert rows == {"P1": (2, 2, 0, 1), "P3": (5, 2, 4, 4)}
    # September: s1 and s2 opened, s2 resolved, s1 open at the end and its resolution missed
    assert desk.activity.counts("acme", *_period(9)) == [(2, 1, 1, 1)]
    # only some figures, in the order asked
    assert desk.activity.counts("acme", *_period(9), figures=("backlog", "opened")) == [(1, 2)]
    # November: nothing opened or resolved; t3 and v1-v3 still open
    assert desk.activity.counts("acme", *_period(11)) == [(0, 0, 4, 0)]


def test_counts_equal_the_per_ticket_reads(scenario):
    desk = scenario.desk
    # a reopened ticket (resolved, then open again in the same period: resolved in it, and in
    # the backlog at its end) and a ticket resolved and reopened at the same instant (the later
    # change, by id, decides)
    scenario.clock.now = at(20, 12)
    desk.tickets.set_state(scenario.t["t1"], "open", actor=Actor.agent("anna"))
    desk.tickets.set_state(scenario.t["t4"], "open", actor=Actor.agent("anna"))
    scenario.clock.now = at(20, 12)
    desk.tickets.set_state(scenario.t["t4"], "resolved", actor=Actor.agent("anna"))
    scenario.clock.now = NOW
    for month in (9, 10, 11):
        start, end = _period(month)
        for by in ((), ("priority",), ("priority", "channel", "line"), ("queue", "contract")):
            assert _by_sql(desk, start, end, by) == _by_python(desk, start, end, by), (month, by)
    assert desk.activity.counts("acme", *_period(10), figures=("resolved", "backlog")) == [(4, 5)]


def test_opened_reads_what_the_per_ticket_read_gives(scenario):
    desk = scenario.desk
    start, end = _period(10)
    # t1's resolution clock as one stopped before the desk stored working time (migration 0026)
    set_clock_column(scenario, "business_us", None, number=scenario.t["t1"], kind="resolution")
    tickets, clocks = desk.activity.opened("acme", start, end)
    full = [t for t in desk.activity.tickets("acme", start, end) if t.created_at >= start]
    assert [t[1] for t in tickets] == [t.number for t in full]  # oldest first
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    for row, t in zip(tickets, full):
        assert row[2:8] == (t.subject, t.priority, t.channel, t.line, t.queue, t.contract)
        assert epoch + dt.timedelta(microseconds=row[8]) == t.created_at
    ids = {row[0]: row[1] for row in tickets}
    expected = [(t.number, c) for t in full for c in t.clocks]
    assert len(clocks) == len(expected)
    assert Counter(ids[c[0]] for c in clocks) == Counter(number for number, _ in expected)
    got = sorted((ids[c[0]], c[1], c[2], c[3], c[9], c[10], c[11]) for c in clocks)
    assert got == sorted(
        (n, c.kind, c.status, c.category, c.paused_seconds, c.business_us, c.target_us) for n, c in expected
    )
    # what the stored figures make unnecessary is not read
    assert all(c[8] is None for c in clocks)
    assert any(c[10] is None for c in clocks) and any(c[10] is not None for c in clocks)
    full_clocks = {(n, c.kind, c.business_us, c.target_us): c for n, c in expected}
    assert len(full_clocks) == len(expected)
    for c in clocks:
        full_clock = full_clocks[(ids[c[0]], c[1], c[10], c[11])]
        # the stop instant only when the working time is not stored; else 0: stopped
        assert c[6] == (full_clock.stopped_us if c[10] is None or full_clock.stopped_us is None else 0)
        if (ids[c[0]], c[1]) == (scenario.t["t1"], "resolution"):
            assert c[10] is None and c[6] == full_clock.stopped_us > 0
        stored = c[10] is not None and c[11] is not None
        assert (c[4], c[5]) == ((None, None) if stored else (full_clock.calendar, full_clock.started_us))
        assert c[7] == (None if c[11] is not None else full_clock.due_base_us)


def test_a_started_clock_stores_its_target(scenario):
    calendar = scenario.desk.sla.calendar("msk")
    tickets = scenario.desk.activity.tickets("acme", *_period(10))
    seen = 0
    for t in tickets:
        for clock in t.clocks:
            assert clock.target_us == calendar.between(clock.started_at, clock.due_base) // dt.timedelta(microseconds=1)
            seen += 1
    assert seen >= 14
    t1 = next(t for t in tickets if t.number == scenario.t["t1"])
    assert {c.kind: c.target_us for c in t1.clocks} == {"first_response": HOUR_US, "resolution": 8 * HOUR_US}


def test_clocks_started_before_the_target_was_stored_give_the_same_report(scenario):
    _, stored = october_outputs(scenario)
    set_clock_column(scenario, "target_us", None)  # as migration 0027 leaves the clocks started before it
    _, computed = october_outputs(scenario)
    assert computed == stored


def test_the_report_reads_the_stored_target(scenario):
    set_clock_column(scenario, "target_us", 3 * HOUR_US, scenario.t["t2"], "resolution")
    report, _ = october_outputs(scenario)
    rows = {(r["priority"], r["kind"]): r for r in report.sla}
    assert rows[("P1", "resolution")]["target_hours"] == [3.0, 8.0]
    slow = {r["number"]: r for r in report.slowest}
    assert slow[scenario.t["t2"]]["target_hours"] == 3.0


def test_migration_0027_down_and_up_keeps_the_reports(scenario):
    from deskframe.store.migrate import downgrade, upgrade

    db = scenario.desk.store.db
    _, before = october_outputs(scenario)
    downgrade(db, "0026")
    assert "target_us" not in {c["name"] for c in inspect(db.engine).get_columns("sla_clocks")}
    upgrade(db)
    assert "target_us" in {c["name"] for c in inspect(db.engine).get_columns("sla_clocks")}
    # the clocks started before the upgrade have no stored target: the report computes it, the same
    assert all(c.target_us is None for t in scenario.desk.activity.tickets("acme", *_period(10)) for c in t.clocks)
    _, after = october_outputs(scenario)
    assert after == before


def test_weeks_start_on_monday_in_the_desks_zone(scenario):
    # Monday 12 Oct 00:30 in Moscow is Sunday 11 Oct 21:30 UTC: the week of the 12th; Sunday
    # 23:30 Moscow (20:30 UTC) the week of the 5th; Monday 2 Nov 00:30 Moscow (Sunday 1 Nov
    # 21:30 UTC) is November, not a week of October's report
    scenario.open("m1", at(12, 0, 30), "P1", customer="acme")
    scenario.open("m2", at(11, 23, 30), "P1", customer="acme")
    scenario.open("m3", at(2, 0, 30, month=11), "P1", customer="acme")
    scenario.open("m4", at(31, 23, 59), "P1", customer="acme")
    scenario.clock.now = NOW + dt.timedelta(days=30)
    report = build_report(scenario.desk, "acme", "2026-10")[0]
    weeks = {w["week"]: (w["P1"], w["P3"]) for w in report.weekly}
    assert weeks == {
        "2026-09-28": (2, 1),
        "2026-10-05": (1, 1),
        "2026-10-12": (1, 3),
        "2026-10-19": (0, 0),
        "2026-10-26": (1, 0),
    }
    assert report.tickets["opened"] == 10


def test_numbers_are_formatted_as_babel_formats_them():
    from babel.numbers import format_decimal, format_percent

    from deskframe_reports.view import View

    values = [0, 1, 7, 999, 1000, 1234567, -1234.5, 0.125, 2.675, 1 / 3, 12345.678, 10**12 + 0.005]
    for locale in ("en", "ru", "de", "fr_CH", "hi"):
        view = View(locale)
        for value in values:
            for digits in (0, 1, 2):
                pattern = "#,##0" + ("." + "0" * digits if digits else "")
                assert view.number(value, digits) == format_decimal(value, format=pattern, locale=view.locale)
            assert view.pct(value) == format_percent(value / 100, format="#,##0.0%", locale=view.locale)
        assert view.hours(125) == format_decimal(125 / 60, format="#,##0.00", locale=view.locale)
