"""The floor of ``benchmarks/reports.py``: bare SQL on sqlite3 that counts the figures of one
customer's monthly report, and a check that it counts the same figures as the report.

Every figure the report shows that SQL can count without calendar arithmetic is here, one
statement each, written as plainly as SQLite runs it fastest (no ORM, no Python between the
rows and the figure beyond reading them):

* tickets opened, resolved and in the backlog at the period's end, by priority, channel and
  support line (resolved: a state change in the period to a resolved or closed state;
  backlog: the last state change before the end is to a new, open or pending state);
* the previous period's opened, resolved, backlog and breached totals (the comparison);
* SLA clocks of the period's tickets per priority, kind and category as of now (met, missed,
  overdue, running, paused);
* the median and p90 stored working time of the stopped clocks per priority and kind: SQL
  reads ``business_us`` (the working time the SLA service stores when a clock stops) in order,
  and the floor picks the ranks from the ordered rows (window functions that pick them in SQL,
  ``ROW_NUMBER() OVER (PARTITION BY ...)``, took 70 ms where this takes 46);
* the numbers of the tickets with a breached clock;
* minutes by agent and billable, by ticket and billable, and the billable totals of the two
  months before (the retainer usage);
* the tickets' estimates; tickets opened by queue; tickets opened per week and priority.

Left out, because SQL cannot compute them: which tickets were opened outside the calendar's
hours (night duty, outside hours), the working time of running clocks (so the slowest
tickets, which are running ones here), and the recurring subject words. The report computes those in Python on top of what it reads.

Bounds are the benchmark's: customer id 1, October 2026 in Europe/Moscow (UTC+3, no DST).
"""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path
from typing import Any

START, END = "2026-09-30 21:00:00", "2026-10-31 21:00:00"  # October 2026, Moscow, in UTC
PSTART = "2026-08-31 21:00:00"  # September's start; it ends at START
NOW = "2026-11-05 00:00:00.000000"
DONE = "('resolved', 'closed')"
ENDED = "('resolved', 'closed', 'merged')"
#: The customer's tickets that may matter to a period ``[:s, :e)``.
MATTER = (
    "t.customer_id = 1 AND t.created_at < :e AND (t.state_type IN ('new', 'open', 'pending') OR t.updated_at >= :s)"
)
OPENED = "t.customer_id = 1 AND t.created_at >= :s AND t.created_at < :e"
CATEGORY = (
    "CASE WHEN c.status NOT IN ('running', 'paused') THEN c.status "
    "WHEN c.breached_at IS NOT NULL OR (c.status = 'running' AND c.due_at <= :now) "
    "OR (c.status = 'paused' AND c.paused_at >= c.due_at) THEN 'overdue' ELSE c.status END"
)
RESOLVED = (
    "EXISTS (SELECT 1 FROM history h WHERE h.ticket_id = t.id AND h.action = 'state' "
    f"AND h.at >= :s AND h.at < :e AND h.new IN {DONE})"
)
BACKLOG = (
    "COALESCE((SELECT h.new FROM history h WHERE h.ticket_id = t.id AND h.action = 'state' AND h.at < :e "
    f"ORDER BY h.at DESC, h.id DESC LIMIT 1), '') NOT IN {ENDED}"
)
ENTRIES = "t.customer_id = 1 AND e.voided_at IS NULL AND e.work_date >= :first AND e.work_date < :end"

