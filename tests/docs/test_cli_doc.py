"""docs/cli.md lists every command of the CLI (core and installed reference plugins), so it cannot
fall behind when a command is added."""

from __future__ import annotations

from pathlib import Path

import click

from deskframe.cli import build_cli
from deskframe.plugins import build_plugins

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def leaves(command: click.Command, path: tuple[str, ...] = ()) -> list[str]:
    if isinstance(command, click.Group):
        return [name for sub_name, sub in command.commands.items() for name in leaves(sub, path + (sub_name,))]
    return [" ".join(path)]


def test_every_command_is_listed() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in leaves(build_cli(build_plugins())) if f"| `{name}` |" not in text]
    assert missing == [], f"docs/cli.md does not list {missing}"


def test_exit_code_rule_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for needle in (
        "| 2 | what the user typed is wrong",
        "| 1 | a valid request the desk's state refuses",
        "| 0 | success",
    ):
        assert needle in text
