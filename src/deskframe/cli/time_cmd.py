"""``deskframe time log|list|edit|void``: time spent on tickets, and corrections to it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from .. import serialize
from ..bounds import MAX_ENTRY_MINUTES
from ..errors import BadValue
from ..tables import MAX_YEAR, MIN_YEAR
from .context import actor_for, pass_desk
from .output import FORMAT_OPTION, emit


@click.group("time")
def time_group() -> None:
    """Log and list time spent on tickets."""


@time_group.command("log")
@click.argument("number")
@click.option("--agent", required=True)
@click.option(
    "--minutes",
    type=click.IntRange(1, MAX_ENTRY_MINUTES),
    required=True,
    help=f"Minutes worked, 1 to {MAX_ENTRY_MINUTES} (a day) per entry.",
)
@click.option("--date", "day", help="Work date YYYY-MM-DD (default today).")
@click.option("--note", default="")
@click.option("--non-billable", "non_billable", is_flag=True, help="Tracked, never invoiced.")
@click.option("--allow-future", is_flag=True, help="Accept a --date after today (in the desk's time zone).")
@pass_desk
def time_log(
    desk: Any, number: str, agent: str, minutes: int, day: str | None, note: str, non_billable: bool, allow_future: bool
) -> None:
    """Record time an agent spent on ticket NUMBER."""
    work_date = _parse_date(day)
    if work_date is not None:
        if work_date > desk.local_date() and not allow_future:
            raise BadValue(
                f"--date {work_date} is in the future (today is {desk.local_date()} in "
                f"{desk.config.timezone}); add --allow-future to log it anyway"
            )
    entry = desk.time.log(
        number, actor=actor_for(agent), minutes=minutes, date=work_date, note=note, billable=not non_billable
    )
    click.echo(f"logged {entry.minutes} min on {number} for {agent} ({entry.work_date})")


def _parse_date(day: str | None) -> dt.date | None:
    """``--date``: YYYY-MM-DD within the years a desk accepts (exit 2 otherwise)."""
    if day is None:
        return None
    try:
        work_date = dt.date.fromisoformat(day)
    except ValueError:
        raise BadValue(f"bad --date '{day}' (expected YYYY-MM-DD)") from None
    if not MIN_YEAR <= work_date.year <= MAX_YEAR:
        raise BadValue(f"--date {work_date}: a date between the years {MIN_YEAR} and {MAX_YEAR}")
    return work_date


@time_group.command("list")
@click.option("--ticket")
@click.option("--customer")
@click.option("--period", help="A month, YYYY-MM.")
@click.option("--all", "show_all", is_flag=True, help="Include voided entries.")
@FORMAT_OPTION
@pass_desk
def time_list(
    desk: Any, ticket: str | None, customer: str | None, period: str | None, show_all: bool, fmt: str
) -> None:
    """List time entries (voided ones only with --all)."""
    entries = desk.time.entries(ticket=ticket, customer=customer, period=period, voided=show_all)
    rows = [serialize.time_entry(e) for e in entries]
    columns = ("id", "date", "ticket", "customer", "agent", "minutes", "billable", "note")
    if show_all and fmt == "table":
        for row in rows:
            row["voided"] = f"{row['voided_by']}: {row['void_reason']}" if row["voided_at"] else None
        columns += ("voided",)
    emit(rows, columns, fmt, empty="No time entries.")
    if fmt == "table" and rows:
        total = sum(e.minutes for e in entries if e.voided_at is None)
        click.echo(f"total {total} min ({total / 60:.2f} h)" + (", voided entries not counted" if show_all else ""))


def _corrected(verb: str, correction: Any) -> None:
    entry = correction.entry
    click.echo(
        f"{verb} time entry {entry.id} on {entry.ticket}: {entry.minutes} min on {entry.work_date}"
        f"{'' if entry.billable else ', non-billable'}"
    )
    if correction.discarded_draft:
        ref, period = correction.discarded_draft
        click.echo(f"discarded {ref}, which billed it: run 'deskframe invoice run --period {period}' again")


@time_group.command("edit")
@click.argument("entry_id", type=int, metavar="ID")
@click.option("--agent", required=True, help="Who makes the correction.")
@click.option("--minutes", type=click.IntRange(1, 1440), help="1..1440 (24 h per entry).")
@click.option("--date", "day", help="Work date YYYY-MM-DD.")
@click.option("--note")
@click.option("--billable/--non-billable", default=None, help="Invoice it, or only track it.")
@click.option("--reason", help="Why (kept in the ticket's history).")
@pass_desk
def time_edit(
    desk: Any,
    entry_id: int,
    agent: str,
    minutes: int | None,
    day: str | None,
    note: str | None,
    billable: bool | None,
    reason: str | None,
) -> None:
    """Correct time entry ID (refused once it is on an issued invoice: void the invoice first)."""
    correction = desk.time.edit(
        entry_id,
        actor=actor_for(agent),
        minutes=minutes,
        date=_parse_date(day),
        note=note,
        billable=billable,
        reason=reason,
    )
    _corrected("edited", correction)


@time_group.command("void")
@click.argument("entry_id", type=int, metavar="ID")
@click.option("--reason", required=True, help="Why (kept on the entry and in the ticket's history).")
@click.option("--agent", required=True, help="Who voids it.")
@pass_desk
def time_void(desk: Any, entry_id: int, reason: str, agent: str) -> None:
    """Void time entry ID: kept, but never listed (without --all), billed or reported."""
    correction = desk.time.void(entry_id, actor=actor_for(agent), reason=reason)
    _corrected("voided", correction)
