"""Outbox delivery by ``deskframe worker`` processes on PostgreSQL, beside a bare smtplib loop.

Issue 15 (Speed). For each worker count (default 1, 2 and 4) a fresh PostgreSQL schema gets
``--messages`` outbox messages (kind ``email``, through an e-mail channel whose SMTP server is an
aiosmtpd sink on loopback, in this process); that many ``deskframe worker --jobs outbox``
processes are started and timed until the sink holds every Message-ID (each exactly once is
checked), then stopped with SIGTERM. The floor is one ``smtplib`` connection sending the same
number of messages of the same size to the same sink. Target: 2 workers within 1.5x of the floor.

Then ``--clocks`` running SLA clocks (half past due, some past their warning point) are put in
another schema and 4 ``deskframe worker --jobs sla --once`` processes are started at once: one
takes the check's advisory lock and claims every warning and breach, the others skip. Timed
until all four exit; each breach is announced once (checked).

    .venv/bin/python benchmarks/outbox.py [--messages 20000] [--workers 1,2,4] [--clocks 200000]
                                          [--database postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import random
import signal
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from deskframe.actors import Actor
from deskframe.config import load_config
from deskframe.desk import Desk
from deskframe.importing import ImportedTicket
from deskframe.outbound import OutboundMessage
from deskframe.plugins import build_plugins
from deskframe.store.rows import SlaClockRow, TicketRow
from deskframe.store.scratch import scratch_database

UTC = dt.timezone.utc
BODY = "Hello,\n\nyour ticket was answered. " + "Some text of a usual reply. " * 20 + "\n"


class Sink:
    """aiosmtpd on 127.0.0.1 counting Message-IDs."""

    def __init__(self) -> None:
        self.ids: collections.Counter[str] = collections.Counter()
        self.lock = threading.Lock()
        self.first: float | None = None
        self.controller: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.original_content)
        start = raw.find(b"Message-ID:") if b"Message-ID:" in raw else raw.find(b"Message-Id:")
        line = raw[start : raw.find(b"\n", start)].decode("ascii", "replace") if start >= 0 else ""
        mid = line.partition(":")[2].strip().strip("<>")
        with self.lock:
            if self.first is None:
                self.first = time.perf_counter()
            self.ids[mid] += 1
        return "250 OK"

    def start(self) -> int:
        import socket

        from aiosmtpd.controller import Controller

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            self.controller = Controller(self, hostname="127.0.0.1", port=port)
            self.controller.start()
        return port

    def reset(self) -> None:
        with self.lock:
            self.ids.clear()
            self.first = None

    def count(self) -> int:
        with self.lock:
            return sum(self.ids.values())


def new_desk(server: str, root: Path, extra: str) -> tuple[Desk, Path, Any]:
    url, drop = scratch_database(server, str(root / "unused.db"))
    root.mkdir(parents=True, exist_ok=True)
    config = root / "deskframe.toml"
    config.write_text(f'[desk]\ndatabase = "{url}"\ndata_dir = "data"\n{extra}', encoding="utf-8")
    plugins = build_plugins()
    desk = Desk(load_config(config, plugins.registry), plugins)
    desk.upgrade()
    return desk, config, drop


def workers(config: Path, count: int, *args: str) -> list[subprocess.Popen[bytes]]:
    env = dict(os.environ)
    env.pop("DESKFRAME_DATABASE_URL", None)
    command = [sys.executable, "-m", "deskframe", "--config", str(config), "worker", "--log-format", "json", *args]
    return [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env) for _ in range(count)]


def floor(port: int, sink: Sink, count: int) -> float:
    """Messages/s of one smtplib connection sending ``count`` messages like the outbox's."""
    from deskframe.file_delivery import as_email

    sink.reset()
    raws = [
        as_email(
            OutboundMessage(
                kind="email",
                recipients=(f"c{n}@customer.example",),
                subject=f"floor {n}",
                text=BODY,
                message_id=f"floor.{n}@desk.example",
                sender="support@desk.example",
            )
        )
        for n in range(count)
    ]
    began = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for n, raw in enumerate(raws):
            smtp.sendmail("support@desk.example", [f"c{n}@customer.example"], raw)
    return count / (time.perf_counter() - began)


