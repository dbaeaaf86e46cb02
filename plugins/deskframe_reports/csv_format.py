"""The report as CSV: one row per figure (``section,item,measure,value``), machine-readable
values (plain numbers, ISO dates, English figure names), for a spreadsheet or a BI import."""

from __future__ import annotations

import csv
import io
from typing import Any

MEDIA_TYPE = "text/csv; charset=utf-8"
HEADER = ("section", "item", "measure", "value")


def rows(report: Any) -> list[tuple[str, str, str, Any]]:
    """The report's figures as ``(section, item, measure, value)`` rows."""
    out: list[tuple[str, str, str, Any]] = []
    for name in ("opened", "resolved", "backlog"):
        out.append(("tickets", "all", name, report.tickets[name]))
    for key in ("by_priority", "by_channel", "by_line"):
        for item, group in report.tickets[key].items():
            out.extend((f"tickets_{key}", item, name, value) for name, value in group.items())
    for r in report.sla:
        item = f"{r['priority']} {r['kind']}"
        for name in ("met", "breached", "open", "met_pct", "breached_pct", "median_hours", "p90_hours"):
            out.append(("sla", item, name, r[name]))
        out.append(("sla", item, "target_hours", " ".join(str(t) for t in r["target_hours"])))
    out.append(("breaches", "all", "tickets", report.breaches["tickets"]))
    out.append(("breaches", "all", "share_pct", report.breaches["share"]))
    out.append(("outside_hours", "all", "tickets", report.outside_hours["tickets"]))
    out.append(("outside_hours", "all", "share_pct", report.outside_hours["share"]))
    for t in report.slowest:
        out.append(("slowest", t["number"], "hours", t["hours"]))
        if "url" in t:
            out.append(("slowest", t["number"], "url", t["url"]))
    out.append(("hours", "all", "billable_minutes", report.hours["billable"]))
    out.append(("hours", "all", "non_billable_minutes", report.hours["non_billable"]))
    out.append(("hours", "all", "included_minutes", report.hours["included"]))
    for a in report.hours["by_agent"]:
        out.append(("hours_by_agent", a["agent"], "billable_minutes", a["billable"]))
        out.append(("hours_by_agent", a["agent"], "non_billable_minutes", a["non_billable"]))
    for t in report.hours["by_ticket"]:
        out.append(("hours_by_ticket", t["ticket"], "billable_minutes", t["billable"]))
        out.append(("hours_by_ticket", t["ticket"], "non_billable_minutes", t["non_billable"]))
        out.append(("hours_by_ticket", t["ticket"], "estimate_minutes", t["estimate_minutes"]))
    for u in report.retainer_usage:
        out.append(("retainer_usage", u["period"], "used_pct", u["used_pct"]))
    for c in report.categories:
        out.append(("categories", c["queue"], "tickets", c["tickets"]))
    if report.night_duty["applies"]:
        out.append(("night_duty", "all", "tickets", report.night_duty["count"]))
    for w in report.weekly:
        out.extend(("weekly", w["week"], level, n) for level, n in w.items() if level != "week")
    for c in report.comparison:
        out.append(("comparison", c["figure"], "current", c["current"]))
        out.append(("comparison", c["figure"], "previous", c["previous"]))
        out.append(("comparison", c["figure"], "change_pct", c["change_pct"]))
    for r in report.recommendations:
        out.append(("recommendations", r["rule"], r["figure"], r["value"]))
    return out


def render(report: Any) -> str:
    """The CSV text (a header row, then :func:`rows`); empty values for None."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows(report):
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()
