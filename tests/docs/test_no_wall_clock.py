"""Speed belongs in benchmarks/, not in the suite: no test asserts a wall-clock time.

A busy CI machine runs every test slower; a bound on elapsed seconds fails there for no
reason. Tests that guard against runaway work (a parser looping on hostile input) bound
CPU time (``time.process_time``) generously instead. This test fails when a test module
reads a wall clock for timing (``perf_counter``, ``time.time``); waiting loops with a
``time.monotonic()`` deadline are allowed, since they only stop a wait.
"""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
WALL_CLOCK = re.compile(r"\b(?:time\.)?perf_counter(?:_ns)?\(|\btime\.time(?:_ns)?\(")


def test_no_test_module_times_itself_by_the_wall_clock():
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        if path.name.startswith("bench_") or path == Path(__file__).resolve():
            continue  # bench_*.py are benchmark scripts kept beside their tests, not collected
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if WALL_CLOCK.search(line):
                offenders.append(f"{path.relative_to(TESTS)}:{number}: {line.strip()}")
    assert not offenders, "wall-clock timing in tests (move it to benchmarks/):\n" + "\n".join(offenders)