def deliver_run(server: str, root: Path, port: int, sink: Sink, count: int, n_workers: int) -> tuple[float, float]:
    extra = (
        '\n[[channels]]\nname = "support-mail"\ntype = "email"\nsource = "mbox:/nonexistent/inbox"\n'
        f'address = "support@desk.example"\nsmtp = "smtp://127.0.0.1:{port}"\n'
        '\n[worker]\noutbox_every = "1s"\noutbox_batch = 100\n[outbox]\nlease = "10m"\n'
    )
    desk, config, drop = new_desk(server, root, extra)
    try:
        for start in range(0, count, 5000):
            desk.outbox.enqueue(
                [
                    OutboundMessage(
                        kind="email",
                        recipients=(f"c{n}@customer.example",),
                        subject=f"bench {n}",
                        text=BODY,
                        channel="support-mail",
                        message_id=f"w{n_workers}.{n}@desk.example",
                    )
                    for n in range(start, min(count, start + 5000))
                ],
                actor=Actor.operator(),
            )
        sink.reset()
        began = time.perf_counter()
        procs = workers(config, n_workers, "--jobs", "outbox")
        while sink.count() < count:
            time.sleep(0.05)
        ended = time.perf_counter()
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(120)
        assert len(sink.ids) == count and max(sink.ids.values()) == 1, "a message arrived twice"
        first = sink.first or began
        return count / (ended - began), count / (ended - first)
    finally:
        desk.close()
        drop()


def sla_run(server: str, root: Path, clocks: int) -> None:
    desk, config, drop = new_desk(server, root, "")
    try:
        now = dt.datetime.now(UTC)
        rng = random.Random(7)
        t0 = time.perf_counter()
        batch = []
        for i in range(clocks):
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
                due = now + dt.timedelta(minutes=rng.randint(-600, 600))
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
        print(
            f"  setup: {len(ids):,} tickets with a running clock in {time.perf_counter() - t0:.0f} s", file=sys.stderr
        )
        began = time.perf_counter()
        procs = workers(config, 4, "--jobs", "sla", "--once")
        outputs = [p.communicate(timeout=3600)[0].decode() for p in procs]
        elapsed = time.perf_counter() - began
        breaches = warnings_ = ran = 0
        for out in outputs:
            for line in out.splitlines():
                record = json.loads(line)
                if record.get("event") == "run" and record.get("status") == "ok":
                    ran += 1
                    breaches += record["counts"]["breaches"]
                    warnings_ += record["counts"]["warnings"]
        print(
            f"sla check, 4 workers at once over {len(ids):,} running clocks: {elapsed:.1f} s until all exited; "
            f"{ran} ran the check (the others skipped), warnings {warnings_:,}, breaches {breaches:,}"
        )
    finally:
        desk.close()
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--clocks", type=int, default=200_000, help="0 skips the SLA part")
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="outbox-bench-"))
    sink = Sink()
    port = sink.start()
    base = floor(port, sink, args.messages)
    print(f"outbox delivery of {args.messages:,} messages to an aiosmtpd sink on loopback (PostgreSQL)")
    print(f"  floor: smtplib, one connection      {base:8.0f} messages/s")
    for n in (int(x) for x in args.workers.split(",")):
        rate, steady = deliver_run(args.database, root / f"w{n}", port, sink, args.messages, n)
        print(
            f"  {n} worker{'s' if n > 1 else ' '}: {rate:8.0f} messages/s from launch "
            f"({steady:.0f}/s from the first message), {base / rate:.2f}x the floor's time"
        )
    sink.controller.stop()
    if args.clocks:
        sla_run(args.database, root / "sla", args.clocks)


if __name__ == "__main__":
    main()