STATEMENTS: dict[str, str] = {
    "counts": (
        f"SELECT t.priority, t.channel, t.line, SUM(t.created_at >= :s), SUM({RESOLVED}), SUM({BACKLOG}) "
        f"FROM tickets t WHERE {MATTER} GROUP BY 1, 2, 3"
    ),
    "previous": (
        f"SELECT SUM(t.created_at >= :ps), SUM({RESOLVED.replace(':s', ':ps').replace(':e', ':s')}), "
        f"SUM({BACKLOG.replace(':e', ':s')}), SUM(t.created_at >= :ps AND EXISTS (SELECT 1 FROM sla_clocks c "
        f"WHERE c.ticket_id = t.id AND {CATEGORY} IN ('missed', 'overdue'))) "
        f"FROM tickets t WHERE {MATTER.replace(':e', ':s').replace('>= :s', '>= :ps')}"
    ),
    "sla": (
        f"SELECT t.priority, c.kind, {CATEGORY}, COUNT(*) FROM sla_clocks c JOIN tickets t ON t.id = c.ticket_id "
        f"WHERE {OPENED} GROUP BY 1, 2, 3"
    ),
    "percentiles": (
        "SELECT t.priority, c.kind, MAX(0, c.business_us - 1000000 * c.paused_seconds) "
        f"FROM sla_clocks c JOIN tickets t ON t.id = c.ticket_id WHERE {OPENED} "
        "AND c.status IN ('met', 'missed') AND c.stopped_at IS NOT NULL ORDER BY 1, 2, 3"
    ),
    "breached": (
        "SELECT DISTINCT t.number FROM sla_clocks c JOIN tickets t ON t.id = c.ticket_id "
        f"WHERE {OPENED} AND {CATEGORY} IN ('missed', 'overdue')"
    ),
    "by_agent": (
        "SELECT a.login, s.billable, s.minutes FROM (SELECT e.agent_id, e.billable, SUM(e.minutes) AS minutes "
        f"FROM time_entries e JOIN tickets t ON t.id = e.ticket_id WHERE {ENTRIES} GROUP BY 1, 2) s "
        "JOIN agents a ON a.id = s.agent_id"
    ),
    "by_ticket": (
        "SELECT t.number, t.subject, SUM(CASE WHEN e.billable THEN e.minutes ELSE 0 END), "
        "SUM(CASE WHEN e.billable THEN 0 ELSE e.minutes END) FROM tickets t "
        f"JOIN time_entries e ON e.ticket_id = t.id WHERE {ENTRIES} GROUP BY t.id"
    ),
    "months_before": (
        "SELECT substr(e.work_date, 1, 7), e.billable, SUM(e.minutes) FROM time_entries e "
        "JOIN tickets t ON t.id = e.ticket_id "
        f"WHERE {ENTRIES.replace(':first', ':first2')} AND e.work_date < :first GROUP BY 1, 2"
    ),
    "estimates": f"SELECT t.number, s.hours FROM estimates s JOIN tickets t ON t.id = s.ticket_id WHERE {MATTER}",
    "categories": (
        f"SELECT q.name, COUNT(*) FROM tickets t JOIN queues q ON q.id = t.queue_id WHERE {OPENED} GROUP BY 1"
    ),
    "weekly": (
        "SELECT date(t.created_at, '+3 hours', 'weekday 0', '-6 days'), t.priority, COUNT(*) "
        f"FROM tickets t WHERE {OPENED} GROUP BY 1, 2"
    ),
}
PARAMS = {
    "s": START,
    "e": END,
    "ps": PSTART,
    "now": NOW,
    "first": "2026-10-01",
    "end": "2026-11-01",
    "first2": "2026-08-01",
}


