"""``deskframe report customer CUSTOMER --period 2026-10 [--contract ID] --format FORMAT``."""

from __future__ import annotations

import sys
from typing import Any

import click

from deskframe.cli import pass_desk
from deskframe.errors import BadValue

from . import build_report, render_report, report_formats


def _write(data: str | bytes, output: str | None) -> None:
    if not output:
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            click.echo(data, nl=not data.endswith("\n"))
        return
    try:
        if isinstance(data, bytes):
            with open(output, "wb") as fh:
                fh.write(data)
        else:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(data)
    except OSError as exc:
        raise BadValue(f"--output {output}: {exc.strerror or type(exc).__name__}") from None
    click.echo(f"wrote {output}", err=True)


@click.group("report")
def report_group() -> None:
    """Reports to customers on the support's results, with recommendations."""


@report_group.command("customer")
@click.argument("customer")
@click.option("--period", required=True, help="A month (YYYY-MM) or a quarter (YYYY-Qn).")
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
    _write(render_report(desk, report, fmt, language), output)
