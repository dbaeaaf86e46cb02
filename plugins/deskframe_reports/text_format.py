"""The report as plain text (an e-mail body): the html report's sections without charts."""

from __future__ import annotations

from typing import Any

from .view import View

MEDIA_TYPE = "text/plain; charset=utf-8"


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [str(c).rjust(w) for c, w in zip(cells[1:], widths[1:])]
        return "  ".join([first, *rest]).rstrip()

    return [line(head), *[line(r) for r in rows]]


def render(report: Any, view: View) -> str:
    """The text of ``report`` in ``view``'s language."""
    _ = view._
    out = [
        f"{_('Support report')}: {report.customer['name']}",
        f"{_('Period')}: {view.period(report)} ({report.period['label']})",
    ]
    if report.contracts:
        out.append(f"{_('Contracts')}: " + ", ".join(f"{c['key']} ({c['support_type']})" for c in report.contracts))
    out += ["", _("Summary")]
    out += _table(
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
    )
    out += ["", _("Recommendations")]
    recs = [view.recommendation(r) for r in report.recommendations]
    out += [f"- {r['text']} ({r['because']})" for r in recs] or [_("No recommendations for this period.")]
    for title, key in (
        (_("By priority"), "by_priority"),
        (_("By channel"), "by_channel"),
        (_("By support line"), "by_line"),
    ):
        groups = report.tickets[key]
        if not groups:
            continue
        out += ["", f"{_('Tickets')}: {title}"]
        out += _table(
            ["", _("Opened"), _("Resolved"), _("Backlog")],
            [
                [
                    view.priority(report, name) if key == "by_priority" else name,
                    view.number(g["opened"]),
                    view.number(g["resolved"]),
                    view.number(g["backlog"]),
                ]
                for name, g in groups.items()
            ],
        )
    if report.sla:
        out += ["", _("SLA")]
        out += _table(
            [_("Priority"), _("Clock"), _("Met"), _("Breached"), _("Median, h"), _("p90, h"), _("Target, h")],
            [
                [
                    view.priority(report, r["priority"]),
                    view.kind(r["kind"]),
                    f"{view.number(r['met'])} ({view.pct(r['met_pct'])})",
                    f"{view.number(r['breached'])} ({view.pct(r['breached_pct'])})",
                    view.number(r["median_hours"], 2),
                    view.number(r["p90_hours"], 2),
                    " / ".join(view.number(t, 2) for t in r["target_hours"]) or "\u2014",
                ]
                for r in report.sla
            ],
        )
    if report.slowest:
        out += ["", _("Slowest tickets")]
        for t in report.slowest:
            out.append(f"{t['number']}  {view.number(t['hours'], 2)} h  {t['subject']}")
            if "url" in t:
                out.append(f"    {t['url']}")
    out += [
        "",
        _("Hours"),
        f"{_('Billable')}: {view.hours(report.hours['billable'])}, {_('Non-billable')}: "
        f"{view.hours(report.hours['non_billable'])}"
        + (
            f", {_('Included in the contract')}: {view.hours(report.hours['included'])}"
            if report.hours["included"] is not None
            else ""
        ),
    ]
    if report.hours["by_agent"]:
        out += _table(
            [_("Agent"), _("Billable"), _("Non-billable")],
            [[a["name"], view.hours(a["billable"]), view.hours(a["non_billable"])] for a in report.hours["by_agent"]],
        )
    if report.categories:
        out += ["", _("Incidents by category")]
        out += [f"{c['queue']}: {view.number(c['tickets'])}" for c in report.categories]
    if report.night_duty["applies"]:
        out += ["", f"{_('Night duty')}: {view.number(report.night_duty['count'])}"]
        out += [f"{t['number']}  {view.instant(t['opened_at'])}  {t['subject']}" for t in report.night_duty["tickets"]]
    return "\n".join(out) + "\n"
