"""The report as a plain tabular document, for output formats registered by other plugins.

An output format that lists the kind ``customer_report`` (``deskframe-pdf``'s ``pdf``)
gets ``render("customer_report", document)`` with the dict built here: every text
already in the customer's language and every number already formatted, so the format
only lays it out::

    {"title": str, "subtitle": str, "lang": "ru",
     "sections": [{"heading": str, "columns": [str, ...], "rows": [[str, ...], ...],
                   "notes": [str, ...]}, ...]}

Columns after the first hold numbers (a format may right-align them).
"""

from __future__ import annotations

from typing import Any

from .view import View


def _section(heading: str, columns: list[str], rows: list[list[str]], notes: list[str] | None = None) -> dict[str, Any]:
    return {"heading": heading, "columns": columns, "rows": rows, "notes": notes or []}


def document(report: Any, view: View) -> dict[str, Any]:
    """``report`` as the documented dict, in ``view``'s language."""
    _ = view._
    sections = [
        _section(
            _("Summary"),
            ["", report.period["label"], report.period["previous"], _("Change")],
            [
                [
                    view.figure(r["figure"]),
                    view.figure_value(r["figure"], r["current"]),
                    view.figure_value(r["figure"], r["previous"]),
                    view.change(r),
                ]
                for r in report.comparison
            ],
        ),
        _section(
            _("Recommendations"),
            [],
            [],
            [f"{r['text']} ({r['because']})" for r in map(view.recommendation, report.recommendations)]
            or [_("No recommendations for this period.")],
        ),
        _section(
            _("By priority"),
            [_("Priority"), _("Opened"), _("Resolved"), _("Backlog")],
            [
                [
                    view.priority(report, p),
                    view.number(g["opened"]),
                    view.number(g["resolved"]),
                    view.number(g["backlog"]),
                ]
                for p, g in report.tickets["by_priority"].items()
            ],
        ),
        _section(
            _("SLA"),
            [_("Priority"), _("Clock"), _("Met"), _("Breached"), _("Median, h"), _("p90, h")],
            [
                [
                    view.priority(report, r["priority"]),
                    view.kind(r["kind"]),
                    f"{view.number(r['met'])} ({view.pct(r['met_pct'])})",
                    f"{view.number(r['breached'])} ({view.pct(r['breached_pct'])})",
                    view.number(r["median_hours"], 2),
                    view.number(r["p90_hours"], 2),
                ]
                for r in report.sla
            ],
        ),
        _section(
            _("Slowest tickets"),
            [_("Ticket"), _("Hours")],
            [[f"{t['number']} {t['subject']}", view.number(t["hours"], 2)] for t in report.slowest],
            [f"{t['number']}: {t['url']}" for t in report.slowest if "url" in t],
        ),
        _section(
            _("Hours"),
            [_("Agent"), _("Billable"), _("Non-billable")],
            [[a["name"], view.hours(a["billable"]), view.hours(a["non_billable"])] for a in report.hours["by_agent"]],
            [
                "; ".join(
                    (
                        f"{_('Billable')}: {view.hours(report.hours['billable'])}",
                        f"{_('Included in the contract')}: {view.hours(report.hours['included'])}",
                    )
                )
            ],
        ),
        _section(
            _("Incidents by category"),
            [_("Queue"), _("Tickets")],
            [[c["queue"], view.number(c["tickets"])] for c in report.categories],
        ),
    ]
    if report.night_duty["applies"]:
        sections.append(
            _section(
                _("Night duty"),
                [_("Ticket"), _("Opened")],
                [[f"{t['number']} {t['subject']}", view.instant(t["opened_at"])] for t in report.night_duty["tickets"]],
            )
        )
    return {
        "title": f"{_('Support report')}: {report.customer['name']}",
        "subtitle": f"{_('Period')}: {view.period(report)} ({report.period['label']})",
        "lang": view.locale.language,
        "sections": sections,
    }
