"""Reference invoice output formats: HTML (printable, served as a link), CSV, plain text.

Registers the output formats ``html``, ``csv`` and ``text`` (kinds ``invoice`` and
``invoices``; ``deskframe invoice show|list --format NAME [-o FILE]``) and the route
``GET /invoices/{token}`` (html, or csv with a ``.csv`` suffix) that
``deskframe invoice link NUMBER`` points to.

Locale: ``render(kind, data, *, locale=None, agent_label="name", payment_terms_days=None)``
of the html and text formats takes the Babel locale for language (gettext catalogs in
``locale/``), money, numbers and dates (default ``"en"``). The CLI, the web route and
the demo pass ``[billing] locale``, ``agent_label`` and ``payment_terms_days``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import deskframe

if TYPE_CHECKING:
    from deskframe import OutputFormat

_SUBMODULES = ("csv_format", "formatting", "html_format", "i18n", "templates", "text_format", "view", "web", "words")


def formats() -> tuple[OutputFormat, ...]:
    """The three output formats (``FORMATS``); their modules (Jinja2, Babel) are imported here, not with the plugin."""
    from deskframe import OutputFormat

    from . import csv_format, html_format, text_format

    return (
        OutputFormat(
            "html",
            html_format.MEDIA_TYPE,
            html_format.render,
            kinds=html_format.KINDS,
            description="printable invoice page (A4 and phone, no scripts, inline CSS)",
            options=("locale", "agent_label", "payment_terms_days"),
        ),
        OutputFormat(
            "csv",
            csv_format.MEDIA_TYPE,
            csv_format.render,
            kinds=csv_format.KINDS,
            description="one row per invoice line, for accounting import",
        ),
        OutputFormat(
            "text",
            text_format.MEDIA_TYPE,
            text_format.render,
            kinds=text_format.KINDS,
            description="plain text for e-mail bodies",
            options=("locale", "agent_label", "payment_terms_days"),
        ),
    )


@deskframe.hookimpl
def register_output_formats(register: Callable[[OutputFormat], None]) -> None:
    for fmt in formats():
        register(fmt)


@deskframe.hookimpl
def register_routes(register: Callable[..., None]) -> None:
    from . import web

    web.register_all(register)


def __getattr__(name: str) -> Any:
    """``FORMATS`` and the submodules, imported on first use (importing the plugin stays cheap)."""
    if name == "FORMATS":
        value = globals()["FORMATS"] = formats()
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
