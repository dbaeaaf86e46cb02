"""Report figures against the hand-built October of reports_helpers (counts, percentages,
medians and p90 in business hours across a weekend and a holiday)."""

from __future__ import annotations

import datetime as dt

import pytest
from reports_helpers import CONFIG, MSK, OP, at, build

from deskframe.model import Agent, Contract, Customer
from deskframe.testing import Clock
from deskframe_reports import build_report


@pytest.fixture
def report(scenario):
    return build_report(scenario.desk, "acme", "2026-10")[0]


def test_ticket_counts(report):
    assert report.tickets["opened"] == 7
    assert report.tickets["resolved"] == 4  # s1 (opened in September), t1, t2, t4
    assert report.tickets["backlog"] == 4  # t3 and the three VPN tickets
    assert report.tickets["by_priority"] == {
        "P1": {"opened": 2, "resolved": 2, "backlog": 0},
        "P3": {"opened": 5, "resolved": 2, "backlog": 4},
    }
    assert report.tickets["by_line"] == {"1": {"opened": 7, "resolved": 4, "backlog": 4}}
    assert sum(g["opened"] for g in report.tickets["by_channel"].values()) == 7


def test_sla_per_priority_in_business_hours(report):
    rows = {(r["priority"], r["kind"]): r for r in report.sla}
    # t1 answered after 0.5 h; t2 opened Thu 18:00, Friday a holiday, answered Mon 11:30: 1 h + 1.5 h
    fr1 = rows[("P1", "first_response")]
    assert (fr1["met"], fr1["breached"], fr1["met_pct"], fr1["breached_pct"]) == (1, 1, 50.0, 50.0)
    assert (fr1["median_hours"], fr1["p90_hours"], fr1["target_hours"]) == (1.5, 2.5, [1.0])
    # t1 resolved in 5 h; t2 in 1 h (Thu) + 8 h (Mon 10:00-18:00) = 9 h
    res1 = rows[("P1", "resolution")]
    assert (res1["met"], res1["breached"], res1["median_hours"], res1["p90_hours"]) == (1, 1, 7.0, 9.0)
    assert res1["target_hours"] == [8.0]
    # t3 opened on Saturday, answered Mon 10:30 (0.5 h); t4 opened Tue 20:00, answered Wed 12:00 (2 h);
    # the VPN tickets are unanswered and overdue
    fr3 = rows[("P3", "first_response")]
    assert (fr3["met"], fr3["breached"], fr3["open"], fr3["met_pct"]) == (2, 3, 0, 40.0)
    assert (fr3["median_hours"], fr3["p90_hours"], fr3["target_hours"]) == (1.25, 2.0, [4.0])
    res3 = rows[("P3", "resolution")]
    assert (res3["met"], res3["breached"], res3["breached_pct"], res3["median_hours"]) == (1, 4, 80.0, 8.0)


def test_breaches_outside_hours_and_slowest(report):
    assert report.breaches["tickets"] == 5 and report.breaches["share"] == 71.4  # t2, t3, v1-v3 of 7
    assert report.outside_hours == {"tickets": 2, "considered": 7, "share": 28.6}  # t3 (Saturday), t4 (20:00)
    slow = report.slowest
    assert len(slow) == 5
    assert slow[-1]["hours"] == 9.0 and slow[-1]["breached"] and not slow[-1]["open"]  # t2
    assert [s["open"] for s in slow[:4]] == [True] * 4
    assert slow[0]["hours"] > slow[1]["hours"] > slow[2]["hours"] > slow[3]["hours"]


def test_hours_against_included(report):
    hours = report.hours
    assert (hours["billable"], hours["non_billable"], hours["included"], hours["used_pct"]) == (210, 30, 600, 35.0)
    assert [(a["agent"], a["billable"], a["non_billable"]) for a in hours["by_agent"]] == [
        ("anna", 120, 30),
        ("boris", 90, 0),
    ]
    assert sorted((t["billable"], t["non_billable"]) for t in hours["by_ticket"]) == [(0, 30), (90, 0), (120, 0)]
    assert [(u["period"], u["used_pct"]) for u in report.retainer_usage] == [
        ("2026-08", 0.0),
        ("2026-09", 10.0),
        ("2026-10", 35.0),
    ]


def test_categories_and_weeks(report):
    assert [c["tickets"] for c in report.categories] == [7]
    weeks = {w["week"]: (w["P1"], w["P3"]) for w in report.weekly}
    assert weeks == {
        "2026-09-28": (2, 1),
        "2026-10-05": (0, 1),
        "2026-10-12": (0, 3),
        "2026-10-19": (0, 0),
        "2026-10-26": (0, 0),
    }


