"""Outbox delivery by ``deskframe worker`` processes on PostgreSQL, beside a bare smtplib loop.

Issue 15 (Speed). The SMTP server is an aiosmtpd sink on loopback in a process of its own (it
counts Message-IDs and reports its own CPU time, which is charged to both sides). For each worker
count (default 1, 2 and 4), side by side in time:

* the floor: one ``smtplib`` connection in this process sends ``--messages`` messages whose bytes
  the e-mail delivery composed beforehand (exactly what a worker sends);
* a fresh PostgreSQL schema gets ``--messages`` outbox messages (kind ``email``, through an
  e-mail channel whose SMTP server is the sink; composed at enqueue, before the clock starts, as
  the floor's are); that many ``deskframe worker --jobs outbox`` processes (each with
  ``[outbox] sessions`` SMTP sessions: ``--sessions``, else the default) are started and timed
  until the sink holds every Message-ID (each exactly once is checked), then stopped with SIGTERM.

Printed: messages/s from the start (for the workers: from their launch, start-up included) and
from the sink's first message to its last; the CPU per message of the sender (the floor's
smtplib loop; all workers, start-up included) and of the sink; the workers' time as a multiple of
the floor's; the load average. Target: 2 workers within 1.5x of the floor.

Then ``--clocks`` running SLA clocks (half past due, some past their warning point) are put in
another schema and 4 ``deskframe worker --jobs sla --once`` processes are started at once: one
takes the check's advisory lock and claims every warning and breach, the others skip. Timed
until all four exit; each breach is announced once (checked).

``BENCH_WORKER_PYTHONPATH=DIR/src:DIR/plugins`` runs the workers from another checkout (the
"before" rows of benchmarks/README.md); the schema and the floor are this checkout's.

    .venv/bin/python benchmarks/outbox.py [--messages 20000] [--workers 1,2,4] [--clocks 200000] [--sessions N]
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

import attrs
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


class SinkServer:
    """The aiosmtpd sink, run in a process of its own (``--serve-sink PORT``): counts Message-IDs
    and answers one-word commands on stdin with one JSON line (``stats``, ``reset``); its own CPU
    time is in every answer, so both sides of the comparison are charged for the sink."""

    def __init__(self) -> None:
        self.ids: collections.Counter[str] = collections.Counter()
        self.lock = threading.Lock()
        self.first: float | None = None
        self.last: float | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.original_content)
        start = raw.find(b"Message-ID:") if b"Message-ID:" in raw else raw.find(b"Message-Id:")
        line = raw[start : raw.find(b"\n", start)].decode("ascii", "replace") if start >= 0 else ""
        mid = line.partition(":")[2].strip().strip("<>")
        now = time.time()
        with self.lock:
            if self.first is None:
                self.first = now
            self.last = now
            self.ids[mid] += 1
        return "250 OK"

    def serve(self, port: int) -> None:
        from aiosmtpd.controller import Controller

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            controller = Controller(self, hostname="127.0.0.1", port=port)
            controller.start()
        print(json.dumps({"ready": port}), flush=True)
        for line in sys.stdin:
            command = line.strip()
            with self.lock:
                if command == "reset":
                    self.ids.clear()
                    self.first = self.last = None
                total = sum(self.ids.values())
                answer = {
                    "total": total,
                    "distinct": len(self.ids),
                    "most": max(self.ids.values(), default=0),
                    "first": self.first,
                    "last": self.last,
                    "cpu": time.process_time(),
                }
            print(json.dumps(answer), flush=True)
        controller.stop()


class Sink:
    """The benchmark's handle on the sink process."""

    def __init__(self) -> None:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve-sink", str(self.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        json.loads(self.process.stdout.readline())  # ready

    def ask(self, command: str = "stats") -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        answer: dict[str, Any] = json.loads(self.process.stdout.readline())
        return answer

    def wait_for(self, count: int) -> dict[str, Any]:
        while True:
            stats = self.ask()
            if stats["total"] >= count:
                return stats
            time.sleep(0.02)

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(30)


