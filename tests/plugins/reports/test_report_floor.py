"""The reports benchmark's floor (benchmarks/reports_floor.py) counts the report's figures: on a
small month built by the benchmark's own builder its rows give the report's figures, and a floor
statement that counts differently is caught with the figure named. (The benchmark times the
floor against the report; this only checks that they count the same, never how fast.)"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = pytest.mark.sqlite_pass

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The benchmark's modules, its database of a small month, and the report's figures for it."""
    saved = {name: sys.modules.get(name) for name in ("reports_floor", "reports")}
    try:
        floor = _load("reports_floor")
        bench = _load("reports")
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    config = bench.build(tmp_path_factory.mktemp("floor"), 300, 1500, 5)

    from deskframe.config import load_config
    from deskframe.desk import Desk
    from deskframe.plugins import build_plugins
    from deskframe_reports import build_report

    plugins = build_plugins()
    now = dt.datetime(2026, 11, 5, tzinfo=dt.timezone.utc)
    desk = Desk(load_config(config, plugins.registry), plugins, clock=lambda: now)
    try:
        report = build_report(desk, "big", "2026-10")[0].as_dict()
    finally:
        desk.close()
    return floor, config.parent / "desk.db", report


def test_the_floor_counts_the_reports_figures(month: Any) -> None:
    floor, db, report = month
    rows = floor.run(db)
    assert report["tickets"]["opened"] == 300 and report["sla"] and report["hours"]["by_ticket"]
    assert floor.check(rows, report) == []


@pytest.mark.parametrize(
    ("statement", "old", "new", "figure"),
    [
        ("counts", "IN ('resolved', 'closed')", "IN ('closed')", "by_priority"),
        ("sla", "c.due_at <= :now", "c.due_at <= :s", "breached"),
        ("weekly", "'+3 hours'", "'+0 hours'", "weekly"),
        ("percentiles", "ORDER BY 1, 2, 3", "ORDER BY 1, 2, 3 DESC", "p90"),
        ("by_agent", "SUM(e.minutes)", "SUM(e.minutes) + 1", "hours by agent"),
    ],
)
def test_a_floor_that_counts_otherwise_is_caught(
    month: Any, monkeypatch: pytest.MonkeyPatch, statement: str, old: str, new: str, figure: str
) -> None:
    floor, db, report = month
    assert old in floor.STATEMENTS[statement]
    monkeypatch.setitem(floor.STATEMENTS, statement, floor.STATEMENTS[statement].replace(old, new))
    problems = floor.check(floor.run(db), report)
    assert any(figure in line for line in problems), problems
