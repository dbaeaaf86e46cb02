"""The report as one printable html page (Jinja2, autoescaped) with SVG charts."""

from __future__ import annotations

import functools
import heapq
from typing import Any

from . import charts, templates
from .view import View

MEDIA_TYPE = "text/html; charset=utf-8"
#: The hours-by-ticket table shows every ticket up to this many; past it, the tickets with the
#: most hours (billable and non-billable together) and one line summing the others (the json and
#: csv formats list every ticket). A page of ten thousand rows is read by no one, and it was the
#: costliest part of the page.
BY_TICKET_SHOWN = 50


@functools.lru_cache(maxsize=1)
def _template() -> Any:
    """The page's compiled Jinja template: compiling it costs more than rendering a month's
    page, and a compiled template renders from any thread (it holds no render state)."""
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.from_string(templates.REPORT)


def render(report: Any, view: View) -> str:
    """The html page of ``report`` in ``view``'s language."""
    from markupsafe import Markup

    template = _template()
    _ = view._
    return template.render(
        report=report,
        view=view,
        _=_,
        lang=view.locale.language,
        charts={name: Markup(svg) for name, svg in charts.all_charts(report, view).items()},
        by_ticket_rows=Markup(by_ticket_rows(report, view)),
        by_ticket_count=len(report.hours["by_ticket"]),
        by_ticket_shown=BY_TICKET_SHOWN,
        recommendations=[view.recommendation(r) for r in report.recommendations],
        groups=[
            (_("By priority"), "by_priority", _("Priority")),
            (_("By channel"), "by_channel", _("Channel")),
            (_("By support line"), "by_line", _("Line")),
        ],
    )


def _escape(text: str) -> str:
    """``text`` escaped exactly as markupsafe's ``escape`` (the template's autoescaping) does,
    without building a ``Markup`` per cell."""
    if "&" not in text and "<" not in text and ">" not in text and "'" not in text and '"' not in text:
        return text
    return (
        text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;").replace('"', "&#34;")
    )


def by_ticket_rows(report: Any, view: View, shown: int = BY_TICKET_SHOWN) -> str:
    """The rows of the hours-by-ticket table, each value escaped as the template's
    autoescaping would (a Jinja loop cost more than the rest of the page for a month of
    ten thousand tickets): every ticket by number when there are at most ``shown``; else the
    ``shown`` tickets with the most hours (billable and non-billable together; most first,
    then by number) and a last row with the number of the others and their sums."""
    tickets = report.hours["by_ticket"]
    rest: list[Any] = []
    if len(tickets) > shown:
        top = heapq.nsmallest(shown, tickets, key=lambda t: (-(t["billable"] + t["non_billable"]), t["ticket"]))
        kept = {id(t) for t in top}
        rest = [t for t in tickets if id(t) not in kept]
        tickets = top
    formatted: dict[int | None, str] = {}  # minutes -> escaped hours: few distinct values

    def hours(minutes: int | None) -> str:
        found = formatted.get(minutes)
        if found is None:
            found = formatted[minutes] = _escape(view.hours(minutes))
        return found

    row = templates.BY_TICKET_ROW.format
    out = "".join(
        row(
            ticket=_escape(t["ticket"]),
            subject=_escape(t["subject"]),
            billable=hours(t["billable"]),
            non_billable=hours(t["non_billable"]),
            estimate=hours(t["estimate_minutes"]),
        )
        for t in tickets
    )
    if rest:
        out += templates.BY_TICKET_REST.format(
            others=_escape(view._("Other tickets: {count}").format(count=view.number(len(rest)))),
            billable=hours(sum(t["billable"] for t in rest)),
            non_billable=hours(sum(t["non_billable"] for t in rest)),
            estimate=hours(None),
        )
    return out
