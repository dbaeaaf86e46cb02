"""``deskframe sla due|check|report`` and ``deskframe ticket escalate``."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import click

from ..bounds import check_duration
from ..errors import BadValue
from ..sla import format_duration, parse_duration
from .context import pass_desk
from .output import FORMAT_OPTION, emit, emit_one


def parse_instant(text: str, option: str) -> dt.datetime:
    """ISO 8601 with an offset (``2026-10-05T11:00:00+03:00``, ``...Z``)."""
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadValue(f"{option}: not an ISO 8601 time: {text!r}") from None
    if value.tzinfo is None:
        raise BadValue(f"{option}: give a time zone offset, e.g. {text}+03:00 or {text}Z")
    if not 1900 <= value.year <= 2999:
        raise BadValue(f"{option}: a time between the years 1900 and 2999, got {text!r}")
    return value


@click.group("sla")
def sla_group() -> None:
    """Business calendars, SLA clocks, warnings, breaches and compliance."""


@sla_group.command("due")
@click.option("--calendar", "calendar_name", required=True)
@click.option("--start", required=True, help="ISO 8601 instant with offset.")
@click.option("--duration", required=True, help="Working time, e.g. 1h30m, 2d, 15m.")
@FORMAT_OPTION
@pass_desk
def sla_due(desk: Any, calendar_name: str, start: str, duration: str, fmt: str) -> None:
    """Print the instant when DURATION of working time has elapsed from START."""
    calendar = desk.sla.calendar(calendar_name)
    begin = parse_instant(start, "--start")
    try:
        delta = check_duration(parse_duration(duration))
    except ValueError as exc:
        raise BadValue(f"--duration: {exc}") from None
    try:
        due = calendar.add(begin, delta)
    except (OverflowError, ValueError):
        raise BadValue(f"--duration: {duration} from {start} ends beyond the calendar's range") from None
    local = due.astimezone(calendar.tzinfo)
    data = {
        "calendar": calendar_name,
        "start": begin.isoformat(),
        "duration": format_duration(delta),
        "due": due.isoformat(),
        "due_local": local.isoformat(),
    }
    emit_one(data, fmt, local.isoformat())


@sla_group.command("check")
@click.option("--now", "now_text", help="Evaluate as of this ISO instant (default: now).")
@FORMAT_OPTION
@pass_desk
def sla_check(desk: Any, now_text: str | None, fmt: str) -> None:
    """Fire SLA warnings and breaches that are due, exactly once each (cron-safe)."""
    now = parse_instant(now_text, "--now") if now_text is not None else None
    result = desk.sla.check(now)
    data = {
        "warnings": result.warnings,
        "breaches": result.breaches,
        "escalations": result.escalations,
        "live_clocks": result.live_clocks,
        "warned": result.warned,
        "breached": result.breached,
    }
    zone = ZoneInfo(desk.config.timezone)
    lines = [
        f"warnings {result.warnings}, breaches {result.breaches}, "
        f"escalations {result.escalations}, live clocks {result.live_clocks}"
    ]
    lines += [
        f"  {what} {c['ticket']} {c['kind']} (due {c['due_at'].astimezone(zone):%Y-%m-%d %H:%M})"
        for what, clocks in (("warning", result.warned), ("breached", result.breached))
        for c in clocks
    ]
    emit_one(data, fmt, "\n".join(lines))


@sla_group.command("report")
@click.option("--customer", required=True)
@click.option("--period", required=True, help="A month, YYYY-MM.")
@FORMAT_OPTION
@pass_desk
def sla_report(desk: Any, customer: str, period: str, fmt: str) -> None:
    """SLA compliance of a customer's tickets opened in a month, per priority and clock kind.

    Each clock is counted once: MET + MISSED + OVERDUE + RUNNING + PAUSED + CANCELLED = CLOCKS
    (docs/sla.md); JSON adds ``breached`` = missed + overdue."""
    rows = desk.sla.report(customer, period)
    emit(
        rows,
        ("priority", "kind", "clocks", "met", "missed", "overdue", "running", "paused", "cancelled", "median", "p90"),
        fmt,
        empty=f"No SLA clocks for {customer} in {period}.",
    )


__all__ = ["sla_group"]
