#!/usr/bin/env python3
"""SLA deadlines in business time: deskframe.sla.Calendar beside its peers.

Same inputs as shared/peers/sla_bench.py: N random creation instants 2025-01-01 ..
2027-12-15 UTC drawn with ``random.Random(seed)`` after the ``--cases`` agreement
sample (so the default seed 7 and 200 cases give the very same 100,000 instants),
a Mon-Fri 10:00-19:00 Europe/Moscow calendar minus the ``holidays`` RU dates, and
targets +1 and +16 business hours. Prints deadlines/second (median of --repeat) for:

* ``deskframe add``: one ``Calendar.add`` call per deadline, aware datetimes in and out;
* ``deskframe add_many``: ``Calendar.add_many`` on the list of datetimes (pure Python);
* ``deskframe add_many[np]``: ``add_many`` on a ``datetime64[us]`` array (if NumPy is
  installed; inputs prepared untimed, as sla_bench.py does for workclock);
* ``ref``: sla_bench.py's plain stdlib loop (the stated semantics);
* ``pandas``: ``CustomBusinessHour`` (if pandas is importable);
* ``workclock``: ``Schedule.add_many`` on a ``datetime64[us]`` array (if importable).

Then it checks answers: deskframe's add, add_many and add_many[np] against each other
and against ``ref`` on all N, and against pandas/workclock where they ran; then the
same on sla_bench.py's edge cases and its 200-case sample (a quarter snapped to whole
hours, where deadlines land exactly on closing time). A pandas answer that differs
only because deskframe's deadline lands exactly on a frame end (19:00) while pandas
moves it to the next opening (the same business instant) is counted as "frame-end
convention", not as a disagreement.

Building the calendar's tables (first use) is not timed, as pandas' offset and
workclock's schedule are built outside the timing too; the line before the timings
says what it costs. Machine load changes every figure: compare engines within a run.

    PYTHONPATH=src python benchmarks/sla.py [-n 100000] [--cases 200] [--repeat 3] [--seed 7]
                                            [--pandas-n N] [--no-pandas] [--no-workclock]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import time
import warnings
from datetime import datetime, timedelta, timezone
from datetime import time as dtime
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

import holidays

from deskframe.sla import Calendar

TZ = "Europe/Moscow"
MSK, UTC = ZoneInfo(TZ), timezone.utc
OPEN, CLOSE = dtime(10), dtime(19)
TARGETS = {"first_response+1h": 1, "resolution+16h": 16}
SPAN = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2027, 12, 15, tzinfo=UTC))
CONFIG = {
    "timezone": TZ,
    "hours": dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "10:00-19:00"),
    "holidays": {"country": "RU"},
}
HOLIDAYS = frozenset(holidays.country_holidays("RU", years=range(2025, 2028)))


def random_created(rng: random.Random, n: int, snap_share: float = 0.0) -> list[datetime]:
    """Exactly sla_bench.py's generator (same draws from the same rng)."""
    lo, width = SPAN[0].timestamp(), int(SPAN[1].timestamp() - SPAN[0].timestamp())
    ts = [lo + rng.randrange(width) for _ in range(n)]
    ts = [t - t % 3600 if rng.random() < snap_share else t for t in ts]
    return [datetime.fromtimestamp(t, UTC) for t in ts]


def ref_add(created: datetime, hours: int) -> datetime:
    """sla_bench.py's reference: walk working days; a deadline on 19:00 stays at 19:00."""
    t, left, day = created.astimezone(MSK), timedelta(hours=hours), created.astimezone(MSK).date()
    while True:
        if day.weekday() < 5 and day not in HOLIDAYS:
            start, end = max(t, datetime.combine(day, OPEN, MSK)), datetime.combine(day, CLOSE, MSK)
            if start < end:
                if left <= end - start:
                    return (start + left).astimezone(UTC)
                left -= end - start
        day += timedelta(days=1)
        t = datetime.combine(day, dtime(0), MSK)


