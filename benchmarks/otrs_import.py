#!/usr/bin/env python3
"""OTRS import throughput and memory, beside a plain SQLAlchemy Core copy of the same rows.

For each size (default 5,000 and 20,000 tickets, 5 articles each) the benchmark

1. creates a PostgreSQL database with the genuine Znuny schema and seed data
   (``shared/otrs``: schema -> initial_insert -> schema-post) and fills it with COPY:
   200 companies, 1,000 customer users, 20 agents, 10 queues with targets, the tickets,
   their articles (60 % e-mail with the raw RFC 822 source in
   ``article_data_mime_plain``, base64 as OTRS stores it on PostgreSQL; every 20th
   article with a 16 KB attachment), 3 history rows and 1-2 time entries per ticket;
2. runs ``deskframe import otrs --source URL`` (the console script, in a child
   process) into a fresh SQLite desk, reads its JSON summary and counts where the
   blobs went (rows of the ``blobs`` table for small ones, files for the rest);
3. runs the **floor** in a child process: the same source rows (ticket, article,
   article_data_mime, _plain, _attachment, ticket_history, time_accounting and the
   directory tables) copied table by table into SQLite with SQLAlchemy Core
   (``stream_results`` reads, ``insert()`` executemany, one commit per 2,000 rows);
4. prints tickets/s, articles/s, the import : floor ratio and each child's peak RSS
   (``wait4`` rusage), so that memory at 5k and at 20k tickets can be compared.

    .venv/bin/python benchmarks/otrs_import.py [--sizes 5000,20000] [--articles-per-ticket 5]
        [--pg postgresql://postgres@127.0.0.1:5432/test] [--batch 100] [--keep] [--seed 7]

``--pg`` (or ``DESKFRAME_BENCH_POSTGRES``) is a server URL whose user may CREATE DATABASE.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = Path(os.environ.get("DESKFRAME_OTRS_SCHEMA_DIR") or ROOT.parent / "shared" / "otrs")
PG_FILES = ("schema.postgresql.sql", "initial_insert.postgresql.sql", "schema-post.postgresql.sql")
COPIED = (
    "customer_company",
    "customer_user",
    "users",
    "user_preferences",
    "queue",
    "ticket",
    "article",
    "article_data_mime",
    "article_data_mime_plain",
    "article_data_mime_attachment",
    "ticket_history",
    "time_accounting",
)
WORDS = (
    "сервер",
    "почта",
    "не",
    "работает",
    "проверьте",
    "пожалуйста",
    "logs",
    "restart",
    "DNS",
    "backup",
    "license",
    "отчёт",
    "ошибка",
    "после",
    "обновления",
    "client",
    "timeout",
    "VPN",
    "доступ",
    "ticket",
)


# --- source generation ------------------------------------------------------------------


def _db_url(admin: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(admin).set(database=name, drivername="postgresql").render_as_string(hide_password=False)


def _tn(day: dt.date, counter: int) -> str:
    base = f"{day:%Y%m%d}10{counter:05d}"
    total = sum(int(d) * (1 if i % 2 == 0 else 2) for i, d in enumerate(base))
    check = 10 - total % 10
    return base + str(1 if check == 10 else check)


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _raw(sender: str, to: str, subject: str, body: str, msgid: str, when: dt.datetime) -> bytes:
    from email.header import Header

    head = (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {Header(subject, 'utf-8').encode()}\r\n"
        f"Message-ID: {msgid}\r\nDate: {when:%a, %d %b %Y %H:%M:%S} +0000\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    )
    return head.encode("ascii") + body.replace("\n", "\r\n").encode("utf-8")


def generate(admin: str, tickets: int, per_ticket: int, seed: int) -> tuple[str, str, dict[str, int]]:
    """A new Znuny database with ``tickets`` generated tickets: (name, url, row counts)."""
    import psycopg

    rng = random.Random(seed)
    name = f"otrs_bench_{tickets}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _db_url(admin, name)
    counts = dict.fromkeys(("tickets", "articles", "raw", "attachments", "history", "time"), 0)
    with psycopg.connect(url, autocommit=True) as conn:
        for f in PG_FILES:
            conn.execute((SHARED / f).read_text(encoding="utf-8"))
        ids = {r[1]: r[0] for r in conn.execute("SELECT id, name FROM ticket_state")}
        states = [ids["closed successful"]] * 14 + [ids["open"]] * 3 + [ids["new"], ids["pending reminder"]]
        prio = [r[0] for r in conn.execute("SELECT id FROM ticket_priority ORDER BY id")]
        sender = {r[1]: r[0] for r in conn.execute("SELECT id, name FROM article_sender_type")}
        channel = {r[1]: r[0] for r in conn.execute("SELECT id, name FROM communication_channel")}
        htype = {r[1]: r[0] for r in conn.execute("SELECT id, name FROM ticket_history_type")}
        now = dt.datetime(2024, 1, 1)
        stamp = (now, 1, now, 1)
        with conn.transaction():
            cur = conn.cursor()
            with cur.copy(
                "COPY users (id, login, pw, first_name, last_name, valid_id, create_time, create_by, "
                "change_time, change_by) FROM STDIN"
            ) as cp:
                for i in range(20):
                    cp.write_row((100 + i, f"agent{i:02d}", "x", f"Agent{i}", "Bench", 1, *stamp))
            with cur.copy("COPY user_preferences (user_id, preferences_key, preferences_value) FROM STDIN") as cp:
                for i in range(20):
                    cp.write_row((100 + i, "UserEmail", f"agent{i:02d}@vendor.example"))
            with cur.copy(
                "COPY customer_company (customer_id, name, valid_id, create_time, create_by, "
                "change_time, change_by) FROM STDIN"
            ) as cp:
                for i in range(200):
                    cp.write_row((f"cust{i:04d}", f"Customer {i:04d} LLC", 1, *stamp))
            with cur.copy(
                "COPY customer_user (login, email, customer_id, first_name, last_name, valid_id, "
                "create_time, create_by, change_time, change_by) FROM STDIN"
            ) as cp:
                for i in range(1000):
                    cp.write_row(
                        (
                            f"user{i:04d}",
                            f"user{i:04d}@cust{i % 200:04d}.example",
                            f"cust{i % 200:04d}",
                            f"Имя{i}",
                            "Фамилия",
                            1,
                            *stamp,
                        )
                    )
            with cur.copy(
                "COPY queue (id, name, group_id, system_address_id, salutation_id, signature_id, "
                "follow_up_id, follow_up_lock, first_response_time, update_time, solution_time, "
                "valid_id, create_time, create_by, change_time, change_by) FROM STDIN"
            ) as cp:
                for i in range(10):
                    cp.write_row((100 + i, f"Bench::Q{i}", 1, 1, 1, 1, 1, 0, 60 * (i + 1), 120, 480, 1, *stamp))
            tcols = (
                "id, tn, title, queue_id, ticket_lock_id, user_id, responsible_user_id, ticket_priority_id, "
                "ticket_state_id, customer_id, customer_user_id, timeout, until_time, escalation_time, "
                "escalation_update_time, escalation_response_time, escalation_solution_time, create_time, "
                "create_by, change_time, change_by"
            )
            acols = (
                "id, ticket_id, article_sender_type_id, communication_channel_id, is_visible_for_customer, "
                "create_time, create_by, change_time, change_by"
            )
            mcols = (
                "article_id, a_from, a_to, a_subject, a_message_id, a_in_reply_to, a_references, "
                "a_content_type, a_body, incoming_time, content_path, create_time, create_by, change_time, "
                "change_by"
            )
            article_id = 1000
            pdf = bytes(rng.getrandbits(8) for _ in range(16_384))
            pdf64 = base64.encodebytes(pdf).decode("ascii")
            tc = cur.copy(f"COPY ticket ({tcols}) FROM STDIN")
            with tc as t_cp:
                for i in range(tickets):
                    day = dt.date(2022, 1, 1) + dt.timedelta(days=i // 400)
                    when = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(minutes=i % 400)
                    agent = 100 + rng.randrange(20)
                    user = rng.randrange(1000)
                    t_cp.write_row(
                        (
                            10 + i,
                            _tn(day, i % 99999),
                            _sentence(rng, 5),
                            100 + rng.randrange(10),
                            2 if rng.random() < 0.1 else 1,
                            agent,
                            agent,
                            rng.choice(prio),
                            rng.choice(states),
                            f"cust{user % 200:04d}",
                            f"user{user:04d}",
                            0,
                            0,
                            0,
                            0,
                            0,
                            0,
                            when,
                            1,
                            when + dt.timedelta(hours=per_ticket),
                            agent,
                        )
                    )
            counts["tickets"] = tickets
            with cur.copy(f"COPY article ({acols}) FROM STDIN") as a_cp:
                for i in range(tickets):
                    base = dt.datetime(2022, 1, 1, 8) + dt.timedelta(days=i // 400, minutes=i % 400)
                    for j in range(per_ticket):
                        kind = j % 5
                        snd = sender["customer"] if kind in (0, 3) else sender["agent"]
                        chan = (
                            channel["Email"]
                            if kind in (0, 1, 3)
                            else (channel["Internal"] if kind == 2 else channel["Phone"])
                        )
                        a_cp.write_row(
                            (
                                article_id + i * per_ticket + j,
                                10 + i,
                                snd,
                                chan,
                                0 if kind == 2 else 1,
                                base + dt.timedelta(hours=j),
                                1,
                                base + dt.timedelta(hours=j),
                                1,
                            )
                        )
            counts["articles"] = tickets * per_ticket

            def article_rows(i: int) -> Any:
                """(article id, kind, when, mime row) of ticket i, the same on every pass."""
                r = random.Random(seed * 1_000_003 + i)
                base = dt.datetime(2022, 1, 1, 8) + dt.timedelta(days=i // 400, minutes=i % 400)
                cust = f"user{i % 1000:04d}@cust{i % 200:04d}.example"
                subject = f"Проблема {i}: " + _sentence(r, 3)
                for j in range(per_ticket):
                    aid = article_id + i * per_ticket + j
                    kind = j % 5
                    when = base + dt.timedelta(hours=j)
                    frm = cust if kind in (0, 3) else "support@vendor.example"
                    to = "support@vendor.example" if kind in (0, 3) else cust
                    body = "\n".join(_sentence(r, 12) for _ in range(6)) + "\n"
                    msgid = f"<b{aid}@bench.example>"
                    ref = f"<b{aid - 1}@bench.example>" if j else None
                    subj = subject if j == 0 else "Re: " + subject
                    yield (
                        aid,
                        kind,
                        when,
                        (
                            aid,
                            frm,
                            to,
                            subj,
                            msgid,
                            ref,
                            ref,
                            "text/plain; charset=utf-8",
                            body,
                            int(when.timestamp()),
                            when.strftime("%Y/%m/%d"),
                            when,
                            1,
                            when,
                            1,
                        ),
                    )

            # one COPY at a time per connection: three passes over the same deterministic rows
            with cur.copy(f"COPY article_data_mime ({mcols}) FROM STDIN") as m_cp:
                for i in range(tickets):
                    for _, _, _, row in article_rows(i):
                        m_cp.write_row(row)
            with cur.copy(
                "COPY article_data_mime_plain (article_id, body, create_time, create_by, change_time, "
                "change_by) FROM STDIN"
            ) as p_cp:
                for i in range(tickets):
                    for aid, kind, when, row in article_rows(i):
                        if kind in (0, 1, 3):
                            raw = _raw(row[1], row[2], row[3], row[8], row[4], when)
                            p_cp.write_row((aid, base64.encodebytes(raw).decode("ascii"), when, 1, when, 1))
                            counts["raw"] += 1
            with cur.copy(
                "COPY article_data_mime_attachment (article_id, filename, content_size, content_type, "
                "disposition, content, create_time, create_by, change_time, change_by) FROM STDIN"
            ) as x_cp:
                for i in range(tickets):
                    for j in range(per_ticket):
                        aid = article_id + i * per_ticket + j
                        if aid % 20 == 0:
                            when = dt.datetime(2022, 1, 1, 8) + dt.timedelta(days=i // 400, minutes=i % 400, hours=j)
                            x_cp.write_row(
                                (
                                    aid,
                                    f"report-{aid}.pdf",
                                    str(len(pdf)),
                                    "application/pdf",
                                    "attachment",
                                    pdf64,
                                    when,
                                    1,
                                    when,
                                    1,
                                )
                            )
                            counts["attachments"] += 1
            with cur.copy(
                "COPY ticket_history (name, history_type_id, ticket_id, type_id, queue_id, owner_id, "
                "priority_id, state_id, create_time, create_by, change_time, change_by) FROM STDIN"
            ) as h_cp:
                for i in range(tickets):
                    when = dt.datetime(2022, 1, 1, 8) + dt.timedelta(days=i // 400, minutes=i % 400)
                    for type_name, text in (
                        ("NewTicket", "New Ticket [x] created."),
                        ("OwnerUpdate", f"%%agent{i % 20:02d}%%{100 + i % 20}"),
                        ("StateUpdate", "%%new%%closed successful%%"),
                    ):
                        h_cp.write_row((text, htype[type_name], 10 + i, 1, 100, 100 + i % 20, 3, 1, when, 1, when, 1))
                        counts["history"] += 1
            with cur.copy(
                "COPY time_accounting (ticket_id, time_unit, create_time, create_by, change_time, change_by) FROM STDIN"
            ) as x_cp:
                for i in range(tickets):
                    when = dt.datetime(2022, 1, 1, 9) + dt.timedelta(days=i // 400, minutes=i % 400)
                    for k in range(1 + i % 2):
                        x_cp.write_row((10 + i, f"{(i + k) % 90 + 1}.00", when, 100 + i % 20, when, 1))
                        counts["time"] += 1
        for table, column in (("ticket", "id"), ("article", "id"), ("queue", "id"), ("users", "id")):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), (SELECT max({column}) FROM {table}))"
            )
        conn.execute("VACUUM ANALYZE")
    return name, url, counts


def drop(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the two measured children -------------------------------------------------------


def run_child(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int, str]:
    """Run a child process; (wall seconds, its CPU seconds, its peak RSS in bytes, stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    usage = CHILD_USAGE.pop(proc.pid, None)
    if proc.returncode != 0:
        raise SystemExit(f"child failed ({proc.returncode}): {' '.join(args)}\n{err.decode()[-3000:]}")
    assert usage is not None
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, out.decode()


#: rusage of each child, taken by the wait4 that reaps it (subprocess calls os.waitpid internally).
CHILD_USAGE: dict[int, Any] = {}
_waitpid = os.waitpid


def _waitpid_with_usage(pid: int, options: int) -> tuple[int, int]:
    if pid > 0:
        got, status, usage = os.wait4(pid, options)
        if got:
            CHILD_USAGE[got] = usage
        return got, status
    return _waitpid(pid, options)


os.waitpid = _waitpid_with_usage  # type: ignore[assignment]


def blob_placement(work: Path) -> str:
    """Where the desk's blobs are: rows of its ``blobs`` table and files under ``data/blobs``."""
    with contextlib.closing(sqlite3.connect(work / "desk.db")) as conn:
        rows, row_bytes = conn.execute("SELECT count(*), coalesce(sum(size), 0) FROM blobs").fetchone()
    files = [p for p in (work / "data" / "blobs").rglob("*") if p.is_file() and not p.name.startswith(".tmp-")]
    return (
        f"{rows:,} in the database ({fmt_mb(row_bytes)}), {len(files):,} files "
        f"({fmt_mb(sum(p.stat().st_size for p in files))})"
    )


def floor_copy(source: str, target: str) -> None:
    """Child: copy the source rows into SQLite with SQLAlchemy Core, streaming."""
    from sqlalchemy import (
        BigInteger,
        Column,
        DateTime,
        Integer,
        MetaData,
        Numeric,
        Table,
        Text,
        create_engine,
        insert,
        select,
    )
    from sqlalchemy.types import Date

    src = create_engine(source.replace("postgresql://", "postgresql+psycopg://", 1))
    dst = create_engine(f"sqlite:///{target}")
    meta = MetaData()
    meta.reflect(src, only=list(COPIED))
    out = MetaData()

    def generic(col_type: Any) -> Any:
        name = type(col_type).__name__.upper()
        if "INT" in name:
            return BigInteger() if "BIG" in name else Integer()
        if "TIMESTAMP" in name or "DATETIME" in name:
            return DateTime()
        if name == "DATE":
            return Date()
        if "NUMERIC" in name or "DECIMAL" in name:
            return Numeric(10, 2)
        return Text()

    copies = []
    for name in COPIED:
        table = meta.tables[name]
        copies.append(
            (
                table,
                Table(
                    name,
                    out,
                    *[
                        Column(c.name, generic(c.type), primary_key=c.primary_key, autoincrement=False)
                        for c in table.columns
                    ],
                ),
            )
        )
    out.create_all(dst)
    with src.connect() as conn:
        for table, target_table in copies:
            result = conn.execution_options(stream_results=True, max_row_buffer=2000).execute(select(table))
            for part in result.partitions(2000):
                with dst.begin() as d:
                    d.execute(insert(target_table), [dict(r._mapping) for r in part])
    src.dispose()
    dst.dispose()


# --- main --------------------------------------------------------------------------------


def fmt_mb(n: int) -> str:
    return f"{n / 1_048_576:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5000,20000")
    parser.add_argument("--articles-per-ticket", type=int, default=5)
    parser.add_argument(
        "--pg", default=os.environ.get("DESKFRAME_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the generated databases and desks")
    parser.add_argument("--child", choices=["floor"], help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "floor":
        floor_copy(args.source, args.target)
        return

    script = Path(sys.executable).parent / "deskframe"
    if not script.exists():
        raise SystemExit(f"{script} not found: run with the virtualenv's python (pip install -e .)")
    results = []
    for size in [int(s) for s in args.sizes.split(",")]:
        t0 = time.perf_counter()
        name, url, counts = generate(args.pg, size, args.articles_per_ticket, args.seed)
        gen_s = time.perf_counter() - t0
        print(
            f"\n== {size:,} tickets, {counts['articles']:,} articles ({counts['raw']:,} with raw mail, "
            f"{counts['attachments']:,} attachments), {counts['history']:,} history, {counts['time']:,} time "
            f"entries - generated in {gen_s:.1f} s ({name})",
            flush=True,
        )
        work = Path(tempfile.mkdtemp(prefix=f"otrs_bench_{size}_"))
        try:
            (work / "deskframe.toml").write_text('[desk]\ndatabase = "sqlite:///desk.db"\n', encoding="utf-8")
            env = dict(os.environ, DESKFRAME_CONFIG=str(work / "deskframe.toml"))
            subprocess.run([str(script), "db", "upgrade"], check=True, env=env, capture_output=True)
            cmd = ["import", "otrs", "--source", url, "--batch", str(args.batch), "--format", "json"]
            seconds, cpu, rss, out = run_child([str(script), *cmd], env)
            summary = json.loads(out)
            imported = (
                summary["tickets"]["new"],
                summary["articles"],
                summary["attachments"],
                summary["history"],
                summary["time_entries"],
            )
            expected = (
                counts["tickets"] + 1,
                counts["articles"] + 1,
                counts["attachments"],
                counts["history"] + 1,
                counts["time"],
            )
            ok = "ok" if imported == expected else f"MISMATCH expected {expected}"
            print(
                f"  import : {seconds:7.1f} s (cpu {cpu:6.1f} s)  {summary['tickets']['new'] / seconds:6.0f} "
                f"tickets/s  {summary['articles'] / seconds:6.0f} articles/s  peak RSS {fmt_mb(rss)}  "
                f"(tickets, articles, attachments, history, time) = {imported} {ok}",
                flush=True,
            )
            print(f"  blobs  : {blob_placement(work)}", flush=True)
            floor_s, floor_cpu, floor_rss, _ = run_child(
                [sys.executable, __file__, "--child", "floor", "--source", url, "--target", str(work / "floor.db")]
            )
            print(
                f"  floor  : {floor_s:7.1f} s (cpu {floor_cpu:6.1f} s)  {(counts['tickets'] + 1) / floor_s:6.0f} "
                f"tickets/s  {(counts['articles'] + 1) / floor_s:6.0f} articles/s  peak RSS {fmt_mb(floor_rss)}  "
                "(SQLAlchemy Core copy of the same rows)",
                flush=True,
            )
            print(f"  ratio  : {seconds / floor_s:.2f}x the floor (wall), {cpu / floor_cpu:.2f}x (cpu)", flush=True)
            results.append((size, seconds, cpu, floor_s, floor_cpu, rss, floor_rss))
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
                drop(args.pg, name)
            else:
                print(f"  kept: {work} and database {name}")
    print("\nsummary")
    print(
        f"  {'tickets':>8}  {'import s':>9}  {'cpu s':>6}  {'floor s':>8}  {'cpu s':>6}  "
        f"{'ratio':>6}  {'import RSS':>10}  {'floor RSS':>9}"
    )
    for size, seconds, cpu, floor_s, floor_cpu, rss, floor_rss in results:
        print(
            f"  {size:>8,}  {seconds:>9.1f}  {cpu:>6.1f}  {floor_s:>8.1f}  {floor_cpu:>6.1f}  "
            f"{seconds / floor_s:>5.2f}x  {fmt_mb(rss):>10}  {fmt_mb(floor_rss):>9}"
        )
    print(f"  load average at the end: {os.getloadavg()[0]:.1f} (other jobs on the machine inflate wall times)")


if __name__ == "__main__":
    main()
