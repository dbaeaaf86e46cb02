"""Printing results: aligned tables for people, stable JSON for scripts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterable, Sequence

import click

from .. import bounds, serialize
from ..text import clean_line, clean_text

#: A row id typed on the command line (a 32-bit SQL integer, from 1).
ROW_ID = click.IntRange(1, bounds.INT32_MAX)
#: A TCP port.
PORT = click.IntRange(1, 65535)

FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                             show_default=True, help="Output format.")


def cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ",".join(cell(v) for v in value) or "-"
    if isinstance(value, dict):
        return ",".join(f"{k}={cell(v)}" for k, v in value.items()) or "-"
    text = clean_line(str(value))  # outside text: no terminal controls, one line
    return text if len(text) <= 60 else text[:57] + "..."


def table(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    data = [[cell(r.get(c)) for c in columns] for r in rows]
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
