"""SLA compliance figures from clock outcomes (pure functions)."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from typing import Any

from .durations import format_duration


def _percentile(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, math.ceil(pct / 100 * len(ordered)) - 1))  # nearest rank
    return ordered[index]


def summarize(clocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Group clock rows (priority, kind, status, response seconds) into report rows."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for clock in clocks:
        groups.setdefault((clock["priority"], clock["kind"]), []).append(clock)
    out = []
    for (priority, kind), items in sorted(groups.items()):
        responses = [c["response_seconds"] for c in items if c["response_seconds"] is not None]
        median = statistics.median(responses) if responses else None
        p90 = _percentile(responses, 90)
        out.append({"priority": priority, "kind": kind, "clocks": len(items),
                    "met": sum(c["status"] == "met" for c in items),
                    "breached": sum(c["breached"] for c in items),
                    "running": sum(c["status"] in ("running", "paused") for c in items),
                    "median": format_duration(dt.timedelta(seconds=median)) if median is not None else None,
                    "p90": format_duration(dt.timedelta(seconds=p90)) if p90 is not None else None,
                    "median_seconds": median, "p90_seconds": p90})
    return out
