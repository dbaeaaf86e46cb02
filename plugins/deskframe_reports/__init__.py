"""Reference plugin: periodic customer reports with charts and recommendations.

Hooks implemented here:

* ``register_commands`` - ``deskframe report customer CUSTOMER --period 2026-10
  [--contract ID] --format html|json|csv|text`` (and ``pdf`` when an output format
  registered for the kind ``customer_report`` exists, as ``deskframe-pdf``'s does);
* ``register_report_rules`` - the reference recommendation rules (:mod:`.rules`);
* ``register_jobs`` - the worker job ``reports`` that e-mails each contract's due report
  once (``params.report_every`` / ``report_to``, :mod:`.schedule`, :mod:`.sending`);
* ``contract_param_problems`` - checks ``report_every`` and ``report_to``.

The report reads the desk only through :mod:`.source`, computes its figures in
:mod:`.figures` (pure), asks every registered rule for recommendations, and renders in
the customer's language (:mod:`.view`, gettext catalogs in ``locale/``). This module
imports nothing heavy: click, Jinja2, pygal and Babel load when a report is made (the
command is registered with :func:`deskframe.cli.lazy_command`).
See docs/reports.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import deskframe

#: Formats the plugin renders itself; others come from output formats of kind ``customer_report``.
OWN_FORMATS = ("text", "html", "json", "csv")
#: The kind an output format lists to render customer reports (see docs/reports.md).
KIND = "customer_report"


@deskframe.hookimpl
def register_commands(register: Callable[..., None]) -> None:
    """Register the ``deskframe report`` group (imported when it runs)."""
    from deskframe.cli import lazy_command

    register(
        lazy_command(
            "report",
            "deskframe_reports.command:report_group",
            "Reports to customers on the support's results, with recommendations.",
        )
    )


#: How often the worker looks for due reports.
CHECK_EVERY = dt.timedelta(hours=1)


@deskframe.hookimpl
def register_jobs(register: Callable[..., None]) -> None:
    """The ``reports`` job: enqueue each scheduled report on its due day, once."""

    def run(desk: Any) -> dict[str, int]:
        from .sending import run

        return run(desk)

    register(deskframe.Job("reports", CHECK_EVERY, run, "e-mail the customers' scheduled reports"))


@deskframe.hookimpl
def contract_param_problems(params: dict[str, Any]) -> list[tuple[str, str]]:
    """Bad ``report_every`` / ``report_to`` values of a contract."""
    from .schedule import param_problems

    return param_problems(params)


@deskframe.hookimpl
def register_report_rules(register: Callable[..., None]) -> None:
    """The reference rules: premium tier, 24x7, smaller retainer, recurring subjects."""
    from .rules import RULES

    for rule in RULES:
        register(rule)


def report_formats(desk: Any) -> list[str]:
    """The ``--format`` choices: the plugin's own and every registered ``customer_report`` format."""
    extra = [f.name for f in desk.plugins.registry.items("output_formats") if KIND in f.kinds]
    return [*OWN_FORMATS, *[name for name in extra if name not in OWN_FORMATS]]


def build_report(
    desk: Any, customer: str, period: str, *, contract: str | None = None, locale: str | None = None
) -> tuple[Any, str]:
    """The :class:`~.figures.CustomerReport` (with recommendations) and the locale to show it in."""
    import attrs

    from deskframe.periods import Period

    from . import figures, rules, source

    data = source.load(desk, customer, Period.parse(period), contract)
    if locale is None:
        params = [t.contract.params.get("locale") for t in data.terms if t.contract.params.get("locale")]
        locale = str(params[0]) if params else desk.config.billing.locale
    from .view import View

    View(locale)  # an unknown locale is refused (exit 2) before a rule formats with it
    report = rules.apply(attrs.evolve(figures.build(data), locale=locale), data.rules)
    return report, locale


def render_report(desk: Any, report: Any, fmt: str, locale: str) -> str | bytes:
    """``report`` rendered as ``fmt`` in ``locale``."""
    from .view import View

    view = View(locale, desk.config.timezone)
    if fmt == "json":
        import json

        data = report.as_dict()
        data["recommendations"] = [{**r, "localized": view.recommendation(r)} for r in report.recommendations]
        data["locale"] = locale
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        from . import csv_format

        return csv_format.render(report)
    if fmt == "html":
        from . import html_format

        return html_format.render(report, view)
    if fmt == "text":
        from . import text_format

        return text_format.render(report, view)
    from .document import document

    output = desk.plugins.registry.get("output_formats", fmt)
    options = {"locale": locale} if "locale" in output.options else {}
    return output.render(KIND, document(report, view), **options)
