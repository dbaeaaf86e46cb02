"""``deskframe report customer CUSTOMER --period 2026-10 [--contract ID] --format FORMAT``,
``deskframe report due`` and ``deskframe report send`` (the schedule)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import click

from deskframe.cli import pass_desk
from deskframe.cli.output import FORMAT_OPTION, emit, write_output
from deskframe.errors import BadValue

from . import build_report, render_report, report_formats


@click.group("report")
def report_group() -> None:
    """Reports to customers on the support's results, with recommendations."""


@report_group.command("customer")
@click.argument("customer")
@click.option("--period", required=True, help="A month (YYYY-MM), a quarter (YYYY-Qn) or an ISO week (YYYY-Www).")
@click.option("--contract", help="Only this contract's tickets and time (default: all the customer's contracts).")
@click.option(
    "--format",
    "fmt",
    default="text",
    show_default=True,
    help="html, json, csv or text; pdf when deskframe-pdf is installed.",
)
@click.option(
    "--locale",
    help="Language and number format (en, ru); default: the contract's params.locale, else [billing] locale.",
)
@click.option("--output", "-o", help="Write to this file instead of stdout.")
@pass_desk
def report_customer(
    desk: Any, customer: str, period: str, contract: str | None, fmt: str, locale: str | None, output: str | None
) -> None:
    """One customer's report for a period: tickets, SLA, hours, night duty, recommendations."""
    formats = report_formats(desk)
    if fmt not in formats:
        raise BadValue(f"--format: unknown format {fmt!r} (known: {', '.join(formats)})")
    report, language = build_report(desk, customer, period, contract=contract, locale=locale)
    write_output(render_report(desk, report, fmt, language), output)


def _at(desk: Any, text: str | None) -> dt.datetime | None:
    """``--at``: a local day (noon in the desk's zone) or an ISO instant with its offset."""
    if text is None:
        return None
    try:
        if len(text.strip()) == 10:
            day = dt.date.fromisoformat(text.strip())
            return dt.datetime.combine(day, dt.time(12), ZoneInfo(desk.config.timezone))
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadValue(f"--at: bad date {text[:30]!r} (expected YYYY-MM-DD or an ISO time)") from None
    return when if when.tzinfo else when.replace(tzinfo=ZoneInfo(desk.config.timezone))


AT_OPTION = click.option("--at", "at", help="As of this day (YYYY-MM-DD, desk's zone) or ISO time; default: now.")


@report_group.command("due")
@AT_OPTION
@FORMAT_OPTION
@pass_desk
def report_due(desk: Any, at: str | None, fmt: str) -> None:
    """The scheduled reports' recent periods: due, queued or sent (params.report_every / report_to)."""
    from .sending import due_reports

    rows = [r.as_dict() for r in due_reports(desk, _at(desk, at))]
    if fmt != "json":
        for row in rows:
            row["to"] = ", ".join(row["to"])
    emit(
        rows, ("contract", "customer", "period", "due", "state", "outbox_id", "to"), fmt, empty="No scheduled reports."
    )


@report_group.command("send")
@AT_OPTION
@pass_desk
def report_send(desk: Any, at: str | None) -> None:
    """Enqueue the due scheduled reports now (what the worker's ``reports`` job does)."""
    from .sending import run

    counts = run(desk, _at(desk, at))
    click.echo(f"reports enqueued: {counts['enqueued']}")
