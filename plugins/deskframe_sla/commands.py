"""``deskframe oncall ...``: who is on duty.

``deskframe oncall who [--at ISO] [--rotation NAME] [--format table|json]`` prints one row
per rotation. JSON (a list, in config order)::

    [{"rotation": "night", "timezone": "Europe/Moscow", "shift": "19:00-10:00",
      "at": "2026-01-05T20:00:00+00:00", "agent": "carol",
      "shift_start": "2026-01-05T16:00:00+00:00", "shift_end": "2026-01-06T07:00:00+00:00",
      "next_agent": "carol", "next_shift_start": "2026-01-06T16:00:00+00:00"}]

``agent``, ``shift_start`` and ``shift_end`` are null when nobody is on duty; times are
ISO 8601 in UTC. ``--at`` without an offset is read in the desk's ``[desk] timezone``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import click

from deskframe.cli import pass_desk
from deskframe.errors import BadValue, NotFound

from .oncall import Rotation, next_shift, shift_at
from .routing import rotations

COLUMNS = ("rotation", "agent", "shift", "until", "next")


def parse_at(text: str | None, desk: Any) -> dt.datetime:
    """``--at``: an ISO date-time (``Z`` allowed); naive means the desk's time zone; None is now."""
    if text is None:
        return desk.clock().astimezone(dt.timezone.utc)
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise BadValue(f"bad --at {text!r} (expected an ISO date-time such as 2026-01-05T22:00+03:00)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(desk.config.timezone))
    return value.astimezone(dt.timezone.utc)


def who_rows(selected: list[Rotation], at: dt.datetime) -> list[dict[str, Any]]:
    """One JSON-ready row per rotation: who is on duty at ``at`` and who comes next."""
    rows = []
    for rotation in selected:
        now = shift_at(rotation, at)
        nxt = next_shift(rotation, at)
        rows.append(
            {
                "rotation": rotation.name,
                "timezone": rotation.timezone,
                "shift": rotation.shift_text,
                "at": at.isoformat(),
                "agent": now.agent if now else None,
                "shift_start": now.start.isoformat() if now else None,
                "shift_end": now.end.isoformat() if now else None,
                "next_agent": nxt.agent,
                "next_shift_start": nxt.start.isoformat(),
            }
        )
    return rows


def _local(iso: str | None, zone: str) -> str:
    if iso is None:
        return "-"
    return dt.datetime.fromisoformat(iso).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def render_table(rows: list[dict[str, Any]]) -> str:
    """Aligned text: times in each rotation's own zone."""
    data = [
        [
            r["rotation"],
            r["agent"] or "-",
            f"{r['shift']} {r['timezone']}",
            _local(r["shift_end"], r["timezone"]),
            f"{r['next_agent']} at {_local(r['next_shift_start'], r['timezone'])}",
        ]
        for r in rows
    ]
    widths = [max([len(c)] + [len(row[i]) for row in data]) for i, c in enumerate(COLUMNS)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(COLUMNS, widths)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in data]
    return "\n".join(lines)


@click.group("oncall")
def oncall_group() -> None:
    """On-call rotations: who watches premium and 24/7 customers out of hours."""


@oncall_group.command("who")
@click.option("--at", "at_text", metavar="ISO", help="Instant to ask about (default now); naive = desk time zone.")
@click.option("--rotation", "rotation_name", metavar="NAME", help="Only this rotation.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Output format."
)
@pass_desk
def who(desk: Any, at_text: str | None, rotation_name: str | None, fmt: str) -> None:
    """Show the agent on duty in each rotation."""
    configured = rotations(desk)
    if rotation_name is not None and rotation_name not in configured:
        raise NotFound(f"unknown rotation '{rotation_name}' (configured: {', '.join(configured) or 'none'})")
    selected = [configured[rotation_name]] if rotation_name else list(configured.values())
    rows = who_rows(selected, parse_at(at_text, desk))
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif not rows:
        click.echo("No on-call rotations configured ([oncall.NAME] in deskframe.toml).")
    else:
        click.echo(render_table(rows))