def run(db: Path) -> dict[str, Any]:
    """The rows of every floor statement on a new sqlite3 connection to ``db``, and under
    ``ranks`` the median and p90 ranks picked from the ordered ``percentiles`` rows:
    ``(priority, kind) -> (median microseconds, p90 microseconds)``."""
    conn = sqlite3.connect(db)
    try:
        rows: dict[str, Any] = {name: conn.execute(sql, PARAMS).fetchall() for name, sql in STATEMENTS.items()}
    finally:
        conn.close()
    groups: dict[tuple[str, str], list[int]] = {}
    for priority, kind, us in rows["percentiles"]:
        groups.setdefault((priority, kind), []).append(us)
    ranks = {}
    for key, ordered in groups.items():
        n = len(ordered)
        median = (ordered[(n - 1) // 2] + ordered[n // 2]) / 2
        ranks[key] = (median, ordered[math.ceil(0.9 * n) - 1])
    rows["ranks"] = ranks
    return rows


def _hours(us: float) -> float:
    return round(us / 1_000_000 / 3600, 2)


def check(rows: dict[str, Any], report: dict[str, Any]) -> list[str]:
    """The figures on which the floor's ``rows`` (:func:`run`) and the ``report``
    (``CustomerReport.as_dict()``) differ, as readable lines (empty: the floor counts the same
    figures)."""
    problems: list[str] = []

    def same(what: str, floor: Any, ours: Any) -> None:
        if floor != ours:
            problems.append(f"{what}: floor {floor!r} != report {ours!r}")

    for position, key, empty in ((0, "by_priority", None), (1, "by_channel", "-"), (2, "by_line", None)):
        grouped: dict[str, list[int]] = {}
        for row in rows["counts"]:
            name = str(row[position] or empty) if empty else str(row[position])
            sums = grouped.setdefault(name, [0, 0, 0])
            for i in range(3):
                sums[i] += row[3 + i]
        floor = {k: dict(zip(("opened", "resolved", "backlog"), v)) for k, v in grouped.items() if any(v)}
        same(key, floor, report["tickets"][key])
    ((opened, resolved, backlog, breached),) = rows["previous"]
    previous = {r["figure"]: r["previous"] for r in report["comparison"]}
    counted = tuple(previous[k] for k in ("opened", "resolved", "backlog"))
    same("previous opened, resolved, backlog", (opened, resolved, backlog), counted)
    same("previous breached share", round(100 * breached / opened, 1) if opened else 0.0, previous["breached_share"])
    sla: dict[tuple[str, str], dict[str, int]] = {}
    for priority, kind, category, n in rows["sla"]:
        sla.setdefault((priority, kind), {})[category] = n
    for row in report["sla"]:
        key = (row["priority"], row["kind"])
        got = sla.get(key, {})
        same(f"sla {key} met", got.get("met", 0), row["met"])
        same(f"sla {key} breached", got.get("missed", 0) + got.get("overdue", 0), row["breached"])
        median, p90 = rows["ranks"].get(key, (None, None))
        same(f"sla {key} median", None if median is None else _hours(median), row["median_hours"])
        same(f"sla {key} p90", None if p90 is None else _hours(p90), row["p90_hours"])
    same("breached tickets", sorted(r[0] for r in rows["breached"]), sorted(report["breaches"]["numbers"]))
    agents: dict[str, dict[str, int]] = {}
    for login, billable, minutes in rows["by_agent"]:
        agents.setdefault(login, {"billable": 0, "non_billable": 0})["billable" if billable else "non_billable"] += (
            minutes
        )
    ours = {r["agent"]: {k: r[k] for k in ("billable", "non_billable")} for r in report["hours"]["by_agent"]}
    same("hours by agent", agents, ours)
    per_ticket = [(r["ticket"], r["subject"], r["billable"], r["non_billable"]) for r in report["hours"]["by_ticket"]]
    same("hours by ticket", sorted(rows["by_ticket"]), per_ticket)
    used = {month: minutes for month, billable, minutes in rows["months_before"] if billable}
    used["2026-10"] = sum(minutes for _login, billable, minutes in rows["by_agent"] if billable)
    same("retainer usage", used, {r["period"]: r["used"] for r in report["retainer_usage"] if r["used"]})
    same("categories", sorted(rows["categories"]), sorted((r["queue"], r["tickets"]) for r in report["categories"]))
    weeks: dict[str, dict[str, int]] = {}
    for week, priority, n in rows["weekly"]:
        weeks.setdefault(week, {})[priority] = n
    shown = {r["week"]: {p: n for p, n in r.items() if p != "week" and n} for r in report["weekly"]}
    same("weekly", weeks, {week: counts for week, counts in shown.items() if counts})
    return problems
