"""``GET /api/docs``: a small server-rendered page listing the API's operations.

It is drawn from the same document as ``/api/openapi.json`` (so it cannot drift from it),
needs no JavaScript and no CDN, and keeps to the app's Content-Security-Policy (one inline
style sheet, no scripts, no external resources). The page's own words are in English or
Russian (``Accept-Language``, or ``?lang=ru``), from the ``deskframe_api`` catalog in
``locale/`` beside this module; the operations' summaries are the routes' own.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from .openapi import document_of

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#222}
h1{margin-bottom:.2em} h2{margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%} th,td{text-align:left;vertical-align:top;padding:.3em .5em}
tr:nth-child(even){background:#f5f5f5} code{font-size:13px}
.m{font-weight:bold;font-family:monospace} .GET{color:#05668d} .POST{color:#2a7f2a}
.PUT,.PATCH{color:#9a6700} .DELETE{color:#b00020} small{color:#666}
"""
#: The catalogs of the page's words.
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "deskframe_api"
#: Languages with a catalog (English is the message ids).
LANGUAGES = ("en", "ru")
_ACCESS = {
    "public": "anyone",
    "contact": "contacts and agents",
    "agent": "agents",
    "admin": "admins",
}


def _gettext(language: str) -> Callable[[str], str]:
    from ...i18n import catalog_translations

    return catalog_translations(LOCALE_DIR, DOMAIN, language).gettext


def language_of(request: Request) -> str:
    """``?lang=`` if it names a known language, else the first known one of ``Accept-Language``, else English."""
    asked = request.query_params.get("lang", "")
    if asked in LANGUAGES:
        return asked
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def _params(op: dict[str, Any]) -> str:
    items = []
    for p in op.get("parameters", ()):
        enum = p["schema"].get("enum")
        kind = " | ".join(enum) if enum else p["schema"].get("type", "")
        flag = "" if p.get("required") else "?"
        items.append(f"<code>{escape(p['name'])}{flag}</code> <small>{escape(p['in'])}, {escape(kind)}</small>")
    return "<br>".join(items)


def _schema_name(content: dict[str, Any] | None) -> str:
    if not content:
        return ""
    media, spec = next(iter(content.items()))
    ref = spec.get("schema", {}).get("$ref", "")
    name = ref.rsplit("/", 1)[-1] if ref else ("" if media == "application/json" else media)
    return f"<code>{escape(name)}</code>" if name else "JSON"


def render(document: dict[str, Any], language: str = "en") -> str:
    """The HTML page of an OpenAPI document built by :func:`~deskframe.web.api.openapi.build_document`."""
    _ = _gettext(language)
    by_tag: dict[str, list[str]] = {}
    for path, item in document["paths"].items():
        for method, op in item.items():
            body = _schema_name(op.get("requestBody", {}).get("content"))
            codes = sorted(op["responses"])
            ok = next((c for c in codes if c.startswith("2")), "")
            answer = _schema_name(op["responses"].get(ok, {}).get("content")) if ok else ""
            row = (
                f"<tr><td class='m {method.upper()}'>{method.upper()}</td>"
                f"<td><code>{escape(path)}</code><br><small>{escape(op['operationId'])}</small></td>"
                f"<td>{escape(op.get('summary', ''))}</td>"
                f"<td>{escape(_(_ACCESS.get(op.get('x-access', ''), op.get('x-access', ''))))}"
                + (f"<br><small>{escape(op['x-policy-action'])}</small>" if op.get("x-policy-action") else "")
                + f"</td><td>{_params(op)}</td><td>{body}</td>"
                f"<td>{escape(ok)} {answer}<br><small>{escape(' '.join(c for c in codes if c != ok))}</small></td></tr>"
            )
            by_tag.setdefault(op["tags"][0] if op.get("tags") else "other", []).append(row)
    head = (
        "<tr><th>method</th><th>path</th><th>what</th><th>who</th><th>parameters</th><th>body</th><th>answers</th></tr>"
    )
    sections = "".join(
        f"<h2 id='{escape(tag)}'>{escape(tag)}</h2><table>{head}{''.join(rows)}</table>"
        for tag, rows in sorted(by_tag.items())
    )
    info = document["info"]
    count = sum(len(rows) for rows in by_tag.values())
    auth = _(
        "Authentication: {bearer} with a token from {create}, or the session cookie of {login} "
        "(changes then need the {csrf} header). Errors are {problem}."
    ).format(
        bearer="<code>Authorization: Bearer TOKEN</code>",
        create="<code>deskframe token create</code>",
        login="<code>POST /login</code>",
        csrf="<code>X-CSRF-Token</code>",
        problem="<code>application/problem+json</code>",
    )
    machine = _("The machine-readable document: {link} (OpenAPI {version}). Operations: {count}.").format(
        link="<a href='/api/openapi.json'>/api/openapi.json</a>", version=escape(document["openapi"]), count=count
    )
    return (
        f"<!doctype html><html lang='{escape(language)}'><head><meta charset='utf-8'>"
        f"<title>{escape(info['title'])}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(info['title'])} <small>{escape(info['version'])}</small></h1>"
        f"<p>{escape(info.get('description', ''))}</p><p>{machine}</p><p>{auth}</p>"
        f"{sections or '<p>' + escape(_('No API routes.')) + '</p>'}</body></html>"
    )


async def api_docs(request: Request) -> HTMLResponse:
    """``GET /api/docs``: the operations of this app's API, as one HTML page."""
    language = language_of(request)
    return HTMLResponse(
        render(document_of(request.app), language),
        headers={"Cache-Control": "no-cache", "Content-Language": language, "Vary": "Accept-Language"},
    )
