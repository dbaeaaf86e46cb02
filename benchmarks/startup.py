#!/usr/bin/env python3
"""Start-up cost of the ``deskframe`` command, as CPU time beside ``python -c pass``.

Users call ``deskframe`` from shell scripts, cron, editor integrations and mail hooks, so
every call pays the command's start-up. This script times whole processes: each command
is paired with ``python -c pass`` (the floor: the same interpreter doing nothing), the two
run alternately, and the CPU time (user + system, from ``wait4``) of each is recorded.
The ratio printed is median(command) / median(floor) over ``--pairs`` pairs (15 by default),
so a busy machine slows both sides of a pair alike.

Commands timed:

* ``deskframe --version`` and ``deskframe --help`` (target: at most 4x the floor);
* ``deskframe ticket list`` on a desk of ``--tickets`` tickets (100,000 by default; target:
  at most 12x the floor). The desk is built once with the Core bulk loader of
  ``benchmarks/tickets.py`` (one article per ticket) and kept in ``--dir`` for later runs.

    .venv/bin/python benchmarks/startup.py [--pairs 15] [--tickets 100000] [--dir PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGETS = {"--version": 4.0, "--help": 4.0, "ticket list": 12.0}


def cpu_seconds(args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> float:
    """Run ``args`` to completion; return its CPU time (user + system) in seconds."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd, env=env)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} exited {proc.returncode}: {err.decode(errors='replace')[-500:]}")
    return usage.ru_utime + usage.ru_stime


def deskframe_command() -> list[str]:
    exe = Path(sys.executable).with_name("deskframe")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "deskframe"]


def build_desk(root: Path, tickets: int) -> Path:
    """A desk of ``tickets`` tickets under ``root`` (reused when already built); its config path."""
    config = root / "deskframe.toml"
    marker = root / f"built-{tickets}"
    if marker.exists():
        return config
    sys.path.insert(0, str(HERE))
    import tickets as ticket_bench  # the Core bulk loader of benchmarks/tickets.py

    root.mkdir(parents=True, exist_ok=True)
    db_path = root / "deskframe.db"
    for stale in (db_path, root / "deskframe.db-wal", root / "deskframe.db-shm"):
        stale.unlink(missing_ok=True)
    desk, config = ticket_bench.make_desk(root, db_path)
    plan = ticket_bench.Plan(tickets, 1, 7)
    print(f"building a desk of {tickets:,} tickets in {root} ...", flush=True)
    ticket_bench.core_load(desk.store.db, plan, 0, tickets, settings=desk.config.tickets, day=desk.local_date())
    desk.close()
    marker.write_text("ok\n", encoding="utf-8")
    return config


def measure(pairs: int, commands: dict[str, list[str]], cwd: Path) -> dict[str, tuple[float, float]]:
    """Median CPU seconds of (command, floor) per name, pairs run alternately."""
    floor = [sys.executable, "-c", "pass"]
    # PYTHONDONTWRITEBYTECODE would make every run compile deskframe's sources again (an editable
    # install has no .pyc until one run writes them); a user's installed deskframe has them.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKFRAME_") and k != "PYTHONDONTWRITEBYTECODE"}
    results: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in commands}
    for args in commands.values():  # warm the page cache and bytecode once
        cpu_seconds(args, cwd, env)
    cpu_seconds(floor, cwd, env)
    for i in range(pairs):
        for name, args in commands.items():
            # alternate which side goes first, so neither always runs on a warmer cache
            if i % 2:
                results[name][0].append(cpu_seconds(args, cwd, env))
                results[name][1].append(cpu_seconds(floor, cwd, env))
            else:
                results[name][1].append(cpu_seconds(floor, cwd, env))
                results[name][0].append(cpu_seconds(args, cwd, env))
    return {name: (statistics.median(a), statistics.median(b)) for name, (a, b) in results.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=15)
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "deskframe-startup-bench")
    args = ap.parse_args(argv)

    config = build_desk(args.dir, args.tickets)
    cmd = deskframe_command()
    commands = {
        "--version": [*cmd, "--version"],
        "--help": [*cmd, "--help"],
        "ticket list": [*cmd, "--config", str(config), "ticket", "list"],
    }
    print(f"load average before: {os.getloadavg()[0]:.1f}", flush=True)
    figures = measure(args.pairs, commands, args.dir)
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(f"\nCPU time, median of {args.pairs} alternating pairs (python -c pass = the floor)")
    print(f"{'command':<40} {'deskframe':>10} {'floor':>8} {'ratio':>7} {'target':>7}")
    failed = False
    for name, (mine, floor) in figures.items():
        ratio = mine / floor if floor else float("inf")
        target = TARGETS[name]
        failed |= ratio > target
        label = f"deskframe {name}" + (f" ({args.tickets:,} tickets)" if name == "ticket list" else "")
        print(
            f"{label:<40} {mine * 1000:>8.0f}ms {floor * 1000:>6.0f}ms {ratio:>6.1f}x {target:>6.0f}x"
            + ("  over target" if ratio > target else "")
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
