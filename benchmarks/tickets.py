#!/usr/bin/env python3
"""Ticket throughput and list/search latency of deskframe on SQLite, beside a raw Core floor.

One run builds the same deterministic data set twice, each on a fresh SQLite file
migrated by the real Alembic migration (so the FTS5 index and its triggers exist
in both):

* **Desk**: every ticket is opened through ``desk.tickets.open`` (one transaction
  with its first article), the remaining articles are appended through
  ``desk.tickets.add_article`` in shuffled rounds, then the tickets get their owners and
  states through ``desk.tickets.assign`` and ``desk.tickets.set_state`` (so that the list filters
  have something to filter). Only the Desk calls are timed, not the text
  generation.
* **floor**: the very same rows (tickets in their final state, articles, history,
  contacts, the number counter) go in with SQLAlchemy Core ``insert(...)``
  executemany in batches, in one transaction; only the executes and the commit
  are timed.

Then, at full size (100k tickets and 500k articles by default), it times
``desk.tickets.list`` (default list, ``state="open"``, ``open_only``, queue + owner)
and ``desk.tickets.search`` (a common word, a rare word, a Cyrillic word, two words),
each over ``--repeat`` runs (median and p95), and the ``deskframe`` CLI once end
to end (``--version``, ``ticket list``, ``ticket search``). It closes with a
summary table, the Desk : floor ratio, and the peak RSS.

``--sample N`` sends only the first N tickets (and their articles and workflow)
through Desk and fills the rest of the data set into the same database with the
Core path, for when a full Desk load would take too long; latencies are then
still measured at full size. ``--profile N`` appends a cProfile of N
``open_ticket`` and N ``add_article`` calls at full size (top 15 by own time and
by cumulative time); a census of the SQL statements per call is always printed.

    .venv/bin/python benchmarks/tickets.py [--tickets 100000] [--articles-per-ticket 5]
        [--dir PATH] [--sample N] [--repeat 20] [--seed 7] [--profile N] [--keep]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import cProfile
import datetime as dt
import io
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from deskframe.actors import Actor

sys.path.insert(0, os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")))

from sqlalchemy import event, func, insert, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from ticket_plan import MAX_ARTICLES, QUEUES, SEARCHES, UTC, Plan

from deskframe import numbering
from deskframe.config import load_config
from deskframe.desk import Desk
from deskframe.model import Agent, Contract, Customer, Queue
from deskframe.plugins import build_plugins
from deskframe.store.database import Database
from deskframe.store.migrate import upgrade
from deskframe.store.rows import (
    AgentRow,
    ArticleRow,
    ContactRow,
    ContractRow,
    CustomerDomainRow,
    CustomerRow,
    HistoryRow,
    QueueRow,
    TicketCounterRow,
    TicketRow,
)


class Progress:
    """A counter on stderr: a rewritten line on a TTY, a plain line every 10% otherwise."""

    def __init__(self, label: str, total: int):
        self.label, self.total = label, total
        self.tty = sys.stderr.isatty()
        self.every = 500 if self.tty else max(1, total // 10)
        self.start = time.perf_counter()

    def update(self, done: int) -> None:
        if done % self.every and done != self.total:
            return
        elapsed = time.perf_counter() - self.start
        rate = done / elapsed if elapsed else 0.0
        eta = (self.total - done) / rate if rate else 0.0
        line = f"{self.label}: {done:,}/{self.total:,}  {rate:,.0f}/s  eta {eta:,.0f}s"
        if self.tty:
            sys.stderr.write("\r" + line.ljust(79) + ("\n" if done == self.total else ""))
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


class Stopwatch:
    """Wall and CPU seconds accumulated over the timed sections only."""

    __slots__ = ("_c", "_w", "cpu", "wall")

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def start(self) -> None:
        self._w, self._c = time.perf_counter(), time.process_time()

    def stop(self) -> None:
        self.wall += time.perf_counter() - self._w
        self.cpu += time.process_time() - self._c


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(-(-p * len(ordered) // 100)) - 1))
    return ordered[k]


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("nan")


def file_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists()) / 2**20


def out(line: str = "") -> None:
    print(line, flush=True)


# --- the Desk load -------------------------------------------------------------------


def make_desk(root: Path, db_path: Path) -> tuple[Desk, Path]:
    config = root / "deskframe.toml"
    config.write_text(f'[desk]\ndatabase = "sqlite:///{db_path.as_posix()}"\n', encoding="utf-8")
    plugins = build_plugins()
    desk = Desk(load_config(config, plugins.registry), plugins)
    desk.upgrade()
    return desk, config


def desk_directory(desk: Desk, plan: Plan) -> None:
    for key, name, domain in plan.customers:
        desk.directory.add_customer(Customer(key=key, name=name, domains=(domain,)), actor=Actor.operator())
    for login, name, email, line in plan.agents:
        desk.directory.add_agent(Agent(login=login, name=name, email=email, line=line), actor=Actor.operator())
    for name, _ in QUEUES:
        desk.directory.add_queue(Queue(name), actor=Actor.operator())
    start = desk.local_date() - dt.timedelta(days=800)
    for customer, (key, lines) in plan.contracts.items():
        desk.directory.add_contract(
            Contract(key=key, customer=customer, support_type="8x5", lines=lines, start=start), actor=Actor.operator()
        )


def desk_load(desk: Desk, plan: Plan, count: int) -> dict[str, Any]:
    """Open ``count`` tickets, add their other articles, assign and move them; time only Desk calls."""
    numbers: list[str] = []
    progress = Progress("desk.tickets.open", count)
    watch = Stopwatch()
    for i in range(count):
        meta = plan.metas[i]
        _, body, _, _ = plan.article(i, 0)
        watch.start()
        ticket = desk.tickets.open(
            subject=meta.subject,
            body=body,
            customer=meta.customer,
            contact=meta.contact,
            priority=meta.priority,
            channel=meta.channel,
            queue=meta.queue,
            actor=Actor.operator(),
        )
        watch.stop()
        numbers.append(ticket.number)
        progress.update(i + 1)
    result = {"opened": count, "open": watch, "numbers": numbers, "rss_after_open": peak_rss_mb()}

    total = count * (plan.apt - 1)
    progress = Progress("desk.tickets.add_article", total)
    watch, done = Stopwatch(), 0
    for i, r in plan.rounds(0, count):
        direction, body, agent, sender = plan.article(i, r)
        watch.start()
        desk.tickets.add_article(
            numbers[i],
            direction=direction,
            body=body,
            actor=Actor.operator(agent),
            sender=sender,
            channel=plan.metas[i].channel,
        )
        watch.stop()
        done += 1
        progress.update(done)
    result.update(articles=done, add=watch)

    steps = [(i, kind, value) for i in range(count) for kind, value in plan.workflow(i)]
    progress = Progress("tickets.assign/set_state", len(steps))
    watch = Stopwatch()
    for k, (i, kind, value) in enumerate(steps):
        actor = plan.metas[i].owner
        watch.start()
        if kind == "owner":
            desk.tickets.assign(numbers[i], agent=value, actor=Actor.operator(actor))
        else:
            desk.tickets.set_state(numbers[i], value, actor=Actor.operator(actor))
        watch.stop()
        progress.update(k + 1)
    result.update(workflow=len(steps), change=watch, rss_after_load=peak_rss_mb())
    return result


# --- the Core floor ------------------------------------------------------------------


def ensure_directory(db: Database, plan: Plan, now: dt.datetime) -> dict[str, dict[str, int]]:
    """Insert the directory rows the database lacks (Core); return key -> id maps."""
    start = now.date() - dt.timedelta(days=800)
    with db.engine.begin() as conn:
        have = set(conn.scalars(select(CustomerRow.key)))
        rows = [dict(key=k, name=n, created_at=now) for k, n, _ in plan.customers if k not in have]
        if rows:
            conn.execute(insert(CustomerRow.__table__), rows)
        customers = dict(conn.execute(select(CustomerRow.key, CustomerRow.id)).all())
        have = set(conn.scalars(select(CustomerDomainRow.domain)))
        rows = [dict(domain=d, customer_id=customers[k]) for k, _, d in plan.customers if d not in have]
        if rows:
            conn.execute(insert(CustomerDomainRow.__table__), rows)
        have = set(conn.scalars(select(AgentRow.login)))
        rows = [
            dict(login=lg, name=n, role="engineer", line=ln, email=e, active=True)
            for lg, n, e, ln in plan.agents
            if lg not in have
        ]
        if rows:
            conn.execute(insert(AgentRow.__table__), rows)
        have = set(conn.scalars(select(QueueRow.name)))
        rows = [dict(name=q, description="") for q, _ in QUEUES if q not in have]
        if rows:
            conn.execute(insert(QueueRow.__table__), rows)
        have = set(conn.scalars(select(ContractRow.key)))
        rows = [
            dict(
                key=key,
                customer_id=customers[c],
                support_type="8x5",
                sla=None,
                pricing=None,
                params={},
                channels=[],
                lines=list(lines),
                start_date=start,
                end_date=None,
            )
            for c, (key, lines) in plan.contracts.items()
            if key not in have
        ]
        if rows:
            conn.execute(insert(ContractRow.__table__), rows)
        have = set(conn.scalars(select(ContactRow.email)))
        used = {m.contact for m in plan.metas if m.customer}  # Desk creates a contact on first use
        rows = [
            dict(customer_id=customers[c], name=e, email=e, phone=None, phone_digits=None, created_at=now)
            for c, emails in plan.contacts.items()
            for e in emails
            if e in used and e not in have
        ]
        if rows:
            conn.execute(insert(ContactRow.__table__), rows)
        return {
            "customer": customers,
            "agent": dict(conn.execute(select(AgentRow.login, AgentRow.id)).all()),
            "queue": dict(conn.execute(select(QueueRow.name, QueueRow.id)).all()),
            "contract": dict(conn.execute(select(ContractRow.key, ContractRow.id)).all()),
            "contact": dict(conn.execute(select(ContactRow.email, ContactRow.id)).all()),
        }


def core_load(
    db: Database, plan: Plan, start: int, stop: int, *, settings: Any, day: dt.date, batch: int = 5000
) -> dict[str, Any]:
    """Insert tickets ``start..stop`` with Core executemany in one transaction; time executes + commit."""
    now = dt.datetime.now(UTC)
    ids = ensure_directory(db, plan, now)
    tickets_t, articles_t, history_t = TicketRow.__table__, ArticleRow.__table__, HistoryRow.__table__
    contacts_t = ContactRow.__table__
    key = numbering.counter_key(settings.number_layout, day)
    t_first = now - dt.timedelta(days=400)
    step = dt.timedelta(days=365) / max(1, plan.n)
    timings = {"a": Stopwatch(), "b": Stopwatch(), "c": Stopwatch()}
    counts: collections.Counter[str] = collections.Counter()

    def when(i: int, minutes: int = 0) -> dt.datetime:
        return t_first + step * i + dt.timedelta(minutes=minutes)

    def execute(conn: Any, phase: str, table: Any, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        timings[phase].start()
        conn.execute(insert(table), rows)
        timings[phase].stop()
        counts[table.name] += len(rows)

    with db.engine.connect() as conn:
        timings["a"].start()
        conn.begin()
        timings["a"].stop()
        ticket_base = conn.scalar(select(func.coalesce(func.max(TicketRow.id), 0)))
        article_id = conn.scalar(select(func.coalesce(func.max(ArticleRow.id), 0)))
        contact_id = conn.scalar(select(func.coalesce(func.max(ContactRow.id), 0)))
        counter = conn.scalar(select(TicketCounterRow.value).where(TicketCounterRow.key == key)) or 0
        first = counter
        ticket_id: dict[int, int] = {}  # ticket index -> id

        # phase a: tickets (final state and owner), their first articles, "created" history
        for b in range(start, stop, batch):
            contacts, tickets, articles, history = [], [], [], []
            for i in range(b, min(stop, b + batch)):
                meta = plan.metas[i]
                tid = ticket_base + 1 + i - start
                counter += 1
                number = numbering.format_number(settings.number_layout, settings.system_id, day, counter)
                if meta.customer is None:
                    contact_id += 1
                    contacts.append(
                        dict(
                            id=contact_id,
                            customer_id=None,
                            name=meta.contact,
                            email=meta.contact,
                            phone=None,
                            phone_digits=None,
                            created_at=when(i),
                        )
                    )
                    cid = contact_id
                else:
                    cid = ids["contact"][meta.contact]
                contract = plan.contracts.get(meta.customer) if meta.customer else None
                workflow = plan.workflow(i)
                last = when(i, 37 * (plan.apt - 1) + (5 if workflow else 0))
                tickets.append(
                    dict(
                        id=tid,
                        number=number,
                        subject=meta.subject,
                        state=meta.state,
                        state_type=settings.states[meta.state],
                        priority=meta.priority,
                        queue_id=ids["queue"][meta.queue],
                        customer_id=ids["customer"][meta.customer] if meta.customer else None,
                        contact_id=cid,
                        contract_id=ids["contract"][contract[0]] if contract else None,
                        owner_id=ids["agent"][meta.owner] if meta.owner else None,
                        locked_by_id=None,
                        locked_at=None,
                        line=min(contract[1]) if contract else 1,
                        channel=meta.channel,
                        merged_into_id=None,
                        created_at=when(i),
                        updated_at=last,
                    )
                )
                _, body, _, sender = plan.article(i, 0)
                article_id += 1
                ticket_id[i] = tid
                articles.append(
                    dict(
                        id=article_id,
                        ticket_id=tid,
                        direction="in",
                        channel=meta.channel,
                        sender=sender,
                        recipients=[],
                        subject=meta.subject,
                        text=body,
                        html=None,
                        message_id=None,
                        references=[],
                        agent_id=None,
                        visible=True,
                        raw_sha256=None,
                        created_at=when(i),
                    )
                )
                history.append(
                    dict(ticket_id=tid, at=when(i), actor=None, action="created", old=None, new=number, reason=None)
                )
            execute(conn, "a", contacts_t, contacts)
            execute(conn, "a", tickets_t, tickets)
            execute(conn, "a", articles_t, articles)
            execute(conn, "a", history_t, history)

        # phase b: the other articles in the same order as the Desk run, with "article" history
        articles, history = [], []
        for i, r in plan.rounds(start, stop):
            direction, body, agent, sender = plan.article(i, r)
            article_id += 1
            tid = ticket_id[i]
            meta = plan.metas[i]
            at = when(i, 37 * r)
            articles.append(
                dict(
                    id=article_id,
                    ticket_id=tid,
                    direction=direction,
                    channel=meta.channel,
                    sender=sender,
                    recipients=[],
                    subject=meta.subject,
                    text=body,
                    html=None,
                    message_id=None,
                    references=[],
                    agent_id=ids["agent"][agent] if agent else None,
                    visible=True,
                    raw_sha256=None,
                    created_at=at,
                )
            )
            history.append(
                dict(ticket_id=tid, at=at, actor=agent, action="article", old=None, new=str(article_id), reason=None)
            )
            if len(articles) >= batch * 4:
                execute(conn, "b", articles_t, articles)
                execute(conn, "b", history_t, history)
                articles, history = [], []
        execute(conn, "b", articles_t, articles)
        execute(conn, "b", history_t, history)

        # phase c: "owner" and "state" history of the workflow (ticket rows already hold the result)
        history = []
        for i in range(start, stop):
            meta = plan.metas[i]
            at = when(i, 37 * (plan.apt - 1) + 5)
            for kind, value in plan.workflow(i):
                history.append(
                    dict(
                        ticket_id=ticket_id[i],
                        at=at,
                        actor=meta.owner,
                        action=kind,
                        old="new" if kind == "state" else None,
                        new=value,
                        reason=None,
                    )
                )
            if len(history) >= batch * 4:
                execute(conn, "c", history_t, history)
                history = []
        execute(conn, "c", history_t, history)

        timings["c"].start()
        conn.execute(
            sqlite_insert(TicketCounterRow.__table__)
            .values(key=key, value=counter)
            .on_conflict_do_update(index_elements=["key"], set_={"value": counter})
        )
        conn.commit()
        timings["c"].stop()
    return {"timings": timings, "counts": counts, "tickets": stop - start, "first_counter": first}


def core_database(path: Path) -> Database:
    db = Database(f"sqlite:///{path.as_posix()}")
    upgrade(db)
    return db


# --- latency -------------------------------------------------------------------------


def timed(fn: Callable[[], Any], repeat: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    result = fn()
    cold = time.perf_counter() - t0
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return {
        "cold": cold * 1000,
        "median": statistics.median(samples) * 1000,
        "p95": percentile(samples, 95) * 1000,
        "rows": len(result),
    }


def fts_count(db: Database, words: str) -> int:
    match = " ".join('"' + w.replace('"', '""') + '"' for w in words.split())
    with db.engine.connect() as conn:
        return conn.scalar(text("SELECT count(*) FROM article_fts WHERE article_fts MATCH :m"), {"m": match})


def git_state() -> str:
    repo = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "git state unknown"
    return f"git {head or '?'}{' + uncommitted changes' if dirty else ''}"


def cli_command() -> list[str]:
    exe = Path(sys.executable).with_name("deskframe")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("deskframe")
    if found:
        return [found]
    return [sys.executable, "-c", "from deskframe.cli import main; main()"]


def cli_time(args: list[str]) -> tuple[float, int, int]:
    t0 = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode:
        sys.stderr.write(proc.stderr)
    return wall * 1000, proc.returncode, len(proc.stdout.splitlines())


# --- statement census and profile --------------------------------------------------


def statement_kind(statement: str) -> str:
    """``SELECT tickets``, ``INSERT articles``, ``UPDATE ticket_counters``, ``BEGIN IMMEDIATE``..."""
    words = statement.replace("(", " ").split()
    if not words:
        return "?"
    verb = words[0].upper()
    if verb == "BEGIN":
        return " ".join(words[:2])
    marker = {"SELECT": "FROM", "INSERT": "INTO", "DELETE": "FROM"}.get(verb)
    if verb == "UPDATE":
        return f"UPDATE {words[1]}"
    if marker and marker in words:
        k = words.index(marker)
        return f"{verb} {words[k + 1]}" if k + 1 < len(words) else verb
    return verb


@contextlib.contextmanager
def sql_census(db: Database) -> Iterator[dict[str, Any]]:
    """Count and time every cursor execute on ``db`` inside the block."""
    stats: dict[str, Any] = {"kinds": collections.Counter(), "n": 0, "seconds": 0.0}
    starts: list[float] = []

    def before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        starts.append(time.perf_counter())
        stats["kinds"][statement_kind(statement)] += 1
        stats["n"] += 1

    def after(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        stats["seconds"] += time.perf_counter() - starts.pop()

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        yield stats
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)


def probe_calls(desk: Desk, plan: Plan, count: int, numbers: list[str], offset: int) -> list[tuple[str, Callable]]:
    """``count`` extra open_ticket calls and ``count`` add_article calls (on existing tickets)."""
    opens, adds = [], []
    for k in range(count):
        i = (offset + k) % plan.n
        meta = plan.metas[i]
        _, body, _, _ = plan.article(i, 0)
        opens.append(
            lambda m=meta, b=body: desk.tickets.open(
                subject=m.subject,
                body=b,
                customer=m.customer,
                contact=m.contact,
                priority=m.priority,
                channel=m.channel,
                queue=m.queue,
                actor=Actor.operator(),
            )
        )
        direction, body, agent, sender = plan.article(i, 1 + k % max(1, plan.apt - 1))
        number = numbers[(offset + 7 * k) % len(numbers)]
        adds.append(
            lambda n=number, d=direction, b=body, a=agent, s=sender: desk.tickets.add_article(
                n, direction=d, body=b, actor=Actor.operator(a), sender=s
            )
        )
    return [("open_ticket", opens), ("add_article", adds)]


def census(desk: Desk, plan: Plan, numbers: list[str], count: int = 200) -> dict[str, float]:
    """Statements per call of open_ticket and add_article at full size; returns ms/call."""
    out(f"SQL statements per Desk call (census of {count} calls each, at full size; COMMIT not counted)")
    ms: dict[str, float] = {}
    for name, calls in probe_calls(desk, plan, count, numbers, offset=11):
        with sql_census(desk.store.db) as stats:
            watch = Stopwatch()
            for call in calls[:-1]:
                watch.start()
                call()
                watch.stop()
            trace: list[str] = []

            def listener(conn, cursor, statement, params, context, many, trace=trace):
                trace.append(" ".join(statement.split()))

            event.listen(desk.store.db.engine, "before_cursor_execute", listener)
            watch.start()
            calls[-1]()
            watch.stop()
            event.remove(desk.store.db.engine, "before_cursor_execute", listener)
        ms[name] = watch.wall / count * 1000
        kinds = ", ".join(f"{k} x{v / count:g}" for k, v in stats["kinds"].most_common())
        out(
            f"  Desk.{name}: {stats['n'] / count:.1f} statements/call, {ms[name]:.2f} ms/call "
            f"({watch.cpu / count * 1000:.2f} ms CPU), {stats['seconds'] / watch.wall * 100:.0f}% of the wall "
            f"time inside cursor.execute"
        )
        out(f"    {kinds}")
        out("    one call, in order:")
        for statement in trace:
            out(f"      {statement[:110]}{'...' if len(statement) > 110 else ''}")
    out()
    return ms


def profile(desk: Desk, plan: Plan, numbers: list[str], count: int) -> None:
    for name, calls in probe_calls(desk, plan, count, numbers, offset=1234):
        prof = cProfile.Profile()
        prof.enable()
        for call in calls:
            call()
        prof.disable()
        for order, title in (
            ("tottime", "top 15 by own time"),
            ("cumulative", "top 15 by cumulative time"),
            ("deskframe", "deskframe's own functions, top 15 by cumulative time"),
        ):
            buf = io.StringIO()
            stats = pstats.Stats(prof, stream=buf)
            if order == "deskframe":
                stats.sort_stats("cumulative").print_stats(r"/deskframe/", 15)
            else:
                stats.strip_dirs().sort_stats(order).print_stats(15)
            body = buf.getvalue().strip().splitlines()
            out(f"cProfile: {count} x Desk.{name}, {title}")
            start = next((k for k, ln in enumerate(body) if ln.lstrip().startswith("ncalls")), 0)
            head = [ln for ln in body[:start] if "function calls" in ln]
            src = str(Path(numbering.__file__).resolve().parent.parent) + os.sep
            for ln in head + body[start:]:
                out("  " + ln.replace(src, ""))
            out()


# --- main ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tickets", type=int, default=100_000, help="tickets in the data set (default 100000)")
    ap.add_argument("--articles-per-ticket", type=int, default=5, help="articles per ticket, first included (5)")
    ap.add_argument("--dir", type=Path, help="where to create the run directory (default: system temp)")
    ap.add_argument(
        "--sample",
        type=int,
        default=0,
        help="only the first N tickets go through Desk; the rest is filled with Core (0 = all)",
    )
    ap.add_argument("--repeat", type=int, default=20, help="repetitions per latency query (20)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="cProfile N open_ticket and N add_article calls at the end (0 = skip)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the databases (always kept with --dir)")
    args = ap.parse_args(argv)
    if not 1 <= args.articles_per_ticket <= MAX_ARTICLES:
        ap.error(f"--articles-per-ticket must be 1..{MAX_ARTICLES}")
    if args.tickets < 1:
        ap.error("--tickets must be positive")
    n, apt = args.tickets, args.articles_per_ticket
    through_desk = n if args.sample <= 0 else min(args.sample, n)

    if args.dir:
        args.dir.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="deskframe-bench-", dir=args.dir))
    keep = args.keep or args.dir is not None
    import sqlalchemy

    out(f"deskframe ticket benchmark: {n:,} tickets x {apt} articles = {n * apt:,} articles, seed {args.seed}")
    out(
        f"  Python {sys.version.split()[0]}, SQLAlchemy {sqlalchemy.__version__}, "
        f"SQLite {__import__('sqlite3').sqlite_version}, {os.cpu_count()} CPUs; run directory {root}"
    )
    if through_desk < n:
        out(
            f"  --sample {through_desk:,}: Desk writes the first {through_desk:,} tickets; the other "
            f"{n - through_desk:,} are filled into the same database with Core so latency is at full size"
        )
    out(f"  code: {git_state()}; load average at start {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    out()

    t0 = time.perf_counter()
    plan = Plan(n, apt, args.seed)
    out(
        f"plan built in {time.perf_counter() - t0:.1f}s ({len(plan.customers)} customers, {len(plan.agents)} "
        f"agents, {len(QUEUES)} queues, {len(plan.contracts)} contracts, "
        f"{sum(map(len, plan.contacts.values())):,} customer contacts)"
    )

    desk, config = make_desk(root, root / "desk.db")
    desk_directory(desk, plan)
    notify = {
        h: [i.plugin_name for i in getattr(desk.plugins.pm.hook, h).get_hookimpls()]
        for h in ("ticket_opened", "article_added", "ticket_changed")
    }
    out(
        f"plugins: {', '.join(i.name for i in desk.plugins.infos)}; notify hooks: "
        + ", ".join(f"{h} -> {', '.join(names) or 'none'}" for h, names in notify.items())
    )
    settings, day = desk.settings, desk.local_date()

    # --- floor ------------------------------------------------------------------------
    floor_db = core_database(root / "floor.db")
    t0 = time.perf_counter()
    floor = core_load(floor_db, plan, 0, n, settings=settings, day=day)
    floor_wall = time.perf_counter() - t0
    ft, fc = floor["timings"], floor["counts"]
    floor_rows = sum(fc.values())
    floor_s = sum(w.wall for w in ft.values())
    floor_cpu = sum(w.cpu for w in ft.values())
    rss_floor = peak_rss_mb()
    out("floor (Core insert() executemany, batches of 5,000-20,000 rows, one transaction)")
    out(
        f"  {floor_rows:,} rows ({', '.join(f'{v:,} {k}' for k, v in fc.items())}) in {floor_s:.1f}s of "
        f"executes + commit ({floor_cpu:.1f}s CPU; {floor_wall:.0f}s wall with text generation) "
        f"= {rate(floor_rows, floor_s):,.0f} rows/s"
    )
    out(
        f"  tickets + first articles + history: {rate(n, ft['a'].wall):,.0f} tickets/s; other articles + "
        f"history: {rate(n * (apt - 1), ft['b'].wall):,.0f} articles/s; workflow history + commit: "
        f"{ft['c'].wall:.1f}s"
    )
    out()

    # --- Desk ---------------------------------------------------------------------------
    t0 = time.perf_counter()
    load = desk_load(desk, plan, through_desk)
    desk_wall = time.perf_counter() - t0
    w_open, w_add, w_change = load["open"], load["add"], load["change"]
    # open_ticket: ticket + article + history; add_article: article + history; workflow: history
    desk_rows = load["opened"] * 3 + load["articles"] * 2 + load["workflow"]
    desk_s = w_open.wall + w_add.wall + w_change.wall
    desk_cpu = w_open.cpu + w_add.cpu + w_change.cpu
    out(
        f"Desk ({through_desk:,} tickets through the public API, one transaction per call; "
        f"{desk_wall:.0f}s wall with text generation)"
    )
    for label, count, watch, unit in (
        ("open_ticket", load["opened"], w_open, "tickets"),
        ("add_article", load["articles"], w_add, "articles"),
        ("assign/set_state", load["workflow"], w_change, "changes"),
    ):
        out(
            f"  {label}: {count:,} in {watch.wall:.1f}s = {rate(count, watch.wall):,.0f} {unit}/s "
            f"({watch.wall / max(1, count) * 1000:.2f} ms each, {watch.cpu / max(1, count) * 1000:.2f} ms CPU)"
        )
    out(
        f"  all: {desk_rows:,} rows (tickets, articles, history) in {desk_s:.1f}s = "
        f"{rate(desk_rows, desk_s):,.0f} rows/s ({desk_cpu:.1f}s CPU)"
    )
    if through_desk < n:
        t0 = time.perf_counter()
        core_load(desk.store.db, plan, through_desk, n, settings=settings, day=desk.local_date())
        out(
            f"  filled tickets {through_desk + 1:,}..{n:,} into the Desk database with Core in "
            f"{time.perf_counter() - t0:.0f}s"
        )
        full = (
            n / rate(load["opened"], w_open.wall)
            + n * (apt - 1) / rate(load["articles"], w_add.wall)
            + load["workflow"] * n / through_desk / rate(load["workflow"], w_change.wall)
        )
        out(
            f"  a full Desk load ({n:,} tickets, {n * (apt - 1):,} more articles and the owner/state changes) "
            f"would take about {full / 60:.0f} min at these rates"
        )
    out()

    # --- same rows? -----------------------------------------------------------------------
    def counts(db: Database) -> dict[str, int]:
        with db.engine.connect() as conn:
            names = set(conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'")))
            return {
                t: conn.scalar(text(f"SELECT count(*) FROM {t}")) if t in names else 0
                for t in ("tickets", "articles", "history", "contacts", "article_fts_docsize", "sla_clocks")
            }

    dc, fcnt = counts(desk.store.db), counts(floor_db)
    out("rows       " + "  ".join(f"{t:>12}" for t in dc))
    out("  Desk     " + "  ".join(f"{v:>12,}" for v in dc.values()))
    out("  floor    " + "  ".join(f"{v:>12,}" for v in fcnt.values()))
    if any(dc[t] != fcnt[t] for t in ("tickets", "articles", "history", "article_fts_docsize", "sla_clocks")):
        out("  (the ticket, article, history or SLA clock counts differ!)")
    out(f"  file size: Desk {file_mb(root / 'desk.db'):,.0f} MB, floor {file_mb(root / 'floor.db'):,.0f} MB")
    out()

    # --- latency at full size ------------------------------------------------------------------
    owner = collections.Counter(m.owner for m in plan.metas if m.queue == "network" and m.owner).most_common(1)
    owner_login = owner[0][0] if owner else plan.agents[0][0]
    queries: list[tuple[str, str, Callable[[], Any]]] = [
        ("tickets()", "default list", lambda: desk.tickets.list(limit=100)),
        ("tickets(state='open')", "", lambda: desk.tickets.list(state="open", limit=100)),
        ("tickets(open_only=True)", "", lambda: desk.tickets.list(open_only=True, limit=100)),
        (
            f"tickets(queue='network', owner='{owner_login}')",
            "",
            lambda: desk.tickets.list(queue="network", owner=owner_login, limit=100),
        ),
    ]
    for label, words in SEARCHES:
        queries.append(
            (
                f"search({words!r})",
                f"{label}: {fts_count(desk.store.db, words):,} articles match",
                lambda w=words: desk.tickets.search(w),
            )
        )
    out(
        f"latency at {dc['tickets']:,} tickets / {dc['articles']:,} articles, limit 100 (search: 50); "
        f"first call, then median and p95 of {args.repeat}"
    )
    out(f"  {'call':<46} {'rows':>5} {'first ms':>9} {'median ms':>10} {'p95 ms':>8}  note")
    latencies = []
    for name, note, fn in queries:
        res = timed(fn, args.repeat)
        latencies.append((name, res))
        out(f"  {name:<46} {res['rows']:>5} {res['cold']:>9.1f} {res['median']:>10.1f} {res['p95']:>8.1f}  {note}")
    out()

    cli = cli_command() + ["--config", str(config)]
    search_word = SEARCHES[0][1]
    cli_runs = [
        ("deskframe --version", cli_command() + ["--version"]),
        ("deskframe ticket list", cli + ["ticket", "list"]),
        (f"deskframe ticket search {search_word}", cli + ["ticket", "search", search_word]),
    ]
    out("CLI end to end (one run each, wall time of the subprocess)")
    cli_results = []
    for label, command in cli_runs:
        ms, rc, lines = cli_time(command)
        cli_results.append((label, ms))
        out(f"  {label:<46} {ms:>8.0f} ms  exit {rc}, {lines} lines of output")
    out()

    # --- where Desk spends its time (adds a few hundred tickets and articles) -----------------
    per_call = census(desk, plan, load["numbers"])
    if args.profile:
        profile(desk, plan, load["numbers"], args.profile)
    rss_end = peak_rss_mb()

    # --- summary ------------------------------------------------------------------------
    open_rate, art_rate = rate(load["opened"], w_open.wall), rate(load["articles"], w_add.wall)
    f_open, f_art = rate(n, ft["a"].wall), rate(n * (apt - 1), ft["b"].wall)
    d_rows, f_rows = rate(desk_rows, desk_s), rate(floor_rows, floor_s)
    d_rows_cpu, f_rows_cpu = rate(desk_rows, desk_cpu), rate(floor_rows, floor_cpu)
    sample = f"first {through_desk:,} tickets" if through_desk < n else f"all {n:,} tickets"
    out("=" * 78)
    out(
        f"summary: {n:,} tickets, {n * apt:,} articles on SQLite {__import__('sqlite3').sqlite_version}; "
        f"Desk writes: {sample}"
    )
    out(f"  {'write rate':<34} {'Desk':>12} {'floor (Core)':>14} {'floor/Desk':>11}")
    out(f"  {'tickets opened /s':<34} {open_rate:>12,.0f} {f_open:>14,.0f} {f_open / open_rate:>10.0f}x")
    out(f"  {'articles added /s':<34} {art_rate:>12,.0f} {f_art:>14,.0f} {f_art / art_rate:>10.0f}x")
    out(f"  {'owner/state changes /s':<34} {rate(load['workflow'], w_change.wall):>12,.0f} {'(in rows)':>14}")
    out(f"  {'rows /s (tickets+articles+history)':<34} {d_rows:>12,.0f} {f_rows:>14,.0f} {f_rows / d_rows:>10.0f}x")
    out(f"  {'rows /s of CPU time':<34} {d_rows_cpu:>12,.0f} {f_rows_cpu:>14,.0f} {f_rows_cpu / d_rows_cpu:>10.0f}x")
    o_cpu, a_cpu = rate(load["opened"], w_open.cpu), rate(load["articles"], w_add.cpu)
    fo_cpu, fa_cpu = rate(n, ft["a"].cpu), rate(n * (apt - 1), ft["b"].cpu)
    out(f"  {'tickets opened /s of CPU time':<34} {o_cpu:>12,.0f} {fo_cpu:>14,.0f} {fo_cpu / o_cpu:>10.0f}x")
    out(f"  {'articles added /s of CPU time':<34} {a_cpu:>12,.0f} {fa_cpu:>14,.0f} {fa_cpu / a_cpu:>10.0f}x")
    out(
        f"  {'ms per open_ticket / add_article':<34} {w_open.wall / max(1, load['opened']) * 1000:>5.2f} / "
        f"{w_add.wall / max(1, load['articles']) * 1000:<4.2f}  at full size "
        f"{per_call['open_ticket']:.2f} / {per_call['add_article']:.2f}"
    )
    out(f"  {'timed load':<34} {desk_s:>11,.0f}s {floor_s:>13,.1f}s")
    out(f"  {'read latency, ms':<46} {'median':>8} {'p95':>8} {'first':>8}")
    for name, res in latencies:
        out(f"  {name:<46} {res['median']:>8.1f} {res['p95']:>8.1f} {res['cold']:>8.1f}")
    for label, ms in cli_results:
        out(f"  {label + ' (CLI wall)':<46} {ms:>8.0f}")
    out(
        f"  peak RSS {rss_end:,.0f} MB (after the floor {rss_floor:,.0f} MB, after the Desk opens "
        f"{load['rss_after_open']:,.0f} MB, after the Desk load {load['rss_after_load']:,.0f} MB); "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    out()
    out(
        f"Ratio: Desk {d_rows:,.0f} rows/s : floor {f_rows:,.0f} rows/s = 1 : {f_rows / d_rows:.0f} "
        f"(1 : {f_rows_cpu / d_rows_cpu:.0f} in CPU time). Opening a ticket through Desk costs "
        f"{f_open / open_rate:.0f}x its share of the bulk insert, adding an article {f_art / art_rate:.0f}x: "
        f"Desk pays a transaction, ORM flushes, look-ups and a view per call, the floor one executemany "
        f"per few thousand rows."
    )

    desk.close()
    floor_db.dispose()
    if keep:
        out(f"databases kept in {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