def timed(fn, repeat: int) -> tuple[float, list[float], object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, out


def line(name: str, target: str, n: int, med: float, times: list[float], extra: str = "") -> None:
    runs = ", ".join(f"{t:.3f}" for t in times)
    print(f"{name:24} {target:18} {n / med:12,.0f} deadlines/s  (runs: {runs} s){extra}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--cases", type=int, default=200, help="draws sla_bench.py makes before the timing set")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--pandas-n", type=int, default=None, help="time pandas on the first N only (default: all)")
    ap.add_argument("--no-pandas", action="store_true")
    ap.add_argument("--no-workclock", action="store_true")
    a = ap.parse_args()

    rng = random.Random(a.seed)
    cases = random_created(rng, a.cases, snap_share=0.25) if a.cases else []  # sla_bench.py's sample
    created = random_created(rng, a.n)

    np = pd = workclock = None
    with contextlib.suppress(ImportError):
        import numpy as np
    if not a.no_pandas:
        try:
            import pandas as pd
        except ImportError:
            print("skipping pandas: not importable")
    if not a.no_workclock:
        try:
            import workclock
        except ImportError:
            print("skipping workclock: not importable")
    from importlib.metadata import version

    vers = [f"holidays {version('holidays')}"]
    for mod, dist in ((np, "numpy"), (pd, "pandas"), (workclock, "workclock")):
        if mod is not None:
            vers.append(f"{dist} {version(dist)}")
    print(f"Python {sys.version.split()[0]}, " + ", ".join(vers) + f"; {len(HOLIDAYS)} RU holiday dates 2025-2027")
    print(
        f"inputs: N={a.n} seed={a.seed} after {a.cases} agreement draws; from {min(created).isoformat()} "
        f"to {max(created).isoformat()}"
    )

    t0 = time.perf_counter()
    cal = Calendar.from_config(CONFIG, "moscow-8x5")
    t1 = time.perf_counter()
    cal.add(created[0], timedelta(hours=1))  # builds the precomputed years (lazily, once per instance)
    t2 = time.perf_counter()
    print(
        f"deskframe: from_config {1e3 * (t1 - t0):.1f} ms, first add (builds years, imports holidays) "
        f"{1e3 * (t2 - t1):.1f} ms; not timed below"
    )

    x_np = None
    if np is not None:
        x_np = np.array([c.replace(tzinfo=None) for c in created], dtype="datetime64[us]")
    results: dict[str, dict[str, list[datetime]]] = {t: {} for t in TARGETS}

    print(f"== timing: N={a.n} deadlines per engine and target, median of {a.repeat}")
    for target, hours in TARGETS.items():
        delta = timedelta(hours=hours)
        add = cal.add
        med, times, out = timed(lambda add=add, delta=delta: [add(c, delta) for c in created], a.repeat)
        line("deskframe add", target, a.n, med, times)
        results[target]["deskframe add"] = out
        med, times, out = timed(lambda delta=delta: cal.add_many(created, delta), a.repeat)
        line("deskframe add_many", target, a.n, med, times)
        results[target]["deskframe add_many"] = out
        if x_np is not None:
            med, times, out = timed(lambda delta=delta: cal.add_many(x_np, delta), a.repeat)
            line("deskframe add_many[np]", target, a.n, med, times, "  (datetime64 in and out)")
            results[target]["deskframe add_many[np]"] = [x.replace(tzinfo=UTC) for x in out.astype(datetime)]
        med, times, out = timed(lambda hours=hours: [ref_add(c, hours) for c in created], 1)
        line("ref (stdlib loop)", target, a.n, med, times, "  (1 run)")
        results[target]["ref"] = out

    bh = sched = None
    if pd is not None:
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)  # CBH is applied per element
        bh = pd.offsets.CustomBusinessHour(start="10:00", end="19:00", holidays=sorted(HOLIDAYS))
        m = a.n if a.pandas_n is None else min(a.n, a.pandas_n)
        idx = pd.DatetimeIndex(created[:m])
        for target, hours in TARGETS.items():
            med, times, out = timed(lambda hours=hours: (idx.tz_convert(TZ) + hours * bh).tz_convert("UTC"), a.repeat)
            line("pandas CBH", target, m, med, times)
            results[target]["pandas"] = list(out.to_pydatetime())

    if workclock is not None and np is not None:
        sched = workclock.Schedule([workclock.WorkDay(OPEN, CLOSE), workclock.Holidays(HOLIDAYS)], time_zone=TZ)
        for target, hours in TARGETS.items():
            med, times, out = timed(lambda hours=hours: sched.add_many(x_np, np.timedelta64(hours, "h")), a.repeat)
            line("workclock add_many", target, a.n, med, times, "  (datetime64 in and out)")
            results[target]["workclock"] = [x.replace(tzinfo=UTC) for x in out.astype(datetime)]

    print("== agreement with 'deskframe add' on the timed inputs (all inputs each engine ran)")
    for target in TARGETS:
        agreement(cal, created, results[target], target)

    # sla_bench.py's edge cases and its agreement sample (a quarter snapped to whole hours,
    # where deadlines land exactly on 19:00 and the conventions differ)
    sample = [datetime.fromisoformat(e).replace(tzinfo=MSK).astimezone(UTC) for e in EDGES] + cases
    print(
        f"== agreement on sla_bench.py's {len(EDGES)} edge cases + {len(cases)} sampled cases "
        f"(25% snapped to whole hours)"
    )
    for target, hours in TARGETS.items():
        delta = timedelta(hours=hours)
        res = {
            "deskframe add": [cal.add(c, delta) for c in sample],
            "deskframe add_many": cal.add_many(sample, delta),
            "ref": [ref_add(c, hours) for c in sample],
        }
        if np is not None:
            res["deskframe add_many[np]"] = [
                x.replace(tzinfo=UTC)
                for x in cal.add_many(
                    np.array([c.replace(tzinfo=None) for c in sample], dtype="datetime64[us]"), delta
                ).astype(datetime)
            ]
        if pd is not None:
            res["pandas"] = list(
                (pd.DatetimeIndex(sample).tz_convert(TZ) + hours * bh).tz_convert("UTC").to_pydatetime()
            )
        if workclock is not None and np is not None:
            arr = np.array([c.replace(tzinfo=None) for c in sample], dtype="datetime64[us]")
            res["workclock"] = [
                x.replace(tzinfo=UTC) for x in sched.add_many(arr, np.timedelta64(hours, "h")).astype(datetime)
            ]
        agreement(cal, sample, res, target)


