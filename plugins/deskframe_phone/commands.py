"""``deskframe phone log`` and ``deskframe phone import``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from deskframe.cli import FORMAT_OPTION, emit_one, pass_desk
from deskframe.errors import BadValue

from . import callers, callog
from .calls import Call, find_agent, log_call
from .settings import format_duration, parse_duration, settings_of


@click.group("phone")
def phone_group() -> None:
    """Phone calls: log a call on a ticket, import a PBX call log."""


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    try:
        duration = parse_duration(value, bare_seconds=False)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if duration.total_seconds() <= 0:
        raise click.BadParameter("must be more than zero")
    return duration


@phone_group.command("log")
@click.option("--caller", required=True, help="The caller's phone number or e-mail address.")
@click.option("--agent", "agent_name", required=True, help="The agent who took the call (login).")
@click.option("--summary", required=True, help="What the call was about; its first line becomes the subject.")
@click.option("--duration", callback=_duration, help="Length of the call: 5m, 1h30m, 90s.")
@click.option("--ticket", "number", help="Add the call to this ticket instead of opening a new one.")
@click.option(
    "--work-request",
    is_flag=True,
    help="The caller asks for paid work: wait for the request in writing (and ask for it by e-mail).",
)
@FORMAT_OPTION
@pass_desk
def phone_log(
    desk: Any,
    caller: str,
    agent_name: str,
    summary: str,
    duration: Any,
    number: str | None,
    work_request: bool,
    fmt: str,
) -> None:
    """Record a phone call as an article; prints the ticket number."""
    settings = settings_of(desk)
    if not summary.strip():
        raise BadValue("a call needs a summary")
    agent = find_agent(desk.directory.agents(), agent_name)
    who = callers.resolve(desk, caller, settings.default_region)
    outcome = log_call(
        desk,
        settings,
        Call(caller=who, agent=agent, summary=summary, duration=duration),
        ticket=number,
        work_request=work_request,
    )
    emit_one(outcome, fmt, outcome["ticket"])
    if fmt == "table":
        where = "new ticket" if outcome["created"] else "ticket"
        note = f"Call from {who.display} logged on {where} {outcome['ticket']}"
        if duration is not None:
            note += f" ({format_duration(duration)})"
        click.echo(note + ".", err=True)
        if work_request:
            sent = outcome["written_request"]
            click.echo(
                f"State: {outcome['state']}; "
                + (
                    f"asked {sent['to']} for the request in writing."
                    if sent
                    else "no written request sent (see history)."
                ),
                err=True,
            )


@phone_group.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@FORMAT_OPTION
@pass_desk
def phone_import(desk: Any, path: Path, fmt: str) -> None:
    """Import a PBX call log (CSV; columns mapped in [phone.csv]). Safe to run again."""
    settings = settings_of(desk)
    rows = callog.read_rows(path, settings)
    if sys.stderr.isatty() and fmt == "table" and rows:
        with click.progressbar(length=len(rows), label="Importing calls", file=sys.stderr) as bar:
            report = callog.import_calls(desk, settings, rows, on_row=lambda row, outcome: bar.update(1))
    else:
        report = callog.import_calls(desk, settings, rows)
    if fmt == "json":
        emit_one(report.as_dict(), fmt, "")
    else:
        for failure in report.failed:
            click.echo(f"{path.name}: line {failure['line']}: {failure['error']}", err=True)
        click.echo(
            f"{report.rows} rows: {report.created} new tickets, {report.appended} added to tickets, "
            f"{report.duplicates} already imported, {len(report.failed)} failed"
        )
    if report.failed:
        sys.exit(1)
