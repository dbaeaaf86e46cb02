"""Each SLA clock's business time stored when it stops (migration 0026), and the report reading
it; clocks without it (stopped before 0026) computed from the calendar, as before; the time sums
served by the covering index of 0026."""

from __future__ import annotations

import datetime as dt

from reports_helpers import at, october_outputs, set_clock_column
from sqlalchemy import event, inspect

HOUR_US = 3600 * 1_000_000


def _clocks(scenario, name):
    tickets = scenario.desk.activity.tickets("acme", at(1, 0), at(1, 0, month=11))
    return {c.kind: c for c in next(t for t in tickets if t.number == scenario.t[name]).clocks}


def test_a_stopped_clock_stores_its_business_time(scenario):
    t1, t2, t3 = (_clocks(scenario, name) for name in ("t1", "t2", "t3"))
    assert (t1["first_response"].business_us, t1["resolution"].business_us) == (HOUR_US // 2, 5 * HOUR_US)
    # t2: opened Thu 18:00, Friday a holiday, answered Mon 11:30, resolved Mon 18:00
    assert (t2["first_response"].business_us, t2["resolution"].business_us) == (5 * HOUR_US // 2, 9 * HOUR_US)
    calendar = scenario.desk.sla.calendar("msk")
    for clock in (*t1.values(), *t2.values(), t3["first_response"]):
        spent = calendar.between(clock.started_at, clock.stopped_at)
        assert clock.business_us == spent // dt.timedelta(microseconds=1)
    assert t3["resolution"].stopped_at is None and t3["resolution"].business_us is None  # still running


def test_clocks_stopped_before_the_figure_was_stored_give_the_same_report(scenario):
    _, stored = october_outputs(scenario)
    set_clock_column(scenario, "business_us", None)  # as migration 0026 leaves the clocks stopped before it
    _, computed = october_outputs(scenario)
    assert computed == stored


def test_the_report_reads_the_stored_figure(scenario):
    # the figure stored when t1's resolution clock stopped (in the calendar then in force) is
    # what the report shows, not what today's calendar would compute (5 h)
    set_clock_column(scenario, "business_us", 1000 * HOUR_US, scenario.t["t1"], "resolution")
    report, _ = october_outputs(scenario)
    rows = {(r["priority"], r["kind"]): r for r in report.sla}
    assert rows[("P1", "resolution")]["median_hours"] == 504.5  # (1000 + 9) / 2, not (5 + 9) / 2
    assert (report.slowest[0]["number"], report.slowest[0]["hours"]) == (scenario.t["t1"], 1000.0)


def test_time_sums_read_the_covering_index(scenario):
    db = scenario.desk.store.db
    columns = {ix["name"]: ix["column_names"] for ix in inspect(db.engine).get_indexes("time_entries")}
    assert columns["ix_time_entries_ticket_work_date_cover"] == [
        "ticket_id",
        "work_date",
        "agent_id",
        "billable",
        "minutes",
        "voided_at",
    ]
    if db.dialect != "sqlite":
        return
    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "time_entries" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        for by in (("ticket",), ("agent",), ()):
            scenario.desk.activity.time("acme", dt.date(2026, 10, 1), dt.date(2026, 11, 1), by=by)
        scenario.desk.activity.time_per_ticket("acme", dt.date(2026, 10, 1), dt.date(2026, 11, 1))
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert len(seen) == 4
    with db.engine.connect() as conn:
        for statement, parameters in seen:
            plan = " ".join(str(r[3]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
            assert "COVERING INDEX ix_time_entries_ticket_work_date_cover" in plan, plan


def test_migration_0026_down_and_up_keeps_the_reports(scenario):
    from deskframe.store.migrate import downgrade, upgrade

    db = scenario.desk.store.db
    _, before = october_outputs(scenario)
    downgrade(db, "0025")
    names = {ix["name"] for ix in inspect(db.engine).get_indexes("time_entries")}
    assert "ix_time_entries_ticket_work_date" in names and "ix_time_entries_ticket_work_date_cover" not in names
    assert "business_us" not in {c["name"] for c in inspect(db.engine).get_columns("sla_clocks")}
    upgrade(db)
    names = {ix["name"] for ix in inspect(db.engine).get_indexes("time_entries")}
    assert "ix_time_entries_ticket_work_date_cover" in names and "ix_time_entries_ticket_work_date" not in names
    # the clocks stopped before the upgrade have no stored figure: the report computes it, the same
    assert all(c.business_us is None for c in _clocks(scenario, "t1").values())
    _, after = october_outputs(scenario)
    assert after == before
