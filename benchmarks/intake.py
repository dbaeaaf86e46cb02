#!/usr/bin/env python3
"""E-mail intake speed: generated messages from a Maildir into SQLite, beside the peers' figures.

For each size (default 5,000 and 20,000 messages of the peers' corpus,
``../shared/peers/gen_corpus.py`` with ``--seed 42``) a fresh process builds a
Desk on a fresh SQLite file with one ``email`` channel reading a Maildir whose
``new/`` holds the corpus, and runs the very poll ``deskframe intake run --once``
runs (fetch -> parse -> ``desk.intake.receive``, one transaction per message -> move to
``cur/``). Only the poll is timed; peak RSS is that process's ``ru_maxrss``.

Beside it, in the same run and on the same files: the peers' stdlib floor
(``stdlib_floor.py``: stdlib parse + SQLite ``executemany``, no threading), in
one transaction and with ``--commit-each``, run with this interpreter (it needs
only the stdlib). django-helpdesk is not run here (it needs Django); its figure
is quoted from ``../shared/peers/README.md`` (N=2000, same machine kind).

Targets from the issue: at least 10x django-helpdesk, at least a third of the
floor, peak memory flat between 5,000 and 20,000 messages. ``--profile N``
appends a cProfile of ``N`` messages' intake (top 20 by cumulative and by own
time) and the SQL statements one new-ticket intake runs.

    .venv/bin/python benchmarks/intake.py [--sizes 5000 20000] [--seed 42] [--repeat 1]
        [--no-floor] [--profile N] [--workdir DIR] [--keep] [--peers DIR]

Corpus semantics: every message opens a new ticket here. The corpus' replies
carry ``[support-ID]`` (django-helpdesk's tickets 1..50, pre-created by the
peers' benches) and a random In-Reply-To, which name no deskframe ticket, so
deskframe takes the heavier path (new ticket, contact, number, SLA, history) for
all of them, where the peers append 30% as follow-ups.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CHANNEL = "bench-mail"
CONFIG = """\
[desk]
database = "sqlite:///{db}"
data_dir = "{data}"

