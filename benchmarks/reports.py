"""`report customer` for one customer's month: 10,000 tickets, 50,000 time entries.

Builds one customer (an 8x5 contract on a Moscow 10:00-19:00 calendar with P1-P4 targets)
whose October 2026 has ``--tickets`` tickets (each with a first reply, first-response and
resolution clocks, state changes; three in four resolved) and ``--entries`` time entries,
plus a tenth as many in September for the comparison. Rows go in through SQLAlchemy Core,
not through the Desk (this measures the report, not the intake).

Then, in a fresh process, times twice (first: what a fresh ``deskframe report`` pays, imports
and locale data included; warm: the same again in the same process):

* ``floor``: the bare SQL that counts the same figures on sqlite3 (``reports_floor.py``: every
  figure of the report that SQL can count without calendar arithmetic, one statement each;
  the run checks that it gives the report's figures and stops if not);
* ``three-figure floor``: what earlier runs called the floor, three GROUP BYs that count only
  opened and currently-resolved tickets per priority, clocks per priority, kind and status,
  and minutes per agent and billable (a quarter of the figures, so a stricter ratio);
* ``figures``: ``deskframe_reports.build_report`` (the reads, business-hour times of every
  clock, rules);
* ``html``: rendering the html page with its three pygal charts;

and prints the ratios report/floor and the process's peak RSS.

    .venv/bin/python benchmarks/reports.py [--tickets 10000] [--entries 50000] [--seed 5] [--repeat 5]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import reports_floor

CONFIG = """
[desk]
database = "sqlite:///{db}"
timezone = "Europe/Moscow"
[tickets]
default_sla = "std"
[calendars.msk]
timezone = "Europe/Moscow"
hours = {{ mon = "10:00-19:00", tue = "10:00-19:00", wed = "10:00-19:00", thu = "10:00-19:00", fri = "10:00-19:00" }}
holidays = {{ country = "RU" }}
[sla.std]
type = "targets"
calendar = "msk"
[sla.std.targets]
P1 = {{ first_response = "1h", resolution = "8h" }}
P2 = {{ first_response = "1h", resolution = "16h" }}
P3 = {{ first_response = "4h", resolution = "40h" }}
P4 = {{ first_response = "8h" }}
"""
UTC = dt.timezone.utc
TARGETS = {"P1": (1, 8), "P2": (1, 16), "P3": (4, 40), "P4": (8, None)}


def build(root: Path, tickets: int, entries: int, seed: int) -> Path:
    from sqlalchemy import insert, select

    from deskframe import Actor, Agent, Contract, Customer
    from deskframe.config import load_config
    from deskframe.desk import Desk
    from deskframe.plugins import build_plugins
    from deskframe.store.rows import ArticleRow, ContractRow, HistoryRow, QueueRow, SlaClockRow, TicketRow, TimeEntryRow

    config = root / "deskframe.toml"
    config.write_text(CONFIG.format(db=root / "desk.db"), encoding="utf-8")
    plugins = build_plugins()
    desk = Desk(load_config(config, plugins.registry), plugins)
    desk.upgrade()
    calendar = desk.config.calendar_objects["msk"]
    rng = random.Random(seed)
    op = Actor.operator()
    desk.directory.add_customer(Customer("big", "Big Customer"), actor=op)
    desk.directory.add_contract(Contract("big-8x5", "big", "8x5", sla="std", params={"included_hours": 900}), actor=op)
    logins = [f"agent{i}" for i in range(12)]
    for login in logins:
        desk.directory.add_agent(Agent(login, login.title()), actor=op)
    with desk.store.write() as repo:
        s = repo.session
        s.execute(insert(QueueRow), [{"name": q, "description": ""} for q in ("support", "network", "billing")])
        queues = list(s.scalars(select(QueueRow.id)))
        customer_id = repo.customer_row("big").id
        contract_id = s.scalar(select(ContractRow.id).where(ContractRow.key == "big-8x5"))
        agent_ids = [repo.agent_row(login).id for login in logins]
        ticket_rows, months = [], []
        for n in range(tickets + tickets // 10):
            month = 10 if n < tickets else 9
            opened = dt.datetime(2026, month, 1, tzinfo=UTC) + dt.timedelta(seconds=rng.randrange(30 * 86400))
            ticket_rows.append(
                {
                    "number": f"2026{month:02d}0110{n:07d}",
                    "subject": rng.choice(("VPN timeout", "Printer jam", "Login fails", "Invoice question")) + f" {n}",
                    "state": "open",
                    "state_type": "open",
                    "priority": rng.choice(("P1", "P2", "P3", "P3", "P4")),
                    "queue_id": rng.choice(queues),
                    "customer_id": customer_id,
                    "contract_id": contract_id,
                    "line": rng.choice((1, 1, 2, 3)),
                    "channel": rng.choice(("email", "phone", "chat")),
                    "created_at": opened,
                    "updated_at": opened,
                }
            )
            months.append(month)
        resolved = [rng.random() < 0.75 for _ in ticket_rows]
        for row, done in zip(ticket_rows, resolved):
            if done:
                row["state"] = row["state_type"] = "resolved"
                row["updated_at"] = row["created_at"] + dt.timedelta(hours=rng.randint(1, 200))
        s.execute(insert(TicketRow), ticket_rows)
        ids = list(s.scalars(select(TicketRow.id).order_by(TicketRow.id)))
        history, articles, clocks = [], [], []
        for tid, row, done in zip(ids, ticket_rows, resolved):
            opened = row["created_at"]
            reply = opened + dt.timedelta(minutes=rng.randint(5, 600))
            articles.append(
                {
                    "ticket_id": tid,
                    "direction": "out",
                    "subject": "Re",
                    "text": "ok",
                    "recipients": [],
                    "references": [],
                    "visible": True,
                    "created_at": reply,
                }
            )
            first, resolution = TARGETS[row["priority"]]
            specs = [("first_response", first, reply)]
            if resolution:
                specs.append(("resolution", resolution, row["updated_at"] if done else None))
            for kind, hours, stop in specs:
                due = calendar.add(opened, dt.timedelta(hours=hours))
                status = "running" if stop is None else ("met" if stop <= due else "missed")
                # what the SLA service stores when it stops a clock (migration 0026)
                business = None if stop is None else calendar.between(opened, stop) // dt.timedelta(microseconds=1)
                # and what it stores when it starts one (migration 0027)
                target = calendar.between(opened, due) // dt.timedelta(microseconds=1)
                clocks.append(
                    {
                        "ticket_id": tid,
                        "kind": kind,
                        "policy": "std",
                        "calendar": "msk",
                        "stop_on": "reply",
                        "pause_on": ["pending"],
                        "status": status,
                        "started_at": opened,
                        "due_base": due,
                        "due_at": due,
                        "paused_seconds": 0,
                        "stopped_at": stop,
                        "business_us": business,
                        "target_us": target,
                    }
                )
            if done:
                history.append(
                    {
                        "ticket_id": tid,
                        "at": row["updated_at"],
                        "actor": "agent0",
                        "action": "state",
                        "old": "open",
                        "new": "resolved",
                    }
                )
        s.execute(insert(ArticleRow), articles)
        s.execute(insert(HistoryRow), history)
        s.execute(insert(SlaClockRow), clocks)
        october = [tid for tid, m in zip(ids, months) if m == 10]
        september = [tid for tid, m in zip(ids, months) if m == 9]
        batch = []
        for n in range(entries + entries // 10):
            month = 10 if n < entries else 9
            batch.append(
                {
                    "ticket_id": rng.choice(october if month == 10 else september),
                    "agent_id": rng.choice(agent_ids),
                    "minutes": rng.randint(5, 240),
                    "work_date": dt.date(2026, month, rng.randint(1, 30)),
                    "note": "",
                    "billable": rng.random() > 0.1,
                    "created_at": dt.datetime(2026, month, 1, tzinfo=UTC),
                    "billed_externally": False,
                }
            )
        s.execute(insert(TimeEntryRow), batch)
    desk.close()
    return config


#: What earlier runs called the floor: three of the report's figures only (see the docstring).
THREE_FIGURES = (
    (
        "SELECT priority, COUNT(*), SUM(state_type = 'resolved') FROM tickets "
        "WHERE customer_id = 1 AND created_at >= ? AND created_at < ? GROUP BY priority"
    ),
    (
        "SELECT t.priority, c.kind, c.status, COUNT(*) FROM sla_clocks c JOIN tickets t ON t.id = c.ticket_id "
        "WHERE t.customer_id = 1 AND t.created_at >= ? AND t.created_at < ? GROUP BY 1, 2, 3"
    ),
    (
        "SELECT e.agent_id, e.billable, SUM(e.minutes) FROM time_entries e JOIN tickets t ON t.id = e.ticket_id "
        "WHERE t.customer_id = 1 AND e.work_date >= ? AND e.work_date < ? AND e.voided_at IS NULL GROUP BY 1, 2"
    ),
)


def measure(config: Path, repeat: int) -> dict[str, Any]:
    """Time the floors, the report's figures and its html: once cold, then ``repeat`` times warm in
    the same process. The first pass pays what a fresh ``deskframe report`` process pays once
    (importing the report's modules, jinja2, pygal and Babel, Babel's locale data, the calendar's
    holiday tables, SQLite's page cache); the warm passes are the same work again, as in a
    worker or server process. Each pass runs the floors and the report back to back, so they
    share the machine's load; the first pass checks that the floor counts the report's figures."""
    from deskframe.config import load_config
    from deskframe.desk import Desk
    from deskframe.plugins import build_plugins

    db = config.parent / "desk.db"
    passes: list[dict[str, float]] = []
    plugins = build_plugins()
    desk = Desk(load_config(config, plugins.registry), plugins, clock=lambda: dt.datetime(2026, 11, 5, tzinfo=UTC))
    for n in range(1 + repeat):
        timings: dict[str, float] = {}
        with _timed(timings, "floor"):
            floor_rows = reports_floor.run(db)
        with _timed(timings, "three"):
            _three_figures(db)
        with _timed(timings, "figures"):
            from deskframe_reports import build_report, render_report

            report, _locale = build_report(desk, "big", "2026-10")
        with _timed(timings, "html"):
            html = render_report(desk, report, "html", "ru")
        assert report.tickets["opened"] > 0 and "<svg" in html
        if n == 0:
            problems = reports_floor.check(floor_rows, report.as_dict())
            if problems:
                raise SystemExit("the floor does not count the report's figures:\n" + "\n".join(problems))
        passes.append(timings)
    return {"passes": passes, "opened": report.tickets["opened"], "peak_rss_mb": _peak_rss_mb()}


@contextlib.contextmanager
def _timed(into: dict[str, float], name: str) -> Iterator[None]:
    """Wall and CPU seconds of the block, as ``into[name + "_s"]`` and ``into[name + "_cpu_s"]``."""
    start, cpu = time.perf_counter(), time.process_time()
    yield
    into[name + "_s"] = time.perf_counter() - start
    into[name + "_cpu_s"] = time.process_time() - cpu


def _three_figures(db: Path) -> None:
    """Run :data:`THREE_FIGURES` on a new sqlite3 connection."""
    conn = sqlite3.connect(db)
    for query in THREE_FIGURES:
        bounds = ("2026-10-01", "2026-11-01") if "work_date" in query else (reports_floor.START, reports_floor.END)
        assert conn.execute(query, bounds).fetchall()
    conn.close()


def _peak_rss_mb() -> float:
    """This process's peak RSS. ``ru_maxrss`` keeps the high-water mark of the process before
    ``execve`` (the forked copy of the parent that built the database), so read ``VmHWM``."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5, help="warm passes; their median is shown (default 5)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the report instead")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure), args.repeat)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        if args.profile:
            import cProfile
            import pstats

            config = build(Path(tmp), args.tickets, args.entries, args.seed)
            run = {"config": config, "measure": measure, "repeat": args.repeat}
            cProfile.runctx("measure(config, repeat)", globals(), run, str(Path(tmp) / "p"))
            pstats.Stats(str(Path(tmp) / "p")).sort_stats("cumulative").print_stats(35)
            return
        started = time.perf_counter()
        config = build(Path(tmp), args.tickets, args.entries, args.seed)
        print(f"built {args.tickets} tickets, {args.entries} entries in {time.perf_counter() - started:.1f} s")
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        command = [sys.executable, __file__, "--measure", str(config), "--repeat", str(args.repeat)]
        out = subprocess.run(command, check=True, capture_output=True, text=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        first, warm = r["passes"][0], r["passes"][1:]
        print("the floor counts the same figures as the report (checked)")
        for run, values in (("first", first), (f"warm (median of {len(warm)})", None)):
            for suffix, title in (("_cpu_s", "CPU"), ("_s", "wall")):

                def ms(name: str, values: dict[str, float] | None = values, suffix: str = suffix) -> float:
                    if values is not None:
                        return values[name + suffix] * 1000
                    return statistics.median(p[name + suffix] for p in warm) * 1000

                floor, three, figures, html = ms("floor"), ms("three"), ms("figures"), ms("html")
                total = figures + html
                head = f"{run}, {title}:"
                print(head)
                print(f"  floor (bare SQL, same figures)   {floor:8.1f} ms")
                print(f"  three-figure floor               {three:8.1f} ms")
                print(f"  report figures                   {figures:8.1f} ms  ({figures / floor:.2f}x floor)")
                print(f"  html with 3 charts               {html:8.1f} ms")
                print(
                    f"  report + html                    {total:8.1f} ms  "
                    f"({total / floor:.2f}x floor, {total / three:.1f}x the three-figure floor)"
                )
        print(f"peak RSS of the report           {r['peak_rss_mb']:8.1f} MB  (opened {r['opened']})")


if __name__ == "__main__":
    main()
