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


#: The categories a clock falls in, exactly one each (docs/sla.md); a report row's
#: ``clocks`` is their sum. ``breached`` is ``missed + overdue``, not a category of its own.
CATEGORIES = ("met", "missed", "overdue", "running", "paused", "cancelled")


def summarize(clocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Group clock rows (priority, kind, category, response seconds) into report rows:
    ``clocks`` and one count per category (they add up to ``clocks``), ``breached``
    (missed + overdue), and the median and p90 response of the stopped ones."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for clock in clocks:
        groups.setdefault((clock["priority"], clock["kind"]), []).append(clock)
    out = []
    for (priority, kind), items in sorted(groups.items()):
        responses = [c["response_seconds"] for c in items if c["response_seconds"] is not None]
        median = statistics.median(responses) if responses else None
        p90 = _percentile(responses, 90)
        counts = {name: sum(c["category"] == name for c in items) for name in CATEGORIES}
        out.append(
            {
                "priority": priority,
                "kind": kind,
                "clocks": len(items),
                **counts,
                "breached": counts["missed"] + counts["overdue"],
                "median": format_duration(dt.timedelta(seconds=median)) if median is not None else None,
                "p90": format_duration(dt.timedelta(seconds=p90)) if p90 is not None else None,
                "median_seconds": median,
                "p90_seconds": p90,
            }
        )
    return out
