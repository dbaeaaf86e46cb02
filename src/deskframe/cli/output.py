"""Printing results: aligned tables for people, stable JSON for scripts."""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Sequence

import click

from .. import bounds, serialize

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
    text = str(value).replace("\n", " ")
    return text if len(text) <= 60 else text[:57] + "..."


def table(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    data = [[cell(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in data]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in data]
    return "\n".join(lines)


def emit(rows: list[dict[str, Any]], columns: Sequence[str], fmt: str, *, empty: str = "Nothing found.") -> None:
    if fmt == "json":
        click.echo(serialize.dumps(rows))
    elif not rows:
        click.echo(empty)
    else:
        click.echo(table(rows, columns))


def emit_one(data: dict[str, Any], fmt: str, text: str) -> None:
    click.echo(serialize.dumps(data) if fmt == "json" else text)
