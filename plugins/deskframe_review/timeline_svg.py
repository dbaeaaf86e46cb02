"""The timeline as an SVG Gantt-like band, drawn on the server (no JavaScript, no library).

One row per stage (by project, then planned date): a bar ``<rect class="stage done|planned|late">``
from the stage's start (its ``start``, else the end of the stage before it, else 30 days before
it is due) to its end (done: the day it was done; late: the review's date, with a tick
``class="due"`` where it was due; planned: the day it is due). An agreed stage gets a mark
``<circle class="agreed">``. Month ticks, the legend and the "today" line are in the view's
language; stage names are the data's. Every text is XML-escaped; the same review draws the same bytes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from .view import View

WIDTH, LABEL, ROW, TOP, RIGHT = 760, 210, 26, 46, 20
#: Days a stage without a start and without a stage before it is drawn over.
DEFAULT_DAYS = 30
COLOURS = {"done": "#12b76a", "planned": "#84adff", "late": "#f04438"}


def spans(stages: list[dict[str, Any]], as_of: dt.date) -> list[tuple[dict[str, Any], dt.date, dt.date]]:
    """``(stage, start, end)`` of each stage, in drawing order."""
    out = []
    previous_end: dict[str, dt.date] = {}
    for stage in sorted(stages, key=lambda s: (s["project"], s["planned"], s["stage"])):
        planned = dt.date.fromisoformat(stage["planned"])
        if stage["start"]:
            start = dt.date.fromisoformat(stage["start"])
        else:
            start = previous_end.get(stage["project"], planned - dt.timedelta(days=DEFAULT_DAYS))
        if stage["state"] == "done":
            end = dt.date.fromisoformat(stage["done"])
        elif stage["state"] == "late":
            end = as_of
        else:
            end = planned
        start = min(start, end - dt.timedelta(days=1))
        previous_end[stage["project"]] = end
        out.append((stage, start, end))
    return out


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    day, out = dt.date(first.year, first.month, 1), []
    while day <= last:
        if day >= first:
            out.append(day)
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return out


def render(review: dict[str, Any], view: View) -> str:
    """The SVG element (no XML declaration) of ``review``'s timeline; an empty string without stages."""
    _ = view._
    as_of = dt.date.fromisoformat(review["as_of"])
    rows = spans(review["timeline"], as_of)
    if not rows:
        return ""
    first = min(start for _s, start, _e in rows)
    last = max([as_of, *(end for _s, _st, end in rows), *(dt.date.fromisoformat(s["planned"]) for s, _a, _b in rows)])
    first, last = first - dt.timedelta(days=3), last + dt.timedelta(days=3)
    scale = (WIDTH - LABEL - RIGHT) / max(1, (last - first).days)
    height = TOP + ROW * len(rows) + 40

    def x(day: dt.date) -> str:
        return f"{LABEL + (day - first).days * scale:.1f}"

    title = _("Timeline")
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label={quoteattr(title)}>'
    )
    out = [
        head,
        "<style>.timeline text{font:11px Helvetica,Arial,sans-serif;fill:#1b1f23}"
        ".timeline .tick{stroke:#eaeef2}.timeline .today{stroke:#1b1f23;stroke-dasharray:3 2}"
        ".timeline .due{stroke:#1b1f23;stroke-width:2}.timeline .agreed{fill:#fff;stroke:#1b1f23;stroke-width:1.5}"
        + "".join(f".timeline .{k}{{fill:{v}}}" for k, v in COLOURS.items())
        + "</style>",
        f"<title>{escape(title)}</title>",
    ]
    for month in _months(first, last):
        out.append(f'<line class="tick" x1="{x(month)}" y1="{TOP - 8}" x2="{x(month)}" y2="{TOP + ROW * len(rows)}"/>')
        out.append(f'<text class="month" x="{x(month)}" y="{TOP - 12}">{escape(view.month(month))}</text>')
    for i, (stage, start, end) in enumerate(rows):
        y = TOP + i * ROW
        state = stage["state"]
        label = f"{stage['stage']}"
        tip = view.stage(stage)
        out.append(f'<g class="row" data-project={quoteattr(stage["project"])} data-stage={quoteattr(stage["stage"])}>')
        out.append(f"<title>{escape(tip)}</title>")
        out.append(f'<text class="label" x="6" y="{y + 17}">{escape(label[:32])}</text>')
        width = max(2.0, (end - start).days * scale)
        out.append(
            f'<rect class="stage {state}" x="{x(start)}" y="{y + 5}" width="{width:.1f}" height="{ROW - 10}" rx="3"/>'
        )
        if state == "late":
            due = x(dt.date.fromisoformat(stage["planned"]))
            out.append(f'<line class="due" x1="{due}" y1="{y + 2}" x2="{due}" y2="{y + ROW - 2}"/>')
        if stage["agreed"]:
            out.append(f'<circle class="agreed" cx="{float(x(end)) + 9:.1f}" cy="{y + ROW / 2:.1f}" r="5"/>')
        out.append("</g>")
    bottom = TOP + ROW * len(rows)
    out.append(f'<line class="today" x1="{x(as_of)}" y1="{TOP - 8}" x2="{x(as_of)}" y2="{bottom}"/>')
    out.append(
        f'<text class="today-label" x="{x(as_of)}" y="{bottom + 14}">{escape(view.date(review["as_of"]))}</text>'
    )
    legend_y, legend_x = bottom + 32, 6
    for state in ("done", "planned", "late"):
        out.append(f'<rect class="legend {state}" x="{legend_x}" y="{legend_y - 10}" width="14" height="10" rx="2"/>')
        word = view.state(state)
        out.append(f'<text class="legend-label" x="{legend_x + 18}" y="{legend_y}">{escape(word)}</text>')
        legend_x += 28 + 7 * len(word)
    out.append(f'<circle class="agreed legend" cx="{legend_x + 5}" cy="{legend_y - 5}" r="5"/>')
    out.append(
        f'<text class="legend-label" x="{legend_x + 14}" y="{legend_y}">{escape(_("Agreed with the customer"))}</text>'
    )
    out.append("</svg>")
    return "\n".join(out)