def new_desk(server: str, root: Path, extra: str) -> tuple[Desk, Path, Any]:
    url, drop = scratch_database(server, str(root / "unused.db"))
    root.mkdir(parents=True, exist_ok=True)
    config = root / "deskframe.toml"
    config.write_text(f'[desk]\ndatabase = "{url}"\ndata_dir = "data"\n{extra}', encoding="utf-8")
    plugins = build_plugins()
    desk = Desk(load_config(config, plugins.registry), plugins)
    desk.upgrade()
    return desk, config, drop


def workers(config: Path, count: int, *args: str, log: Path | None = None) -> list[subprocess.Popen[bytes]]:
    """``count`` worker processes; their JSON logs go to ``log``.N (never to an unread pipe, which
    would block a worker once its buffer is full)."""
    env = dict(os.environ)
    env.pop("DESKFRAME_DATABASE_URL", None)
    if os.environ.get("BENCH_WORKER_PYTHONPATH"):  # workers of another checkout (the "before" rows)
        env["PYTHONPATH"] = os.environ["BENCH_WORKER_PYTHONPATH"]
    command = [sys.executable, "-m", "deskframe", "--config", str(config), "worker", "--log-format", "json", *args]
    procs = []
    for n in range(count):
        out = open(f"{log}.{n}", "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - the child keeps it
        procs.append(subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env))
    return procs


def cpu_of_exited(procs: list[subprocess.Popen[bytes]]) -> float:
    """The CPU seconds (user + system) the processes used, once each has exited."""
    total = 0.0
    for p in procs:
        _, _, usage = os.wait4(p.pid, 0)
        p.returncode = 0
        total += usage.ru_utime + usage.ru_stime
    return total


def compose_all(desk: Desk, messages: list[OutboundMessage]) -> list[bytes]:
    """The bytes the e-mail delivery composes for ``messages`` (what a worker sends)."""
    delivery = desk.plugins.registry.get("deliveries", "email")
    assert delivery is not None and delivery.compose is not None
    return [delivery.compose(m, desk.config, lambda sha: None) or b"" for m in messages]


def bench_messages(tag: str, count: int) -> list[OutboundMessage]:
    return [
        OutboundMessage(
            kind="email",
            recipients=(f"c{n}@customer.example",),
            subject=f"bench {n}",
            text=BODY,
            channel="support-mail",
            message_id=f"{tag}.{n}@desk.example",
            sender="support@desk.example",
        )
        for n in range(count)
    ]


@attrs.frozen
class Run:
    """One side of the comparison: rates, and CPU milliseconds per message."""

    rate: float  # messages/s from the start (the workers' launch)
    steady: float  # messages/s from the first message the sink received to the last
    cpu_ms: float  # the client's (floor) or the workers' CPU per message
    sink_ms: float  # the sink's CPU per message


def floor(desk: Desk, sink: Sink, count: int, tag: str) -> Run:
    """One smtplib connection sending ``count`` messages composed as the outbox composes them."""
    raws = compose_all(desk, bench_messages(tag, count))
    sink.ask("reset")
    before = sink.ask()
    began, cpu0 = time.time(), time.process_time()
    with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
        for n, raw in enumerate(raws):
            smtp.sendmail("support@desk.example", [f"c{n}@customer.example"], raw)
    ended, cpu = time.time(), time.process_time() - cpu0
    stats = sink.wait_for(count)
    assert stats["distinct"] == count and stats["most"] == 1
    steady = count / max(stats["last"] - stats["first"], 1e-9)
    return Run(count / (ended - began), steady, cpu / count * 1000, (stats["cpu"] - before["cpu"]) / count * 1000)


