"""The report as one printable html page (Jinja2, autoescaped) with SVG charts."""

from __future__ import annotations

from typing import Any

from . import charts, templates
from .view import View

MEDIA_TYPE = "text/html; charset=utf-8"


def render(report: Any, view: View) -> str:
    """The html page of ``report`` in ``view``'s language."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(templates.REPORT)
    _ = view._
    return template.render(
        report=report,
        view=view,
        _=_,
        lang=view.locale.language,
        charts={name: Markup(svg) for name, svg in charts.all_charts(report, view).items()},
        recommendations=[view.recommendation(r) for r in report.recommendations],
        groups=[
            (_("By priority"), "by_priority", _("Priority")),
            (_("By channel"), "by_channel", _("Channel")),
            (_("By support line"), "by_line", _("Line")),
        ],
    )
