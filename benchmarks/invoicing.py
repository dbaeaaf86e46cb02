"""`invoice run` for a month: 2,000 contracts of all four pricing models, 500,000 time entries.

Prints the wall time of `desk.billing.run(period)` end to end (reading unbilled time,
pricing it through the reference pricing plugin, writing drafts and linking every
billed entry) beside the floor: one SQL GROUP BY summing minutes per contract over
the same table. Peak RSS is measured in a fresh process for the run. It also times two
statements every implementation needs (see ``essential``): their sum is a lower bound
for the run on this schema, printed against the floor.

    .venv/bin/python benchmarks/invoicing.py --contracts 2000 --entries 500000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from deskframe.actors import Actor

CONFIG = """
[desk]
database = "sqlite:///{db}"
[pricing.hourly]
model = "hourly"
currency = "RUB"
rates = {{ default = "1500.00", developer = "2000.00" }}
increment = "15m"
[pricing.subscription]
model = "subscription"
currency = "RUB"
per_user = {{ "8x5" = "40.00", "24x7" = "65.00", premium = "90.00" }}
per_server = {{ "8x5" = "5000.00", "24x7" = "8000.00", premium = "12000.00" }}
failover = {{ none = "0", active-passive = "10%" }}
addons = {{ audit = "60000.00" }}
[pricing.retainer]
model = "retainer"
currency = "RUB"
fee = "300000.00"
included = "40h"
overage_rate = "9000.00"
[pricing.warranty]
model = "warranty"
[billing]
tax_rate = "20%"
"""

MODELS = ("hourly", "subscription", "retainer", "warranty")


def build(root: Path, contracts: int, entries: int, seed: int = 11) -> Path:
    from sqlalchemy import insert, select

    from deskframe import Agent
    from deskframe.config import load_config
    from deskframe.desk import Desk
    from deskframe.plugins import build_plugins
    from deskframe.store.rows import ContractRow, CustomerRow, QueueRow, TicketRow, TimeEntryRow

    config = root / "deskframe.toml"
    config.write_text(CONFIG.format(db=root / "desk.db"), encoding="utf-8")
    plugins = build_plugins()
    desk = Desk(load_config(config, plugins.registry), plugins)
    desk.upgrade()
    rng = random.Random(seed)
    for login, role in (("dev", "developer"), ("eng", "engineer")):
        desk.directory.add_agent(Agent(login, login.title(), role=role), actor=Actor.operator())
    now = dt.datetime(2026, 10, 1, tzinfo=dt.timezone.utc)
    with desk.store.write() as repo:
        s = repo.session
        s.execute(insert(QueueRow), [{"name": "support", "description": ""}])
        s.execute(
            insert(CustomerRow),
            [{"key": f"c{i}", "name": f"Customer {i}", "created_at": now} for i in range(contracts)],
        )
        customer_ids = dict(s.execute(select(CustomerRow.key, CustomerRow.id)).all())
        rows = []
        for i in range(contracts):
            model = MODELS[i % 4]
            params = (
                {
                    "users": rng.randint(10, 3000),
                    "servers": rng.randint(1, 8),
                    "failover": "active-passive",
                    "addons": ["audit"] if i % 8 == 1 else [],
                }
                if model == "subscription"
                else {}
            )
            rows.append(
                {
                    "key": f"k{i}",
                    "customer_id": customer_ids[f"c{i}"],
                    "support_type": rng.choice(("8x5", "24x7", "premium")),
                    "sla": None,
                    "pricing": model,
                    "params": params,
                    "channels": [],
                    "lines": [1, 2, 3],
                    "start_date": dt.date(2026, 10, 17) if i % 50 == 3 else dt.date(2026, 1, 1),
                    "end_date": None,
                }
            )
        s.execute(insert(ContractRow), rows)
        contract_ids = dict(s.execute(select(ContractRow.key, ContractRow.id)).all())
        queue = s.scalar(select(QueueRow.id))
        tickets_per_contract = 10
        s.execute(
            insert(TicketRow),
            [
                {
                    "number": f"2026100110{(i * tickets_per_contract + t):07d}",
                    "subject": f"Task {t} of contract {i}",
                    "state": "open",
                    "state_type": "open",
                    "priority": "P3",
                    "queue_id": queue,
                    "customer_id": customer_ids[f"c{i}"],
                    "contract_id": contract_ids[f"k{i}"],
                    "line": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(contracts)
                for t in range(tickets_per_contract)
            ],
        )
        ticket_ids = list(s.scalars(select(TicketRow.id)))
        agents = [1, 2]  # the two agents added above
        batch = []
        for n in range(entries):
            batch.append(
                {
                    "ticket_id": rng.choice(ticket_ids),
                    "agent_id": agents[n % 2],
                    "minutes": rng.randint(5, 240),
                    "work_date": dt.date(2026, 10, rng.randint(1, 31)),
                    "note": "",
                    "billable": rng.random() > 0.05,
                    "created_at": now,
                    "billed_externally": False,
                }
            )
            if len(batch) == 50_000:
                s.execute(insert(TimeEntryRow), batch)
                batch = []
        if batch:
            s.execute(insert(TimeEntryRow), batch)
    desk.close()
    return config


def floor(db: Path) -> float:
    import sqlite3

    conn = sqlite3.connect(db)
    start = time.perf_counter()
    rows = conn.execute(
        "SELECT t.contract_id, SUM(e.minutes) FROM time_entries e "
        "JOIN tickets t ON t.id = e.ticket_id GROUP BY t.contract_id"
    ).fetchall()
    took = time.perf_counter() - start
    conn.close()
    assert rows
    return took


def _connect(db: Path):  # type: ignore[no-untyped-def]
    """A plain sqlite3 connection with the settings deskframe gives its own during a run."""
    import sqlite3

    conn = sqlite3.connect(db, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "temp_store = MEMORY", "cache_size = -65536"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def essential(db: Path) -> tuple[float, float, int]:
    """Two statements no implementation of the run can skip, timed on the billed database.

    * grouping: the unbilled entries summed at the granularity of the hourly model's lines
      (contract, ticket, agent, billable) in one GROUP BY - the floor's read at line detail;
    * linking: the run's own links written again in one ``INSERT ... SELECT`` in entry
      order, into ``invoice_line_entries`` with its primary key and line index.

    Best of three each; returns (group seconds, link seconds, links). Pricing, invoice
    rows and the per-entry rules (rounding, multipliers, budget) are left out, so the
    sum is a lower bound for the run, not a target.
    """
    conn = _connect(db)
    conn.execute("BEGIN")
    conn.execute("CREATE TEMP TABLE saved AS SELECT entry_id, line_id FROM invoice_line_entries")
    conn.execute("DELETE FROM invoice_line_entries")
    links = conn.execute("SELECT COUNT(*) FROM saved").fetchone()[0]
    group_s = link_s = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        rows = conn.execute(
            "SELECT t.contract_id, e.ticket_id, e.agent_id, e.billable, COUNT(*), SUM(e.minutes) "
            "FROM tickets t JOIN time_entries e ON e.ticket_id = t.id WHERE NOT EXISTS "
            "(SELECT 1 FROM invoice_line_entries l WHERE l.entry_id = e.id) "
            "GROUP BY 1, 2, 3, 4"
        ).fetchall()
        group_s = min(group_s, time.perf_counter() - start)
        assert rows
        conn.execute("SAVEPOINT link")
        start = time.perf_counter()
        conn.execute(
            "INSERT INTO invoice_line_entries (entry_id, line_id) SELECT entry_id, line_id FROM saved ORDER BY entry_id"
        )
        link_s = min(link_s, time.perf_counter() - start)
        conn.execute("ROLLBACK TO link")
    conn.execute("ROLLBACK")
    conn.close()
    return group_s, link_s, links


def run_once(config: str) -> None:
    """Child process: one `invoice run`, then its figures as JSON on stdout."""
    from deskframe.config import load_config
    from deskframe.desk import Desk
    from deskframe.plugins import build_plugins

    plugins = build_plugins()
    desk = Desk(load_config(Path(config), plugins.registry), plugins)
    start = time.perf_counter()
    report = desk.billing.run("2026-10", actor=Actor.operator())
    took = time.perf_counter() - start
    with desk.store.read() as repo:
        from sqlalchemy import func, select

        from deskframe.store.rows import InvoiceLineEntryRow, InvoiceLineRow

        lines = repo.session.scalar(select(func.count(InvoiceLineRow.id)))
        linked = repo.session.scalar(select(func.count(InvoiceLineEntryRow.entry_id)))
    print(
        json.dumps(
            {
                "seconds": took,
                "drafted": len(report.drafted),
                "nothing": len(report.nothing_to_bill),
                "held": report.held_entries,
                "lines": lines,
                "linked": linked,
                "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=500_000)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_once(args.child)
        return
    root = args.dir or Path(tempfile.mkdtemp(prefix="invoicing-"))
    root.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    config = build(root, args.contracts, args.entries)
    print(
        f"setup: {args.contracts:,} contracts ({', '.join(MODELS)}), {args.entries:,} time entries "
        f"in {time.perf_counter() - t0:.1f} s",
        file=sys.stderr,
    )
    floor_s = min(floor(root / "desk.db") for _ in range(3))
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(config)], capture_output=True, text=True, check=True
    )
    result = json.loads(child.stdout.strip().splitlines()[-1])
    group_s, link_s, links = essential(root / "desk.db")
    print(f"invoice run over {args.contracts:,} contracts and {args.entries:,} time entries (SQLite)")
    print(
        f"  deskframe invoice run : {result['seconds']:7.2f} s   drafts {result['drafted']:,}, "
        f"nothing to bill {result['nothing']:,}, lines {result['lines']:,}, entries linked {result['linked']:,}, "
        f"held {result['held']:,}"
    )
    print(f"  floor (GROUP BY sum)  : {floor_s:7.2f} s")
    print(f"  ratio                 : {result['seconds'] / floor_s:7.1f}x   (target: within 3x)")
    print(
        f"  essential statements  : {group_s + link_s:7.2f} s = {(group_s + link_s) / floor_s:.1f}x the floor "
        f"(GROUP BY at line detail {group_s:.2f} s + writing the run's {links:,} links {link_s:.2f} s; "
        "a lower bound: no pricing, no invoice rows)"
    )
    print(f"  peak RSS of the run   : {result['peak_mib']:7.0f} MiB (target: under 300 MB)")


if __name__ == "__main__":
    main()
