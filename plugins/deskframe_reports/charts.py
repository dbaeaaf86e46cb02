"""The html report's charts: SVG drawn on the server with pygal, no JavaScript.

pygal puts a configuration ``<script>`` and generator comments (with today's date) into
every chart, and gives it a random id; all three are removed or replaced here, so a
chart is static SVG, the same report renders to the same bytes, and each chart's styles
stay scoped to its own id (``chart-weekly`` ...). Every text pygal writes (titles,
labels, legends) is XML-escaped by its element tree.
"""

from __future__ import annotations

import math
import re
from typing import Any

from deskframe.model import PRIORITY_LEVELS

from .view import View

_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_CHART_ID = re.compile(r"chart-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
#: Bar colours: priorities P1..P4, then met (green) and breached (red), billable and not.
PRIORITY_COLOURS = ("#b42318", "#dc6803", "#1570ef", "#667085")
MET_BREACHED = ("#12b76a", "#d92d20")
HOURS = ("#1570ef", "#98a2b3")


def _clean(svg: str, name: str) -> str:
    return _CHART_ID.sub(f"chart-{name}", _COMMENT.sub("", _SCRIPT.sub("", svg)))


def _chart(kind: str, title: str, colours: tuple[str, ...], **config: Any) -> Any:
    import pygal  # type: ignore[import-untyped]
    from pygal.style import Style  # type: ignore[import-untyped]

    style = Style(
        background="white",
        plot_background="white",
        colors=colours,
        font_family="Helvetica, Arial, sans-serif",
        title_font_size=14,
        label_font_size=11,
        legend_font_size=11,
    )
    chart = getattr(pygal, kind)(
        js=[],
        disable_xml_declaration=True,
        style=style,
        width=720,
        height=300,
        legend_at_bottom=True,
        print_values=False,
        **config,
    )
    chart.title = title
    return chart


def _count_axis(chart: Any, counts: list[int]) -> None:
    """Whole numbers on the axis of a chart of counts (pygal would label 0.2, 0.4 ...)."""
    top = max(counts, default=0)
    step = max(1, math.ceil(top / 8))
    chart.y_labels = list(range(0, top + step + 1, step))


def _values(values: list[float]) -> list[float | None]:
    """Zero draws no bar (None), so a chart has one bar per non-zero figure."""
    return [v if v else None for v in values]


def weekly(report: Any, view: View) -> str:
    """Tickets opened per week (stacked by priority)."""
    chart = _chart("StackedBar", view._("Tickets per week by priority"), PRIORITY_COLOURS)
    chart.x_labels = [view.date(w["week"]) for w in report.weekly]
    _count_axis(chart, [sum(w[level] for level in PRIORITY_LEVELS) for w in report.weekly])
    for level in PRIORITY_LEVELS:
        chart.add(view.priority(report, level), _values([w[level] for w in report.weekly]))
    return _clean(chart.render(is_unicode=True), "weekly")


def sla(report: Any, view: View) -> str:
    """SLA clocks met and breached per priority (first response and resolution together)."""
    levels = sorted({row["priority"] for row in report.sla})
    chart = _chart("Bar", view._("SLA met and breached per priority"), MET_BREACHED)
    chart.x_labels = [view.priority(report, level) for level in levels]
    met = [sum(r["met"] for r in report.sla if r["priority"] == level) for level in levels]
    breached = [sum(r["breached"] for r in report.sla if r["priority"] == level) for level in levels]
    _count_axis(chart, met + breached)
    chart.add(view._("Met"), _values(met))
    chart.add(view._("Breached"), _values(breached))
    return _clean(chart.render(is_unicode=True), "sla")


def hours(report: Any, view: View) -> str:
    """Hours per agent (billable and non-billable, stacked)."""
    agents = report.hours["by_agent"]
    chart = _chart("StackedBar", view._("Hours per agent"), HOURS)
    chart.x_labels = [a["name"] for a in agents]
    chart.add(view._("Billable"), _values([round(a["billable"] / 60, 2) for a in agents]))
    chart.add(view._("Non-billable"), _values([round(a["non_billable"] / 60, 2) for a in agents]))
    return _clean(chart.render(is_unicode=True), "hours")


def all_charts(report: Any, view: View) -> dict[str, str]:
    """Name -> SVG of every chart."""
    return {"weekly": weekly(report, view), "sla": sla(report, view), "hours": hours(report, view)}
