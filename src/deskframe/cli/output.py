"""Printing results: aligned tables for people, stable JSON for scripts."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import click

from .. import bounds, serialize
from ..money import Money
from ..text import clean_line, clean_text
from .context import AppContext, path_problem

#: A row id typed on the command line (a 32-bit SQL integer, from 1).
ROW_ID = click.IntRange(1, bounds.INT32_MAX)
#: A TCP port.
PORT = click.IntRange(1, 65535)

FORMAT_OPTION = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Output format."
)


def desk_zone() -> ZoneInfo | None:
    """The configured zone of the desk this command runs against (None outside a command, or before
    the config is read)."""
    ctx = click.get_current_context(silent=True)
    app = ctx.find_object(AppContext) if ctx is not None else None
    config = app.loaded_config if app is not None else None
    return ZoneInfo(config.timezone) if config is not None else None


def local_time(value: dt.datetime, zone: dt.tzinfo | None) -> str:
    """``YYYY-MM-DD HH:MM`` in ``zone`` (a naive value counts as UTC, as the store keeps it)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return (value.astimezone(zone) if zone is not None else value).strftime("%Y-%m-%d %H:%M")


def cell(value: Any, zone: dt.tzinfo | None = None) -> str:
    """One table cell: times in ``zone`` (the desk's), money with its currency, text on one line."""
    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        return local_time(value, zone)
    if isinstance(value, Money):
        return str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ",".join(cell(v, zone) for v in value) or "-"
    if isinstance(value, dict):
        return ",".join(f"{k}={cell(v, zone)}" for k, v in value.items()) or "-"
    text = clean_line(str(value))  # outside text: no terminal controls, one line
    return text if len(text) <= 60 else text[:57] + "..."


def table(rows: Iterable[dict[str, Any]], columns: Sequence[str], zone: dt.tzinfo | None = None) -> str:
    """An aligned text table; times shown in ``zone`` (by default the desk's)."""
    zone = zone if zone is not None else desk_zone()
    data = [[cell(r.get(c), zone) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in data]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in data]
    return "\n".join(lines)


_C1 = re.compile("[\x7f-\x9f]")


def safe_json(text: str) -> str:
    """JSON text with DEL and the C1 controls escaped (``\\u009b``); JSON escapes C0 itself.

    Only valid inside JSON strings, where those characters can only occur: the data is unchanged."""
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def emit(rows: list[dict[str, Any]], columns: Sequence[str], fmt: str, *, empty: str = "Nothing found.") -> None:
    if fmt == "json":
        click.echo(safe_json(serialize.dumps(rows)))
    elif not rows:
        click.echo(empty)
    else:
        click.echo(table(rows, columns))


def emit_one(data: dict[str, Any], fmt: str, text: str) -> None:
    """Print ``data`` as JSON, or ``text`` (cleaned of terminal control characters) for people."""
    click.echo(safe_json(serialize.dumps(data)) if fmt == "json" else clean_text(text))


def echo_text(text: str, **kwargs: Any) -> None:
    """``click.echo`` for text that may hold outside data: terminal controls removed (tab, newline kept)."""
    click.echo(clean_text(text), **kwargs)


def write_output(data: str | bytes, output: str | None) -> None:
    """Write ``data`` to the file ``output`` (``-o``; one ``Error:`` line, exit 2, if it cannot be
    written, and ``wrote FILE`` on stderr) or, without one, to stdout."""
    from ..errors import BadValue

    if output:
        try:
            if isinstance(data, bytes):
                with open(output, "wb") as binary:
                    binary.write(data)
            else:
                with open(output, "w", encoding="utf-8") as text:
                    text.write(data)
        except OSError as exc:
            raise BadValue(f"--output {path_problem(exc)}") from None
        click.echo(f"wrote {output}", err=True)
    elif isinstance(data, bytes):
        sys.stdout.buffer.write(data)
    else:
        click.echo(data, nl=not data.endswith("\n"))
