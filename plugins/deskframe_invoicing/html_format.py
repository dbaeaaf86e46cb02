"""The ``html`` output format: a printable invoice page, and an index of invoices.

Rendered with Jinja2, autoescaping on and undefined names an error. The page has no
script and loads nothing: it prints on A4 from any browser, offline, reads on a phone,
and is what ``GET /invoices/{token}`` serves. Its words come from the gettext catalog
of the invoice's locale (:mod:`.i18n`).
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2

from deskframe.billing import Invoice

from . import formatting, templates
from .line_views import LATE_LABEL
from .locale_text import labels
from .view import index_rows, invoice_view

MEDIA_TYPE = "text/html; charset=utf-8"
KINDS = ("invoice", "invoices")


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@functools.lru_cache(maxsize=2)
def _template(source: str) -> jinja2.Template:
    return _environment().from_string(source)


def render(
    kind: str, data: Any, *, locale: str | None = None, agent_label: str = "name", payment_terms_days: int | None = None
) -> str:
    """``kind`` ``invoice`` (one :class:`Invoice`) or ``invoices`` (a list) as an html page.

    ``locale`` (``"ru"``, ``"en_US"`` ...) chooses the language, money and dates; default
    ``"en"``. ``agent_label`` (``name`` or ``role``) is what a line shows of its agent.
    """
    loc = formatting.resolve_locale(locale)
    words = labels(loc)
    if kind == "invoice":
        if not isinstance(data, Invoice):
            raise TypeError(f"html: kind 'invoice' needs an Invoice, got {type(data).__name__}")
        view = invoice_view(data, loc, agent_label=agent_label, payment_terms_days=payment_terms_days)
        return _template(templates.INVOICE).render(v=view, lang=loc.language, late_label=LATE_LABEL, _=words)
    if kind == "invoices":
        return _template(templates.INDEX).render(rows=index_rows(list(data), loc), lang=loc.language, _=words)
    raise ValueError(f"html: cannot render kind {kind!r} (renders: {', '.join(KINDS)})")
