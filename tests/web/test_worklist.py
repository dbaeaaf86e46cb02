"""The work list's order (``desk.worklist``): overdue first, then next due, then tickets without a
running clock by their last change - the same order a brute-force sort of every ticket gives,
also when tickets have several running clocks (the grouped fallback of the first step)."""

from __future__ import annotations

import datetime as dt

import pytest

from deskframe.actors import Actor
from deskframe.model import Agent, Customer, Queue
from deskframe.services.worklist import WorkFilter
from deskframe.store import worklist_repo
from deskframe.testing import Clock

T0 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.timezone.utc)
CONFIG = """
[tickets]
default_sla = "std"
[sla.std]
type = "targets"
calendar = "always"
[sla.std.targets.P1]
first_response = "1h"
resolution = "3h"
[sla.std.targets.P2]
first_response = "2h"
resolution = "90m"
"""


@pytest.fixture(scope="module")
def site(module_desk):
    clock = Clock(T0)
    desk = module_desk(CONFIG, clock=clock)
    op = Actor.operator()
    for name in ("support", "billing"):
        desk.directory.add_queue(Queue(name=name), actor=op)
    desk.directory.add_customer(Customer(key="acme", name="ACME"), actor=op)
    desk.directory.add_agent(Agent(login="alice", name="Alice", access="admin"), actor=op)
    for i in range(18):
        clock.now = T0 + dt.timedelta(minutes=7 * i)
        desk.tickets.open(
            subject=f"Ticket {i}",
            body="text",
            customer="acme",
            priority=("P1", "P2", "P4")[i % 3],
            queue=("support", "billing")[i % 2],
            actor=op,
        )
    clock.now = T0 + dt.timedelta(hours=2)
    return desk


def brute_force(site, queue=None):
    now = site.clock()
    rows = []
    for row in site.tickets.list(limit=None, open_only=True, queue=queue):
        dues = [c.due_at for c in site.sla.clocks(row["number"]) if c.status == "running"]
        rows.append((row["number"], min(dues) if dues else None, row["updated_at"]))
    with_due = sorted((r for r in rows if r[1]), key=lambda r: r[1])
    without = sorted((r for r in rows if not r[1]), key=lambda r: (r[2], r[0]), reverse=True)
    assert now
    return [r[0] for r in with_due + without]


@pytest.mark.parametrize("per_ticket", [1, 4])
@pytest.mark.parametrize("limit", [3, 7, 50])
@pytest.mark.parametrize("queue", [None, "billing"])
def test_due_order_is_the_brute_force_order(site, monkeypatch, per_ticket, limit, queue):
    monkeypatch.setattr(worklist_repo, "CLOCKS_PER_TICKET", per_ticket)
    rows = site.worklist.rows(WorkFilter(limit=limit, queue=queue), actor=Actor.agent("alice"))
    assert [r["number"] for r in rows] == brute_force(site, queue)[:limit]
    statuses = {r["due_status"] for r in rows}
    assert statuses <= {"breached", "warning", "running", None}


def test_overdue_rows_are_breached_and_count_down_negative(site):
    rows = site.worklist.rows(WorkFilter(limit=50), actor=Actor.agent("alice"))
    first = rows[0]
    assert first["due_status"] == "breached" and first["due_seconds"] < 0
    assert rows[-1]["due"] is None and rows[-1]["due_status"] is None


def test_queue_counts_count_open_tickets_per_queue(site):
    assert site.worklist.queue_counts(actor=Actor.agent("alice")) == [("billing", 9), ("support", 9)]