def test_previous_period_comparison(report):
    rows = {r["figure"]: r for r in report.comparison}
    # September: s1 and s2 opened, s2 resolved, s1 open at the end (and resolved 16 days late)
    assert (rows["opened"]["current"], rows["opened"]["previous"], rows["opened"]["arrow"]) == (7, 2, "up")
    assert rows["opened"]["change_pct"] == 250.0
    assert (rows["resolved"]["previous"], rows["backlog"]["previous"]) == (1, 1)
    assert (rows["breached_share"]["current"], rows["breached_share"]["previous"]) == (71.4, 50.0)
    assert (rows["billable_hours"]["current"], rows["billable_hours"]["previous"]) == (3.5, 1.0)


def test_september_alone(scenario):
    report = build_report(scenario.desk, "acme", "2026-09")[0]
    assert (report.tickets["opened"], report.tickets["resolved"], report.tickets["backlog"]) == (2, 1, 1)
    rows = {r["figure"]: r for r in report.comparison}
    assert rows["opened"]["previous"] == 0 and rows["opened"]["change_pct"] is None  # nothing in August


def test_quarter_covers_its_months(scenario):
    report = build_report(scenario.desk, "acme", "2026-Q4")[0]
    assert report.tickets["opened"] == 7 and report.period["previous"] == "2026-Q3"
    assert report.hours["billable"] == 210


def test_contract_filter(make_desk):
    s = build(make_desk)
    s.desk.directory.add_contract(Contract(key="acme-other", customer="acme", support_type="8x5", sla="std"), actor=OP)
    report = build_report(s.desk, "acme", "2026-10", contract="acme-8x5")[0]
    assert report.tickets["opened"] == 7 and [c["key"] for c in report.contracts] == ["acme-8x5"]
    other = build_report(s.desk, "acme", "2026-10", contract="acme-other")[0]
    assert other.tickets["opened"] == 0 and other.hours["billable"] == 0


def test_night_duty_for_24x7(make_desk):
    clock = Clock(at(1, 9))
    desk = make_desk(CONFIG, clock=clock)
    desk.directory.add_customer(Customer(key="night", name="Night Co"), actor=OP)
    desk.directory.add_agent(Agent(login="boris", name="Boris", email="boris@vendor.example"), actor=OP)
    desk.directory.add_contract(
        Contract(key="n-24", customer="night", support_type="24x7", sla="std", start=dt.date(2026, 1, 1)), actor=OP
    )
    numbers = []
    for when in (at(6, 23), at(7, 11), at(10, 12)):  # Tue 23:00 (night), Wed 11:00 (day), Saturday noon
        clock.now = when
        numbers.append(desk.tickets.open(subject="Down", body="x", customer="night", priority="P1", actor=OP).number)
    clock.now = at(5, 12, month=11)
    report = build_report(desk, "night", "2026-10")[0]
    assert report.night_duty["applies"] is True
    assert [t["number"] for t in report.night_duty["tickets"]] == [numbers[0], numbers[2]]
    assert report.outside_hours["tickets"] == 0  # the 24x7 contract's own calendar is always open
    assert report.night_duty["tickets"][0]["opened_at"] == at(6, 23).astimezone(dt.timezone.utc).isoformat()


def test_no_night_duty_for_8x5(report):
    assert report.night_duty == {"applies": False, "count": 0, "tickets": []}


def test_empty_period(scenario):
    report = build_report(scenario.desk, "acme", "2026-03")[0]
    assert (report.tickets["opened"], report.sla, report.slowest) == (0, [], [])
    assert [r["rule"] for r in report.recommendations] == ["smaller-retainer"]  # 0 of 10 h, three months running
    assert report.breaches["share"] is None


def test_msk_is_the_zone_of_the_period(scenario):
    assert MSK.utcoffset(None) == dt.timedelta(hours=3)
    report = build_report(scenario.desk, "acme", "2026-10")[0]
    assert report.period["first"] == "2026-10-01" and report.period["last"] == "2026-10-31"


def test_outside_hours_at_the_edges_of_the_working_frames(make_desk):
    """A frame is ``[start, end)``: a ticket opened at 10:00:00 is inside, one a microsecond before
    it or at 19:00:00 is outside, one at 18:59:59.999999 inside; the holiday (Friday 2 October) is
    outside all day."""
    clock = Clock(at(1, 9))
    desk = make_desk(CONFIG, clock=clock)
    desk.directory.add_customer(Customer(key="edge", name="Edge"), actor=OP)
    desk.directory.add_contract(
        Contract(key="e-8x5", customer="edge", support_type="8x5", sla="std", start=dt.date(2026, 1, 1)), actor=OP
    )
    tick = dt.timedelta(microseconds=1)
    for when in (at(5, 10), at(5, 10) - tick, at(5, 19) - tick, at(5, 19), at(2, 12)):
        clock.now = when
        desk.tickets.open(subject="Edge", body="x", customer="edge", priority="P3", actor=OP)
    clock.now = at(5, 12, month=11)
    report = build_report(desk, "edge", "2026-10")[0]
    assert report.outside_hours == {"tickets": 3, "considered": 5, "share": 60.0}
