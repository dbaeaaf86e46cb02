"""Reference plugin: the extended-support account review (docs/review.md).

For each customer project the vendor keeps five questions answered, a timeline and a roadmap
agreed with the customer. Hooks implemented here:

* ``register_commands`` - ``deskframe project|timeline|roadmap add|set|list`` and
  ``deskframe review CUSTOMER [--period P] --format html|json|text|pdf [--link]``,
  ``deskframe review note CUSTOMER --period P --question Q --text ...``;
* ``register_apply_tables`` - ``[[projects]]``, ``[[timeline]]``, ``[[roadmap]]`` and
  ``[[review_notes]]`` in ``deskframe apply FILE``;
* ``register_routes`` - ``GET /reviews/{token}``, the review behind an unguessable link, and
  ``GET /customers/{key}/review/{period}`` / ``/portal/customers/{key}/review/{period}`` behind
  a login (:mod:`.page`);
* ``customer_sections`` - the customer's reviews per period on the agent's customer page and,
  for ``customer_admin`` contacts, in the portal.

The data lives in the core's plugin records (``desk.records("deskframe_review")``, :mod:`.store`).
This module imports nothing heavy: click, Jinja2 and Babel load when a command runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import deskframe

#: Formats the plugin renders itself; others come from output formats of kind :data:`KIND`.
OWN_FORMATS = ("text", "html", "json")
#: The document kind other output formats (``deskframe-pdf``'s ``pdf``) render: the review's
#: document has the shape of a customer report's (docs/reports.md), so it uses that kind.
KIND = "customer_report"


@deskframe.hookimpl
def register_commands(register: Callable[..., None]) -> None:
    """``project``, ``timeline``, ``roadmap`` and ``review`` (imported when they run)."""
    from deskframe.cli import lazy_command

    for name, attribute, text in (
        ("project", "project_group", "Customer projects of extended support (account review)."),
        ("timeline", "timeline_group", "Stages of a project's timeline agreed with the customer."),
        ("roadmap", "roadmap_group", "A project's roadmap items, their status and blockers."),
    ):
        register(lazy_command(name, f"deskframe_review.data_cmd:{attribute}", text))
    register(
        lazy_command(
            "review",
            "deskframe_review.command:review_group",
            "The account review of a customer: five questions answered, with the timeline.",
        )
    )


@deskframe.hookimpl
def register_apply_tables(register: Callable[..., None]) -> None:
    """``[[projects]]``, ``[[timeline]]``, ``[[roadmap]]`` and ``[[review_notes]]``."""
    from deskframe import ApplyTables

    from . import apply_tables

    register(
        ApplyTables(
            "review",
            tuple(apply_tables.TABLES),
            apply_tables.parse,
            apply_tables.write,
            description="account review: projects, timeline, roadmap, notes",
        )
    )


@deskframe.hookimpl
def register_routes(register: Callable[..., None]) -> None:
    from . import page, web

    for route in [*web.routes(), *page.routes()]:
        register(route)


@deskframe.hookimpl
def customer_sections(desk: Any, customer: str, actor: Any, language: str, portal: bool) -> list[Any]:
    """The customer's reviews per period, on the agent page and for the portal's customer admins."""
    from . import page

    return page.section(desk, customer, actor, language, portal)


def review_formats(desk: Any) -> list[str]:
    """The ``--format`` choices: the plugin's own and every output format of kind :data:`KIND`."""
    extra = [f.name for f in desk.plugins.registry.items("output_formats") if KIND in f.kinds]
    return [*OWN_FORMATS, *[n for n in extra if n not in OWN_FORMATS]]


def customer_locale(desk: Any, customer: str) -> str:
    """The customer's language: a contract's ``params.locale``, else ``[billing] locale``."""
    for contract in desk.directory.contracts(customer):
        if contract.params.get("locale"):
            return str(contract.params["locale"])
    return str(desk.config.billing.locale)


def make_review(
    desk: Any, customer: str, period: str | None = None, locale: str | None = None
) -> tuple[dict[str, Any], Any]:
    """The review dict of ``customer`` for ``period`` (default: this month) and its :class:`~.view.View`."""
    from deskframe.periods import Period

    from .review import build
    from .view import View

    chosen = Period.parse(period) if period else Period.of(desk.local_date())
    view = View(locale or "en")  # an unknown --locale is refused before anything is read
    review = build(desk, customer, chosen)
    if locale is None:
        view = View(customer_locale(desk, customer))
    return review, view


def render_review(desk: Any, review: dict[str, Any], view: Any, fmt: str) -> str | bytes:
    """``review`` rendered as ``fmt``."""
    from . import formats

    if fmt == "json":
        return formats.render_json(review, view)
    if fmt == "text":
        return formats.render_text(review, view)
    if fmt == "html":
        return formats.render_html(review, view)
    output = desk.plugins.registry.get("output_formats", fmt)
    options = {"locale": view.name} if "locale" in output.options else {}
    return output.render(KIND, formats.document(review, view), **options)
