"""``deskframe chat replay FILE --channel NAME``: take in webhook payloads from a file.

For an operator on the desk's own machine: replaying a saved webhook log, or
loading a transcript exported from another chat tool. One JSON payload per
line (the webhook's format); no signature, since the file is local and trusted.
Replays are idempotent like the webhook itself (same ``message_id``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from deskframe.cli import FORMAT_OPTION, emit_one, pass_desk
from deskframe.errors import BadValue

from . import inbound, payload, settings


@click.group("chat")
def chat_group() -> None:
    """Chat channels: replay saved webhook payloads."""


@chat_group.command("replay")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--channel", "name", required=True, help="The chat channel's name.")
@FORMAT_OPTION
@pass_desk
def chat_replay(desk: Any, file: Path, name: str, fmt: str) -> None:
    """Take in one webhook payload per line of FILE."""
    chosen = settings.settings_for(desk, name)
    if chosen is None:
        raise BadValue(f"no chat channel named '{name}'")
    messages = new_tickets = duplicates = 0
    errors: list[str] = []
    for number, line in enumerate(file.read_bytes().splitlines(), 1):
        if not line.strip():
            continue
        try:
            message = payload.parse(line)
        except payload.PayloadError as exc:
            errors.append(f"line {number}: {exc}")
            continue
        answer = inbound.receive(desk, chosen, message, line)
        messages += 1
        new_tickets += bool(answer["created"])
        duplicates += bool(answer["duplicate"])
    emit_one(
        {"messages": messages, "new_tickets": new_tickets, "duplicates": duplicates, "errors": errors},
        fmt,
        f"{file}: {messages} messages, {new_tickets} new tickets, {duplicates} duplicates, {len(errors)} errors"
        + "".join(f"\n  {e}" for e in errors),
    )
    if errors:
        raise SystemExit(1)


__all__ = ["chat_group"]