EDGES = [
    "2025-03-03 09:59:59",
    "2025-03-03 10:00",
    "2025-03-03 12:00",
    "2025-03-03 18:00",
    "2025-03-03 18:59:59",
    "2025-03-03 19:00",
    "2025-03-07 18:30",
    "2025-03-08 12:00",
    "2025-04-30 18:30",
    "2025-10-31 18:30",
    "2025-12-31 12:00",
]  # sla_bench.py's edge table, Moscow local times


def agreement(cal: Calendar, created: list[datetime], results: dict[str, list[datetime]], target: str) -> None:
    """Print, per engine, how many answers differ from deskframe's single add."""
    ours = results["deskframe add"]
    for name, got in results.items():
        if name == "deskframe add":
            continue
        conv = bad = 0
        examples = []
        for c, e, g in zip(created, ours, got):
            if e == g:
                continue
            if (
                name == "pandas"
                and not cal.is_working(e)
                and cal.is_working(e - timedelta(microseconds=1))
                and g == cal.next_working(e)
            ):
                conv += 1
                if len(examples) < 5:
                    examples.append((c, e, g, "frame-end convention"))
                continue
            bad += 1
            if len(examples) < 5:
                examples.append((c, e, g, "DISAGREE"))
        extra = (
            f", {conv} frame-end convention (deadline exactly at closing time; pandas says next opening)"
            if name == "pandas"
            else ""
        )
        print(f"{target:18} {name:24} {bad:6d} / {len(got)} disagree{extra}")
        for c, e, g, why in examples:
            print(
                f"    {why}: created {c.astimezone(MSK):%a %Y-%m-%d %H:%M:%S}: deskframe "
                f"{e.astimezone(MSK):%a %Y-%m-%d %H:%M:%S}, {name} {g.astimezone(MSK):%a %Y-%m-%d %H:%M:%S} MSK"
            )


if __name__ == "__main__":
    main()
