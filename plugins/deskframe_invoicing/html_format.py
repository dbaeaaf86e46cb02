"""The ``html`` output format: a printable invoice page, and an index of invoices.

Rendered with Jinja2, autoescaping on and undefined names an error. The page has no
script and loads nothing: it prints on A4 from any browser, offline, and is what
``GET /invoices/{token}`` serves.
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2

from deskframe.billing import Invoice

from . import formatting, templates
from .view import LATE_LABEL, index_rows, invoice_view

MEDIA_TYPE = "text/html; charset=utf-8"
KINDS = ("invoice", "invoices")


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


@functools.lru_cache(maxsize=2)
def _template(source: str) -> jinja2.Template:
    return _environment().from_string(source)


def render(kind: str, data: Any, *, locale: str | None = None) -> str:
    """``kind`` ``invoice`` (one :class:`Invoice`) or ``invoices`` (a list) as an html page.

    ``locale`` (``"ru"``, ``"en_US"`` ...) formats money and numbers; default ``"en"``.
    """
    loc = formatting.resolve_locale(locale)
    if kind == "invoice":
        if not isinstance(data, Invoice):
            raise TypeError(f"html: kind 'invoice' needs an Invoice, got {type(data).__name__}")
        return _template(templates.INVOICE).render(v=invoice_view(data, loc), lang=loc.language,
                                                   late_label=LATE_LABEL)
    if kind == "invoices":
        return _template(templates.INDEX).render(rows=index_rows(list(data), loc), lang=loc.language)
    raise ValueError(f"html: cannot render kind {kind!r} (renders: {', '.join(KINDS)})")
