"""``deskframe time log|list``: time spent on tickets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from .. import serialize
from ..bounds import MAX_ENTRY_MINUTES
from ..errors import BadValue
from ..tables import MAX_YEAR, MIN_YEAR
from .context import pass_desk
from .output import FORMAT_OPTION, emit


@click.group("time")
def time_group() -> None:
    """Log and list time spent on tickets."""


@time_group.command("log")
@click.argument("number")
@click.option("--agent", required=True)
@click.option("--minutes", type=click.IntRange(1, MAX_ENTRY_MINUTES), required=True,
              help=f"Minutes worked, 1 to {MAX_ENTRY_MINUTES} (a day) per entry.")
@click.option("--date", "day", help="Work date YYYY-MM-DD (default today).")
@click.option("--note", default="")
@click.option("--non-billable", "non_billable", is_flag=True, help="Tracked, never invoiced.")
@click.option("--allow-future", is_flag=True, help="Accept a --date after today (in the desk's time zone).")
@pass_desk
def time_log(desk: Any, number: str, agent: str, minutes: int, day: str | None, note: str, non_billable: bool,
             allow_future: bool) -> None:
    """Record time an agent spent on ticket NUMBER."""
    work_date = None
    if day is not None:
        try:
            work_date = dt.date.fromisoformat(day)
        except ValueError:
            raise BadValue(f"bad --date '{day}' (expected YYYY-MM-DD)") from None
        if not MIN_YEAR <= work_date.year <= MAX_YEAR:
            raise BadValue(f"--date {work_date}: a date between the years {MIN_YEAR} and {MAX_YEAR}")
        if work_date > desk.local_date() and not allow_future:
            raise BadValue(f"--date {work_date} is in the future (today is {desk.local_date()} in "
                           f"{desk.config.timezone}); add --allow-future to log it anyway")
    entry = desk.log_time(number, agent=agent, minutes=minutes, date=work_date, note=note, billable=not non_billable)
    click.echo(f"logged {entry.minutes} min on {number} for {agent} ({entry.work_date})")


@time_group.command("list")
@click.option("--ticket")
@click.option("--customer")
@click.option("--period", help="A month, YYYY-MM.")
@FORMAT_OPTION
@pass_desk
def time_list(desk: Any, ticket: str | None, customer: str | None, period: str | None, fmt: str) -> None:
    """List time entries."""
    entries = desk.time_entries(ticket=ticket, customer=customer, period=period)
    rows = [serialize.time_entry(e) for e in entries]
    emit(rows, ("date", "ticket", "customer", "agent", "minutes", "billable", "note"), fmt, empty="No time entries.")
    if fmt == "table" and rows:
        total = sum(e.minutes for e in entries)
        click.echo(f"total {total} min ({total / 60:.2f} h)")
