"""SLA figures add up: every clock is in exactly one category (docs/sla.md), in ``sla report``,
the demo summary, ``sla check --format json`` and ``ticket list --sla``."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sla_plugin_util import EXAMPLE, msk

from deskframe import demo
from deskframe.actors import Actor
from deskframe.testing import Clock, Factory

CATEGORIES = ("met", "missed", "overdue", "running", "paused", "cancelled")  # docs/sla.md

T0 = msk(2026, 10, 5, 10, 0)  # a Monday; the premium contract's calendar runs 24x7 anyway
LATER = T0 + dt.timedelta(hours=1)


@pytest.fixture
def scene(make_desk: Any, cli: Any) -> Any:
    """Six P1 premium tickets (first response 15 min, resolution 4 h, warning at 80 %), one
    per fate, observed an hour after they were opened:

    ``met``: answered after 10 min; ``missed``: answered after 30 min; ``late``: never answered;
    ``paused``: pending after 5 min; ``paused_late``: pending after 20 min; ``closed``: closed
    after 5 min. ``sla check`` ran after 13 min and after an hour.
    """
    clock = Clock(T0)
    desk = make_desk('timezone = "Europe/Moscow"\n' + EXAMPLE, clock=clock)
    f = Factory(desk)
    for login in ("carol", "dave", "alice"):
        f.agent(login)
    f.customer("bank")
    f.contract("bank", key="bank-premium", support_type="premium", sla="standard")
    fates = ("met", "missed", "late", "paused", "paused_late", "closed")
    t = {
        fate: desk.tickets.open(
            subject=fate, body="down", customer="bank", priority="P1", actor=Actor.operator()
        ).number
        for fate in fates
    }
    steps = [
        (5, lambda: desk.tickets.set_state(t["paused"], "pending", actor=Actor.operator())),
        (5, lambda: desk.tickets.set_state(t["closed"], "closed", actor=Actor.operator())),
        (10, lambda: desk.tickets.reply(t["met"], actor=Actor.agent("alice"), body="on it")),
        (13, lambda: setattr(desk, "first_check", desk.sla.check())),
        (20, lambda: desk.tickets.set_state(t["paused_late"], "pending", actor=Actor.operator())),
        (30, lambda: desk.tickets.reply(t["missed"], actor=Actor.agent("alice"), body="on it")),
        (60, lambda: setattr(desk, "second_check", desk.sla.check())),
    ]
    for minutes, step in steps:
        clock.now = T0 + dt.timedelta(minutes=minutes)
        step()
    desk.t = t
    invoke = cli(desk)
    desk.run = lambda *args, now=LATER: invoke("--now", now.isoformat(), *args)
    return desk


def ok(desk: Any, *args: str, **kwargs: Any) -> str:
    result = desk.run(*args, **kwargs)
    assert result.exit_code == 0, f"{args}: {result.output}"
    return result.stdout


EXPECTED = {
    ("P1", "first_response"): dict(clocks=6, met=1, missed=1, overdue=2, running=0, paused=1, cancelled=1),
    ("P1", "resolution"): dict(clocks=6, met=1, missed=0, overdue=0, running=3, paused=2, cancelled=0),
}


def test_sla_report_categories_add_up_to_the_clocks(scene: Any) -> None:
    rows = json.loads(ok(scene, "sla", "report", "--customer", "bank", "--period", "2026-10", "--format", "json"))
    assert {(r["priority"], r["kind"]): {k: r[k] for k in ("clocks", *CATEGORIES)} for r in rows} == EXPECTED
    for row in rows:
        assert sum(row[c] for c in CATEGORIES) == row["clocks"]
        assert row["breached"] == row["missed"] + row["overdue"]

    table = ok(scene, "sla", "report", "--customer", "bank", "--period", "2026-10").splitlines()
    header = table[0].split()
    assert header[:9] == ["PRIORITY", "KIND", "CLOCKS", "MET", "MISSED", "OVERDUE", "RUNNING", "PAUSED", "CANCELLED"]
    for line in table[1:]:
        cells = line.split()
        assert int(cells[2]) == sum(int(c) for c in cells[3:9])


def test_the_demo_summary_adds_up(scene: Any, tmp_path: Any) -> None:
    scene.clock = lambda: LATER
    sla = demo.summary(scene, tmp_path)["sla"]
    assert sla["total"] == 12 and sum(sla[c] for c in CATEGORIES) == sla["total"]
    assert {c: sla[c] for c in CATEGORIES} == {c: sum(e[c] for e in EXPECTED.values()) for c in CATEGORIES}
    assert sla["breached"] == sla["missed"] + sla["overdue"] == 3


def test_sla_check_lists_the_tickets_it_warned_about_and_breached(scene: Any) -> None:
    t = scene.t
    first, second = scene.first_check, scene.second_check
    assert [(c["ticket"], c["kind"]) for c in first.warned] == sorted(
        (t[f], "first_response") for f in ("missed", "late", "paused_late")
    )
    assert first.breached == [] and second.warned == []
    assert [(c["ticket"], c["kind"], c["due_at"]) for c in second.breached] == [
        (t["late"], "first_response", T0 + dt.timedelta(minutes=15))
    ]

    fresh = scene.tickets.open(
        subject="fresh", body="down", customer="bank", priority="P1", actor=Actor.operator()
    )  # opened at LATER
    out = json.loads(
        ok(scene, "sla", "check", "--now", (LATER + dt.timedelta(minutes=30)).isoformat(), "--format", "json")
    )
    assert (out["warnings"], out["breaches"]) == (0, 1)
    assert out["breached"] == [
        {
            "ticket": fresh.number,
            "kind": "first_response",
            "due_at": (LATER + dt.timedelta(minutes=15)).astimezone(dt.timezone.utc).isoformat(),
        }
    ]
    text = ok(scene, "sla", "check", "--now", (LATER + dt.timedelta(hours=4)).isoformat())
    assert "breached" in text and f"{fresh.number} resolution (due 2026-10-05 15:00)" in text  # in the desk's zone


def test_ticket_list_shows_the_next_due_time_and_filters_by_sla(scene: Any) -> None:
    t = scene.t

    def numbers(*args: str, now: dt.datetime = LATER) -> set[str]:
        return {r["number"] for r in json.loads(ok(scene, "ticket", "list", *args, "--format", "json", now=now))}

    assert numbers("--sla", "breached") == {t["late"], t["paused_late"]}
    assert numbers("--sla", "warning") == set()
    # the running resolution clocks (4 h, warning at 80 %); late's first response is overdue, yet its
    # resolution is in warning too: a ticket is listed under each filter one of its clocks meets
    assert numbers("--sla", "warning", now=T0 + dt.timedelta(hours=3, minutes=30)) == {t["met"], t["missed"], t["late"]}
    rows = {r["number"]: r for r in json.loads(ok(scene, "ticket", "list", "--format", "json"))}
    utc = dt.timezone.utc
    assert rows[t["late"]]["due"] == (T0 + dt.timedelta(minutes=15)).astimezone(utc).isoformat()  # overdue
    assert rows[t["met"]]["due"] == (T0 + dt.timedelta(hours=4)).astimezone(utc).isoformat()
    assert rows[t["paused"]]["due"] is None and rows[t["closed"]]["due"] is None  # no running clock
    table = ok(scene, "ticket", "list", "--sla", "breached")
    assert table.splitlines()[0].split()[:4] == ["NUMBER", "STATE", "PRIORITY", "DUE"]
    assert "2026-10-05 10:15" in table  # Moscow time, as the desk's zone
    bad = scene.run("ticket", "list", "--sla", "late")
    assert bad.exit_code == 2