def deliver_run(
    server: str, root: Path, sink: Sink, count: int, n_workers: int, composer: Desk, sessions: int | None = None
) -> tuple[Run, Run]:
    """The floor, then ``n_workers`` workers delivering as many messages: (floor, workers)."""
    extra = (
        '\n[[channels]]\nname = "support-mail"\ntype = "email"\nsource = "mbox:/nonexistent/inbox"\n'
        f'address = "support@desk.example"\nsmtp = "smtp://127.0.0.1:{sink.port}"\n'
        '\n[worker]\noutbox_every = "1s"\noutbox_batch = 100\n[outbox]\nlease = "10m"\n'
        + (f"sessions = {sessions}\n" if sessions else "")
    )
    desk, config, drop = new_desk(server, root, extra)
    try:
        messages = bench_messages(f"w{n_workers}", count)
        for start in range(0, count, 5000):  # composed here, at enqueue, as a ticket change does it
            desk.outbox.enqueue(messages[start : start + 5000], actor=Actor.operator())
        base = floor(composer, sink, count, f"floor{n_workers}")  # right before the workers, not minutes apart
        sink.ask("reset")
        before = sink.ask()
        began = time.time()
        procs = workers(config, n_workers, "--jobs", "outbox", log=root / "worker.log")
        stats = sink.wait_for(count)
        ended = time.time()
        for p in procs:
            p.send_signal(signal.SIGTERM)
        cpu = cpu_of_exited(procs)
        stats = sink.ask()
        assert stats["total"] == stats["distinct"] == count, f"a message arrived twice: {stats}"
        steady = count / max(stats["last"] - stats["first"], 1e-9)
        sink_ms = (stats["cpu"] - before["cpu"]) / count * 1000
        return base, Run(count / (ended - began), steady, cpu / count * 1000, sink_ms)
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
        log = config.parent / "sla-worker.log"
        procs = workers(config, 4, "--jobs", "sla", "--once", log=log)
        for p in procs:
            p.wait(timeout=3600)
        elapsed = time.perf_counter() - began
        outputs = [Path(f"{log}.{n}").read_text(encoding="utf-8") for n in range(len(procs))]
        breaches = warnings_ = ran = 0
        for out in outputs:
            for line in out.splitlines():
                if not line.startswith("{"):  # a warning on stderr, not a log record
                    continue
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


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--clocks", type=int, default=200_000, help="0 skips the SLA part")
    parser.add_argument("--sessions", type=int, help="[outbox] sessions of the workers (default: the config's default)")
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--serve-sink", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_sink:
        SinkServer().serve(args.serve_sink)
        return
    root = Path(tempfile.mkdtemp(prefix="outbox-bench-"))
    counts = [int(x) for x in args.workers.split(",") if x.strip()]
    if counts:
        sink = Sink()
        extra = (
            '\n[[channels]]\nname = "support-mail"\ntype = "email"\nsource = "mbox:/nonexistent/inbox"\n'
            f'address = "support@desk.example"\nsmtp = "smtp://127.0.0.1:{sink.port}"\n'
        )
        composer, _, drop_composer = new_desk(args.database, root / "floor", extra)
        print(
            f"outbox delivery of {args.messages:,} messages to an aiosmtpd sink on loopback (its own process), "
            f"PostgreSQL; [outbox] sessions {args.sessions or 'default'}; load average {load()}"
        )
        print("  rates: from the start (the workers' launch) [from the sink's first message to its last];")
        print("  CPU ms per message: the sender (smtplib client / all workers, start-up included) + the sink")
        try:
            for n in counts:
                base, run = deliver_run(args.database, root / f"w{n}", sink, args.messages, n, composer, args.sessions)
                print(
                    f"  floor, smtplib, one connection: {base.rate:6.0f}/s [{base.steady:.0f}]"
                    f"  CPU {base.cpu_ms:.3f} + sink {base.sink_ms:.3f}"
                )
                print(
                    f"  {n} worker{'s' if n > 1 else ' '}:                     {run.rate:6.0f}/s [{run.steady:.0f}]"
                    f"  CPU {run.cpu_ms:.3f} + sink {run.sink_ms:.3f}"
                    f"  -> {base.rate / run.rate:.2f}x the floor's time [{base.steady / run.steady:.2f}x]"
                    f"  (load {load()})"
                )
        finally:
            composer.close()
            drop_composer()
            sink.stop()
    if args.clocks:
        sla_run(args.database, root / "sla", args.clocks)


if __name__ == "__main__":
    main()
