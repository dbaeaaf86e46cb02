"""The review rendered: ``json`` (the documented dict), ``text``, ``html`` (one printable page with
the SVG timeline, Jinja2 autoescaped) and the plain document output formats such as
``deskframe-pdf``'s ``pdf`` lay out."""

from __future__ import annotations

import json
from typing import Any

from . import templates, timeline_svg
from .view import View

HTML_MEDIA_TYPE = "text/html; charset=utf-8"


def title(review: dict[str, Any], view: View) -> str:
    return f"{view._('Account review')}: {review['customer']['name']}"


def subtitle(review: dict[str, Any], view: View) -> str:
    period = review["period"]
    return f"{view._('Period')}: {view.date(period['first'])} \u2013 {view.date(period['last'])} ({period['label']})"


def sections(review: dict[str, Any], view: View) -> list[tuple[str, str, list[tuple[str, list[str]]], str]]:
    """``(question key, heading, groups, empty sentence)`` of the five answers, numbered."""
    return [
        (a["question"], f"{n}. {view.question(a['question'])}", view.lines(a), view.empty(a["question"]))
        for n, a in enumerate(review["answers"], start=1)
    ]


def render_json(review: dict[str, Any], view: View) -> str:
    return json.dumps({**review, "locale": view.name}, ensure_ascii=False, indent=2) + "\n"


def render_text(review: dict[str, Any], view: View) -> str:
    out = [title(review, view), subtitle(review, view), ""]
    for _key, heading, groups, empty in sections(review, view):
        out.append(heading)
        if not groups:
            out.append(f"  {empty}")
        for sub, lines in groups:
            out.append(f"  {sub}:")
            out.extend(f"    - {line}" for line in lines)
        out.append("")
    out.append(view._("Timeline"))
    stages = review["timeline"]
    out.extend(f"  - {view.stage(s)}" for s in stages)
    if not stages:
        out.append("  " + view._("No timeline stages recorded."))
    return "\n".join(out) + "\n"


def render_html(review: dict[str, Any], view: View) -> str:
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.from_string(templates.REVIEW).render(
        review=review,
        view=view,
        _=view._,
        lang=view.language,
        title=title(review, view),
        subtitle=subtitle(review, view),
        sections=sections(review, view),
        timeline=Markup(timeline_svg.render(review, view)),
    )


def document(review: dict[str, Any], view: View) -> dict[str, Any]:
    """The plain document (``{"title", "subtitle", "lang", "sections": [{"heading", "columns",
    "rows", "notes"}]}``) that document formats such as ``pdf`` lay out."""
    out = []
    for _key, heading, groups, empty in sections(review, view):
        notes = [f"{sub}: {line}" for sub, lines in groups for line in lines] or [empty]
        out.append({"heading": heading, "columns": [], "rows": [], "notes": notes})
    stages = [view.stage(s) for s in review["timeline"]] or [view._("No timeline stages recorded.")]
    out.append({"heading": view._("Timeline"), "columns": [], "rows": [], "notes": stages})
    return {"title": title(review, view), "subtitle": subtitle(review, view), "lang": view.language, "sections": out}