[[channels]]
name = "{channel}"
type = "email"
source = "maildir:{maildir}"
address = "support@helpdesk.example.com"
parse_workers = {workers}
"""


def _toml(path: Path) -> str:
    return str(path).replace("\\", "\\\\").replace('"', '\\"')


# --- one measured run (a fresh process) ------------------------------------------------------


def _desk(config: Path):
    from deskframe.config import load_config
    from deskframe.desk import Desk
    from deskframe.plugins import build_plugins

    plugins = build_plugins()
    desk = Desk(load_config(config, plugins.registry), plugins)
    desk.upgrade()
    return desk


def worker(run_dir: Path) -> None:
    from deskframe.intake.polling import build_channel, poll

    desk = _desk(run_dir / "deskframe.toml")
    channel = build_channel(desk, CHANNEL)
    start, cpu = time.perf_counter(), time.process_time()
    report = poll(desk, channel)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before any check loads rows
    children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # parse workers, if any
    children_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    left = len(os.listdir(run_dir / "maildir" / "new"))
    desk.close()
    print(
        json.dumps(
            {
                **report.as_dict(),
                "seconds": wall,
                "cpu_seconds": cpu,
                "msgs_per_s": report.fetched / wall if wall else 0.0,
                "left_in_new": left,
                "peak_rss_mib": peak,
                "worker_peak_rss_mib": children_peak,
                "worker_cpu_seconds": children_cpu.ru_utime + children_cpu.ru_stime,
            }
        )
    )


# --- set-up ----------------------------------------------------------------------------------


def make_corpus(peers: Path, workdir: Path, n: int, seed: int) -> Path:
    corpus = workdir / f"corpus-{n}-seed{seed}"
    if corpus.is_dir() and len(os.listdir(corpus)) == n:
        return corpus
    shutil.rmtree(corpus, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(peers / "gen_corpus.py"), str(corpus), "-n", str(n), "--seed", str(seed)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"generated {n} messages (seed {seed}) in {time.perf_counter() - started:.1f} s: {corpus}", flush=True)
    return corpus


def subset(corpus: Path, target: Path, n: int) -> list[str]:
    """Hard links (else copies) of the first ``n`` corpus files in ``target``."""
    names = sorted(os.listdir(corpus))[:n]
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        try:
            os.link(corpus / name, target / name)
        except OSError:
            shutil.copyfile(corpus / name, target / name)
    return names


def prepare(corpus: Path, workdir: Path, n: int, index: int, workers: str = '"auto"') -> Path:
    run_dir = workdir / f"run-{n}-{index}"
    shutil.rmtree(run_dir, ignore_errors=True)
    maildir = run_dir / "maildir"
    for sub in ("tmp", "cur"):
        (maildir / sub).mkdir(parents=True)
    subset(corpus, maildir / "new", n)
    (run_dir / "deskframe.toml").write_text(
        CONFIG.format(
            db=_toml(run_dir / "desk.sqlite3"),
            data=_toml(run_dir / "data"),
            channel=CHANNEL,
            maildir=_toml(maildir),
            workers=workers,
        ),
        encoding="utf-8",
    )
    return run_dir


def measure(run_dir: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--worker", str(run_dir)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"worker failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def floor(peers: Path, corpus_dir: Path, repeat: int, commit_each: bool) -> dict | None:
    cmd = [sys.executable, str(peers / "stdlib_floor.py"), "--corpus", str(corpus_dir), "--repeat", str(repeat)]
    if commit_each:
        cmd.append("--commit-each")
    done = subprocess.run(
        cmd, capture_output=True, text=True, env={**os.environ, "PEERS_TMPDIR": str(corpus_dir.parent)}
    )
    if done.returncode != 0:
        print(f"  stdlib floor failed ({done.returncode}): {done.stderr.strip()[-500:]}")
        return None
    for line in done.stdout.splitlines():
        print("  | " + line)
    m = re.search(r"MEDIAN .*?: (\d+) msg/s, peak RSS ([\d.]+) MiB", done.stdout)
    return {"msgs_per_s": float(m.group(1)), "peak_rss_mib": float(m.group(2))} if m else None


def helpdesk_measured(python: Path, peers: Path, workdir: Path, n: int, seed: int, repeat: int) -> float | None:
    """Run the peers' django-helpdesk bench now (its own venv), so both figures share the machine's load."""
    cmd = [
        str(python),
        str(peers / "django_helpdesk_bench.py"),
        "-n",
        str(n),
        "--seed",
        str(seed),
        "--repeat",
        str(repeat),
    ]
    done = subprocess.run(
        cmd, capture_output=True, text=True, cwd=peers, env={**os.environ, "PEERS_TMPDIR": str(workdir)}
    )
    for line in done.stdout.splitlines():
        print("  | " + line)
    if done.returncode != 0:
        print(f"  django-helpdesk bench failed ({done.returncode}): {done.stderr.strip()[-500:]}")
        return None
    m = re.search(r"MEDIAN django-helpdesk .*?: ([\d.]+) msg/s", done.stdout)
    return float(m.group(1)) if m else None


def default_helpdesk_python() -> Path | None:
    venv = Path(os.environ.get("PEERS_VENV", "/tmp/peers-venv"))
    python = venv / "bin" / "python"
    return python if python.exists() else None


def helpdesk_reference(peers: Path) -> tuple[float | None, str]:
    readme = peers / "README.md"
    if not readme.exists():
        return None, "(../shared/peers/README.md not found)"
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.startswith("| django-helpdesk"):
            m = re.search(r"\*\*([\d.]+)\*\*", line)
            return (float(m.group(1)) if m else None), line.strip()
    return None, "(no django-helpdesk line in ../shared/peers/README.md)"


# --- profile ---------------------------------------------------------------------------------


def profile(corpus: Path, workdir: Path, n: int) -> None:
    from sqlalchemy import event

    from deskframe.intake.polling import build_channel, poll

    run_dir = prepare(corpus, workdir, n, 999)
    desk = _desk(run_dir / "deskframe.toml")
    channel = build_channel(desk, CHANNEL)
    statements: list[str] = []
    engine = getattr(getattr(desk.store, "db", None), "engine", None)
    if engine is not None:
        event.listen(
            engine,
            "before_cursor_execute",
            lambda conn, cursor, sql, params, context, many: statements.append(sql.split("\n")[0][:110]),
        )
    fetched = iter(channel.fetch())
    first = next(fetched)
    statements.clear()
    result = desk.intake.receive(first)
    one = list(statements)
    channel.ack(first, result)
    statements.clear()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    report = poll(desk, channel)  # the rest, exactly as `intake run --once` takes them (in batches)
    profiler.disable()
    wall = time.perf_counter() - started
    count = report.fetched
    print(
        f"\n== profile: the poll of {count} messages (read, parse, store in batches, ack) under cProfile: "
        f"{wall / max(count, 1) * 1000:.2f} ms/msg, {len(statements) / max(count, 1):.1f} SQL statements/msg"
    )
    for key in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(key).print_stats(20)
        text = out.getvalue()
        print(f"\n-- top 20 by {key} --")
        print(text[text.index("ncalls") :].rstrip() if "ncalls" in text else text)
    print(f"\n-- SQL statements of one new-ticket intake ({len(one)}) --")
    for sql in one:
        print("   " + sql)
    desk.close()


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=1, help="measured runs per size (median is reported)")
    ap.add_argument("--no-floor", action="store_true", help="skip the stdlib floor runs")
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile N messages' intake at the end")
    ap.add_argument("--workdir", type=Path, help="where corpus and runs go (default: a temporary directory)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--peers", type=Path, default=ROOT.parent / "shared" / "peers")
    ap.add_argument(
        "--parse-workers",
        default="auto",
        help='parse_workers of the measured channel ("auto" or a number); an in-process run '
        "(parse_workers = 0) is measured beside it",
    )
    ap.add_argument(
        "--helpdesk-python",
        type=Path,
        default=default_helpdesk_python(),
        help="python of a venv with ../shared/peers/requirements.txt (default $PEERS_VENV or "
        "/tmp/peers-venv): django-helpdesk is then measured in this run",
    )
    ap.add_argument("--helpdesk-n", type=int, default=2000, help="messages for the django-helpdesk run")
    ap.add_argument("--no-helpdesk", action="store_true", help="quote django-helpdesk's figure instead of running it")
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        worker(a.worker)
        return
    if not (a.peers / "gen_corpus.py").exists():
        raise SystemExit(f"no gen_corpus.py in {a.peers} (use --peers)")
    workers = '"auto"' if a.parse_workers == "auto" else str(int(a.parse_workers))
    workdir = a.workdir or Path(tempfile.mkdtemp(prefix="deskframe-intake-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    import sqlite3

    print(
        f"deskframe e-mail intake benchmark: Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} CPUs, load {' '.join(f'{x:.2f}' for x in os.getloadavg())}, sizes {a.sizes}, "
        f"seed {a.seed}, repeat {a.repeat}, parse_workers {workers}, workdir {workdir}",
        flush=True,
    )
    corpus = make_corpus(a.peers, workdir, max(a.sizes), a.seed)
    helpdesk, helpdesk_line = helpdesk_reference(a.peers)
    helpdesk_source = "quoted from ../shared/peers/README.md (N=2000, not run here)"
    rows = []
    try:
        if a.helpdesk_python and not a.no_helpdesk:
            print(f"django-helpdesk N={a.helpdesk_n}, measured now with {a.helpdesk_python}:", flush=True)
            measured = helpdesk_measured(a.helpdesk_python, a.peers, workdir, a.helpdesk_n, a.seed, a.repeat)
            if measured:
                helpdesk, helpdesk_source = measured, f"measured in this run (N={a.helpdesk_n})"
                helpdesk_line = f"django-helpdesk get_email: {measured:.1f} msg/s"
        for n in a.sizes:
            best = {}
            for label, setting in (("workers", workers), ("in-process", "0")):
                runs = []
                for i in range(a.repeat):
                    run_dir = prepare(corpus, workdir, n, i, setting)
                    r = measure(run_dir)
                    ok = (
                        r["fetched"] == n
                        and r["quarantined"] == 0
                        and r["left_in_new"] == 0
                        and r["created"] + r["appended"] == n
                        and r["stopped"] is None
                    )
                    print(
                        f"deskframe N={n} parse_workers={setting} run {i + 1}: {r['fetched']} msgs in "
                        f"{r['seconds']:.1f} s (CPU {r['cpu_seconds']:.1f} s, workers' CPU "
                        f"{r['worker_cpu_seconds']:.1f} s) = {r['msgs_per_s']:.0f} msg/s, peak RSS "
                        f"{r['peak_rss_mib']:.1f} MiB (largest worker {r['worker_peak_rss_mib']:.1f} MiB); "
                        f"new tickets {r['created']}, follow-ups {r['appended']}, duplicates {r['duplicates']}, "
                        f"quarantined {r['quarantined']}, left in new/ {r['left_in_new']} -> "
                        f"{'OK' if ok else 'CHECK FAILED'}",
                        flush=True,
                    )
                    runs.append(r)
                    if not a.keep:
                        shutil.rmtree(run_dir, ignore_errors=True)
                runs.sort(key=lambda r: r["msgs_per_s"])
                best[label] = runs[len(runs) // 2]
                if setting == "0" and workers == "0":
                    break
            one_tx = each = None
            if not a.no_floor:
                files = workdir / f"floor-corpus-{n}"
                shutil.rmtree(files, ignore_errors=True)
                subset(corpus, files, n)
                print(f"stdlib floor N={n}, one transaction:", flush=True)
                one_tx = floor(a.peers, files, a.repeat, commit_each=False)
                print(f"stdlib floor N={n}, commit per message:", flush=True)
                each = floor(a.peers, files, a.repeat, commit_each=True)
                shutil.rmtree(files, ignore_errors=True)
            rows.append((n, best["workers"], best.get("in-process"), one_tx, each))
        if a.profile:
            profile(corpus, workdir, a.profile)
    finally:
        if not a.keep and a.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"\n== summary (msg/s ; peak RSS MiB of the main process), load {' '.join(f'{x:.2f}' for x in os.getloadavg())} =="
    )
    print(
        f"{'N':>6}  {'deskframe':>16}  {'in-process':>16}  {'floor 1 tx':>16}  {'floor commit/msg':>16}  "
        f"{'vs floor 1tx':>12}  {'vs helpdesk':>11}  {'in-proc vs hd':>13}"
    )

    def cell(r):
        return f"{r['msgs_per_s']:7.0f} ; {r['peak_rss_mib']:5.1f}" if r else f"{'-':>16}"

    for n, mine, single, one_tx, each in rows:
        ratio = f"{mine['msgs_per_s'] / one_tx['msgs_per_s']:.2f}x" if one_tx else "-"
        vs_helpdesk = f"{mine['msgs_per_s'] / helpdesk:.1f}x" if helpdesk else "-"
        single_vs = f"{single['msgs_per_s'] / helpdesk:.1f}x" if helpdesk and single else "-"
        print(
            f"{n:>6}  {cell(mine):>16}  {cell(single):>16}  {cell(one_tx):>16}  {cell(each):>16}  {ratio:>12}  "
            f"{vs_helpdesk:>11}  {single_vs:>13}"
        )
    print(f"django-helpdesk, {helpdesk_source}:\n  {helpdesk_line}")
    if len(rows) >= 2:
        small, large = rows[0][1], rows[-1][1]
        print(
            f"peak RSS N={rows[0][0]}: {small['peak_rss_mib']:.1f} MiB, N={rows[-1][0]}: {large['peak_rss_mib']:.1f} MiB "
            f"({(large['peak_rss_mib'] / small['peak_rss_mib'] - 1) * 100:+.1f}%); largest parse worker "
            f"{small['worker_peak_rss_mib']:.1f} / {large['worker_peak_rss_mib']:.1f} MiB"
        )
    if helpdesk:
        best_rate = rows[-1][1]["msgs_per_s"]
        print(
            f"targets: >= 10x django-helpdesk = {10 * helpdesk:.0f} msg/s: "
            f"{'met' if best_rate >= 10 * helpdesk else 'NOT met'}"
            + (
                f"; >= 1/3 of the floor (one transaction) = {rows[-1][3]['msgs_per_s'] / 3:.0f} msg/s: "
                f"{'met' if best_rate >= rows[-1][3]['msgs_per_s'] / 3 else 'NOT met'}"
                if rows[-1][3]
                else ""
            )
        )


if __name__ == "__main__":
    main()
