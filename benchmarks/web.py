#!/usr/bin/env python3
"""Server-side time of the agent pages on a 100,000-ticket SQLite desk (issue 14, Speed).

    .venv/bin/python benchmarks/web.py [--tickets 100000] [--articles-per-ticket 2] [--repeat 200] [--dir PATH]

Builds the deterministic data set of ``benchmarks/tickets.py`` (its Core path: tickets,
articles, history, the FTS index) in a real desk's database, gives a third of the open
tickets a running SLA clock (due times from three days overdue to a week ahead), and opens
one ticket with 20 articles through the services. It then logs an agent in through
``POST /login`` and drives the real app of :func:`deskframe.web.create_app` in process,
timing each request inside an ASGI middleware (from the request's start to the response's
last byte: the server side only, no client or network). It prints p50/p95 of:

* ``GET /tickets`` (default filters: open tickets, overdue first, 50 rows) and
  ``GET /tickets/rows`` (the htmx refresh);
* ``GET /tickets/{number}`` (the ticket with 20 articles);
* beside them the JSON of the same data: ``GET /api/v1/tickets?state=open&limit=50`` and
  ``GET /api/v1/tickets/{number}`` when the API is mounted, and in any case a bare route that
  returns ``desk.worklist.rows(...)`` / ``desk.tickets.get(...)`` as JSON (the floor of a page);
* the sidebar's queue counts alone (``desk.worklist.queue_counts``) as JSON.

Each line gives the wall-clock time and the process's CPU time of the request.

The target: p95 under 50 ms for both pages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


class Timer:
    """ASGI middleware: the server-side duration of each request, by path, in wall-clock time
    and in CPU time of the process (every thread: the event loop's and the thread pool's; the
    client's thread waits meanwhile). On a shared machine the wall-clock time grows with the
    load; the CPU time much less."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.samples: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}
        self.key: str | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        start, cpu = time.perf_counter(), time.process_time()
        await self.app(scope, receive, send)
        if scope["type"] == "http" and self.key:
            self.samples.setdefault(self.key, []).append((time.perf_counter() - start) * 1000)
            self.cpu.setdefault(self.key, []).append((time.process_time() - cpu) * 1000)


def p50_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def stats(samples: list[float], cpu: list[float]) -> str:
    wall, used = p50_p95(samples), p50_p95(cpu)
    return (
        f"p50 {wall[0]:7.2f} ms   p95 {wall[1]:7.2f} ms   cpu p50 {used[0]:6.2f} ms   p95 {used[1]:6.2f} ms"
        f"   ({len(samples)} requests)"
    )


def add_clocks(desk: Any, share: int = 3) -> int:
    """Running first-response clocks for every ``share``-th open ticket, due from 3 days ago to a week ahead."""
    from sqlalchemy import insert, select

    from deskframe.store.rows import SlaClockRow, TicketRow

    now = dt.datetime.now(dt.timezone.utc)
    db = desk.store.db
    with db.engine.begin() as conn:
        ids = [
            row.id
            for row in conn.execute(
                select(TicketRow.id).where(TicketRow.state_type.in_(("new", "open", "pending"))).order_by(TicketRow.id)
            )
        ][::share]
        rows = []
        for i, ticket_id in enumerate(ids):
            due = now + dt.timedelta(minutes=(i * 37) % (10 * 24 * 60) - 3 * 24 * 60)
            rows.append(
                dict(
                    ticket_id=ticket_id,
                    kind="first_response",
                    policy="bench",
                    calendar="always",
                    stop_on="reply",
                    pause_on=[],
                    escalate_to=None,
                    status="running",
                    started_at=due - dt.timedelta(hours=4),
                    due_base=due,
                    warn_base=due - dt.timedelta(hours=1),
                    due_at=due,
                    warn_at=due - dt.timedelta(hours=1),
                    paused_seconds=0,
                )
            )
        for start in range(0, len(rows), 5000):
            conn.execute(insert(SlaClockRow.__table__), rows[start : start + 5000])
    return len(ids)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--articles-per-ticket", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()

    from argon2 import PasswordHasher
    from starlette.responses import JSONResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient
    from ticket_plan import Plan
    from tickets import core_load, desk_directory, make_desk

    from deskframe.accounts.service import Accounts
    from deskframe.actors import Actor
    from deskframe.model import Agent
    from deskframe.services.worklist import WorkFilter
    from deskframe.web import create_app

    root = Path(tempfile.mkdtemp(prefix="deskframe-web-bench-", dir=args.dir))
    print(f"desk in {root}; {args.tickets:,} tickets x {args.articles_per_ticket} articles")
    t0 = time.perf_counter()
    plan = Plan(args.tickets, args.articles_per_ticket, args.seed)
    desk, _config = make_desk(root, root / "desk.db")
    desk_directory(desk, plan)
    core_load(desk.store.db, plan, 0, args.tickets, settings=desk.settings, day=desk.local_date())
    clocks = add_clocks(desk)
    op = Actor.operator()
    desk.directory.add_agent(Agent(login="bench", name="Bench", access="admin"), actor=op)
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    Accounts.of(desk, hasher=cheap).set_password("agent", "bench", "bench-password", actor=op)
    customer = plan.customers[0][0]
    number = desk.tickets.open(subject="Twenty articles", body="first", customer=customer, actor=op).number
    for i in range(19):
        desk.tickets.add_article(number, direction="in" if i % 2 else "out", body=f"article {i + 2}", actor=op)
    print(f"built in {time.perf_counter() - t0:.0f}s; {clocks:,} running SLA clocks")

    app = create_app(desk)
    app.state.accounts = Accounts.of(desk, hasher=cheap)

    async def floor_list(request: Any) -> JSONResponse:
        rows = desk.worklist.rows(WorkFilter(limit=50), actor=Actor.agent("bench"))
        return JSONResponse(json.loads(json.dumps(rows, default=str)))

    async def floor_ticket(request: Any) -> JSONResponse:
        ticket = desk.tickets.get(number, actor=Actor.agent("bench"))
        return JSONResponse({"number": ticket.number, "articles": [a.text for a in ticket.articles]})

    async def floor_counts(request: Any) -> JSONResponse:
        return JSONResponse(desk.worklist.queue_counts(actor=Actor.agent("bench")))

    app.router.routes.insert(0, Route("/bench/floor/counts", floor_counts))
    app.router.routes.insert(0, Route("/bench/floor/list", floor_list))
    app.router.routes.insert(0, Route("/bench/floor/ticket", floor_ticket))
    timer = Timer(app)
    web = TestClient(timer, follow_redirects=False)
    login = web.post("/login", data={"login": "bench", "password": "bench-password", "next": "/tickets"})
    assert login.status_code == 303, login.text
    token = Accounts.of(desk, hasher=cheap).create_token("agent", "bench", actor=op)[0]

    cases = [
        ("GET /tickets (default filters, 50 rows)", "/tickets", {}),
        ("GET /tickets/rows (htmx refresh)", "/tickets/rows", {}),
        (f"GET /tickets/{{number}} ({len(desk.tickets.get(number).articles)} articles)", f"/tickets/{number}", {}),
        ("GET /api/v1/tickets?state=open&limit=50", "/api/v1/tickets?state=open&limit=50", {"bearer": True}),
        ("GET /api/v1/tickets/{number}", f"/api/v1/tickets/{number}", {"bearer": True}),
        ("floor: worklist rows as JSON", "/bench/floor/list", {}),
        ("floor: ticket with articles as JSON", "/bench/floor/ticket", {}),
        ("sidebar: queue counts as JSON", "/bench/floor/counts", {}),
    ]
    print()
    for label, path, options in cases:
        headers = {"Authorization": f"Bearer {token}"} if options.get("bearer") else {}
        client = TestClient(timer, follow_redirects=False) if headers else web
        first = client.get(path, headers=headers)
        if first.status_code == 404 and path.startswith("/api/"):
            print(f"{label:55s} not mounted in this build")
            continue
        assert first.status_code == 200, (path, first.status_code)
        timer.key = label
        for _ in range(args.repeat):
            client.get(path, headers=headers)
        timer.key = None
        print(f"{label:55s} {stats(timer.samples[label], timer.cpu[label])}")
    desk.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
