"""`sla check` over many running clocks: time and peak memory.

Builds a SQLite desk with N tickets (bulk import) and one first-response clock
each (inserted directly: this measures the check, not clock creation), with due
times spread so that a share is past due, a share past the warning point and
the rest running, then times `desk.sla.check(now)` twice: the first run claims
every warning and breach exactly once, the second finds nothing new.

    .venv/bin/python benchmarks/sla_check.py --clocks 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

from deskframe.actors import Actor
from deskframe.config import load_config
from deskframe.desk import Desk
from deskframe.importing import ImportedTicket
from deskframe.plugins import build_plugins
from deskframe.store.rows import SlaClockRow, TicketRow

UTC = dt.timezone.utc


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clocks", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="sla-check-"))
    root.mkdir(parents=True, exist_ok=True)
    config = root / "deskframe.toml"
    config.write_text(f'[desk]\ndatabase = "sqlite:///{root / "desk.db"}"\n', encoding="utf-8")
    plugins = build_plugins()
    desk = Desk(load_config(config, plugins.registry), plugins)
    desk.upgrade()
    now = dt.datetime(2026, 10, 15, 12, 0, tzinfo=UTC)
    rng = random.Random(7)

    t0 = time.perf_counter()
    batch = []
    for i in range(args.clocks):
        batch.append(
            ImportedTicket(
                external_id=str(i),
                number=f"20261015{10}{i:07d}",
                subject=f"t{i}",
                state="open",
                priority="P2",
                queue="support",
                created_at=now,
                updated_at=now,
            )
        )
        if len(batch) == 5000:
            desk.tickets.import_tickets(batch, namespace="bench", actor=Actor.operator())
            batch = []
    if batch:
        desk.tickets.import_tickets(batch, namespace="bench", actor=Actor.operator())
    with desk.store.write() as repo:
        ids = list(repo.session.scalars(select(TicketRow.id)))
        rows = []
        for ticket_id in ids:
            due = now + dt.timedelta(minutes=rng.randint(-600, 600))  # half past due
            warn = due - dt.timedelta(minutes=30)
            rows.append(
                dict(
                    ticket_id=ticket_id,
                    kind="first_response",
                    policy="bench",
                    calendar="always",
                    stop_on="reply",
                    pause_on=["pending"],
                    escalate_to=None,
                    status="running",
                    started_at=now - dt.timedelta(hours=1),
                    due_base=due,
                    warn_base=warn,
                    due_at=due,
                    warn_at=warn,
                    paused_seconds=0,
                )
            )
        repo.session.execute(insert(SlaClockRow), rows)
    setup = time.perf_counter() - t0
    print(f"setup: {len(ids)} tickets and running clocks in {setup:.1f} s", file=sys.stderr)

    rss_before = peak_mib()
    t1 = time.perf_counter()
    first = desk.sla.check(now)
    first_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    second = desk.sla.check(now)
    second_s = time.perf_counter() - t2
    print(f"sla check over {len(ids):,} running clocks (SQLite)")
    print(
        f"  first run : {first_s:6.2f} s  warnings {first.warnings:,}  breaches {first.breaches:,}  "
        f"(history rows and events for each)"
    )
    print(f"  second run: {second_s:6.2f} s  warnings {second.warnings}  breaches {second.breaches}  (nothing new)")
    print(f"  target    : under 5 s; peak RSS {peak_mib():.0f} MiB (before the checks {rss_before:.0f} MiB)")
    desk.close()


if __name__ == "__main__":
    main()
