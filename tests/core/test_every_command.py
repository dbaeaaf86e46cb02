"""Issue 17, items 2 and 3: every command and subcommand, with ``--help`` and with bad arguments.

The command tree is walked from ``build_cli(...).commands``, so a command added later is covered
without touching this file. Each parameter gets bad values chosen from click's metadata (its type,
its name): a missing file, a directory where a file belongs, an unwritable path, impossible dates
and periods, unknown ticket numbers and ids, negative and huge numbers, an empty string. Every run
must end without a traceback, and a refusal must be one readable ``Error:`` line with exit code 2
(what the user typed is wrong; docs/cli.md). Required parameters that are not under test get
working values, so the bad value is the one the command meets.

One desk serves the whole module and the CLI runs in-process; long-running commands (``serve``,
``demo``, ``intake run``) only get values that fail before they would start working.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from deskframe.actors import Actor
from deskframe.cli import build_cli
from deskframe.config import DATABASE_ENV, load_config
from deskframe.desk import Desk
from deskframe.model import Agent, Customer, Queue
from deskframe.plugins import build_plugins
from deskframe.store.scratch import scratch_database

HUGE = "1" + "0" * 23
UNWRITABLE = "/proc/deskframe-x/out.txt"
UNKNOWN_TICKET = "2026100110999999"
#: Commands that would run for a long time (or forever) once their arguments pass.
LONG_RUNNING = {("serve",), ("demo",), ("intake", "run")}
#: Values no command may accept: unknown ids and numbers, impossible dates and periods, out of range.
MUST_REFUSE = {
    UNKNOWN_TICKET,
    "nobody-here",
    "2026-13-01",
    "2026/10",
    "2026-13",
    "-30",
    "-1",
    HUGE,
    UNWRITABLE,
    "bogus",
}
#: Parameters that take a new name on purpose: ``ticket open --queue`` creates the queue it names.
CREATES = {(("ticket", "open"), "queue")}
#: Bad values per command at most (all parameters together), to keep the module fast.
MAX_CASES = 14


def walk(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every leaf command under ``command`` with its path of names (groups are walked, not run)."""
    if isinstance(command, click.Group):
        yield path, command
        for name, sub in sorted(command.commands.items()):
            yield from walk(sub, path + (name,))
    else:
        yield path, command


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One desk for the module (in the Moscow zone), with an agent, a customer and a ticket."""
    root = tmp_path_factory.mktemp("every-command")
    url, drop = scratch_database(os.environ.get(DATABASE_ENV), str(root / "deskframe.db"))
    path = root / "deskframe.toml"
    path.write_text(f'[desk]\ndatabase = "{url}"\ndata_dir = "data"\ntimezone = "Europe/Moscow"\n', encoding="utf-8")
    plugins = build_plugins()
    desk = Desk(load_config(path, plugins.registry), plugins)
    desk.upgrade()
    desk.directory.add_queue(Queue(name="support"), actor=Actor.operator())
    desk.directory.add_customer(Customer(key="acme", name="ACME"), actor=Actor.operator())
    desk.directory.add_agent(Agent(login="alice", name="Alice", role="developer", line=1), actor=Actor.operator())
    ticket = desk.tickets.open(subject="Site down", body="Error 500", customer="acme", actor=Actor.operator())
    a_dir = root / "a-directory"
    a_dir.mkdir()
    yield {
        "desk": desk,
        "config": str(path),
        "cli": build_cli(plugins),
        "ticket": ticket.number,
        "dir": str(a_dir),
        "root": root,
        "missing": str(root / "no-such-dir" / "x.txt"),
    }
    assert not (root / "no-such-dir").exists(), "a command created the 'missing' path: later cases meant a file"
    desk.close()
    drop()


def working_value(param: click.Parameter, shared: dict[str, Any]) -> str:
    """A value that passes for a required parameter that is not under test."""
    name = (param.name or "").lower()
    if isinstance(param.type, click.Choice):
        return str(param.type.choices[0])
    if isinstance(param.type, click.IntRange):
        return "1" if name != "line" and name != "to" else "2"
    values = {
        "number": shared["ticket"],
        "into": shared["ticket"],
        "ref": "draft-1",
        "agent": "alice",
        "customer": "acme",
        "period": "2026-10",
        "minutes": "5",
        "reason": "checking",
        "body": "text",
        "subject": "text",
        "summary": "text",
        "name": "Zed",
        "login": "zed",
        "id": "zed",
        "support_type": "8x5",
        "state": "open",
        "priority": "P2",
        "queue": "support",
        "calendar": "always",
        "start": "2026-10-05T10:00:00+03:00",
        "duration": "1h",
        "caller": "ivan@acme.example",
        "channel": "chat",
        "text": "site",
        "source": shared["missing"],
        "file": shared["missing"],
        "path": shared["missing"],
    }
    return values.get(name, "x")


def bad_values(param: click.Parameter, shared: dict[str, Any]) -> list[str]:
    """Wrong values for ``param``, chosen by its type and name."""
    name = (param.name or "").lower()
    if isinstance(param.type, click.Choice):
        return ["bogus"]
    if isinstance(param.type, click.IntRange):
        return ["-30", HUGE]
    if name in ("directory", "dir"):  # init and plugin new create a missing directory: not the shared "missing"
        return [str(shared["root"] / f"new-{name}" / "x"), shared["dir"], UNWRITABLE]
    if isinstance(param.type, click.Path) or name in ("output", "file", "path", "article_dir"):
        return [shared["missing"], shared["dir"], UNWRITABLE]
    if name in ("number", "into", "ticket", "ref"):
        return [UNKNOWN_TICKET, "", "-1", HUGE]
    if name in ("date", "start", "end", "since", "at", "now"):
        return ["2026-13-01", "2026/10", ""]
    if name == "period":
        return ["2026/10", "2026-13", ""]
    if name in ("agent", "by", "owner", "customer", "calendar", "rotation", "canned", "queue", "state", "priority"):
        return ["nobody-here", ""]
    if name in ("minutes", "hours", "duration", "line", "unit_minutes", "batch"):
        return ["-30", HUGE, ""]
    return [""]


def must_refuse(param: click.Parameter, bad: str, shared: dict[str, Any]) -> bool:
    """Whether ``bad`` has to be refused: MUST_REFUSE values, and a missing file or a directory where a
    file is expected (a missing DIRECTORY for ``init`` gets a value of its own: init may create it)."""
    if bad in MUST_REFUSE:
        return True
    if bad in (shared["missing"], shared["dir"]):
        return (param.name or "") not in ("directory", "dir")  # init may write into an existing directory
    return False


def cases(path: tuple[str, ...], command: click.Command, shared: dict[str, Any]) -> list[tuple[list[str], bool]]:
    """Argument lists with one bad value each (the other required parameters filled in), and whether
    the command must refuse it."""
    params = [p for p in command.params if p.name != "help" and not getattr(p, "is_flag", False)]
    out: list[tuple[list[str], bool]] = []
    choice_done = False
    for param in params:
        if isinstance(param.type, click.Choice):
            if choice_done:
                continue  # one bad --format is enough
            choice_done = True
        for bad in bad_values(param, shared):
            if (
                path in LONG_RUNNING
                and not isinstance(param.type, (click.IntRange, click.Choice))
                and not (path == ("demo",) and bad == UNWRITABLE)
            ):
                continue  # would start the long work if the value passed
            args: list[str] = []
            for other in params:
                value = bad if other is param else (working_value(other, shared) if other.required else None)
                if value is None:
                    continue
                if isinstance(other, click.Option):
                    args += [other.opts[0], value]
                else:
                    args += ["--", value] if value.startswith("-") and other.nargs == 1 else [value]
            refuse = must_refuse(param, bad, shared) and (path, param.name) not in CREATES
            out.append((_positional_last(args), refuse))
    return out[:MAX_CASES]


def _positional_last(args: list[str]) -> list[str]:
    """Options first, then positional values after ``--`` (so a value like ``-30`` stays a value)."""
    options: list[str] = []
    positional: list[str] = []
    i = 0
    while i < len(args):
        if args[i] == "--":
            positional.append(args[i + 1])
            i += 2
        elif args[i].startswith("--") and i + 1 < len(args):
            options += args[i : i + 2]
            i += 2
        else:
            positional.append(args[i])
            i += 1
    return options + (["--", *positional] if positional else [])


def run(shared: dict[str, Any], path: tuple[str, ...], args: list[str]) -> Any:
    return CliRunner().invoke(shared["cli"], ["--config", shared["config"], *path, *args])


def check_outcome(result: Any, shown: str) -> None:
    """No traceback; a refusal is exactly one ``Error:`` line and exit code 2 (1 when the
    policy refuses the acting agent: an unknown ``--agent`` may not act)."""
    assert result.exception is None or isinstance(result.exception, SystemExit), f"{shown}: {result.exception!r}"
    assert "Traceback" not in result.output, shown
    if result.exit_code == 0:
        return
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, f"{shown}: expected one Error: line, got\n{result.output}"
    assert len(errors[0]) < 600, f"{shown}: unreadably long error line {errors[0][:200]}..."
    if "may not" in errors[0] and "unknown agent" in errors[0]:
        assert result.exit_code == 1, f"{shown}: exit {result.exit_code}, expected 1 (forbidden)\n{result.output}"
        return
    assert result.exit_code == 2, f"{shown}: exit {result.exit_code}, expected 2 (a bad value)\n{result.output}"


ALL = [path for path, _ in walk(build_cli(build_plugins())) if path]


@pytest.mark.parametrize("path", ALL, ids=[" ".join(p) for p in ALL])
def test_help(shared: dict[str, Any], path: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(shared["root"])
    result = run(shared, path, ["--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_tree_is_walked(shared: dict[str, Any]) -> None:
    """The walk reaches nested groups and plugin commands, so new commands are covered."""
    names = {" ".join(p) for p in ALL}
    assert {"intake quarantine show", "invoice run", "time log", "ticket merge", "apply"} <= names


@pytest.mark.parametrize("path", ALL, ids=[" ".join(p) for p in ALL])
def test_bad_arguments(shared: dict[str, Any], path: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(shared["root"])
    command = shared["cli"]
    for name in path:
        command = command.commands[name]
    if isinstance(command, click.Group):
        result = run(shared, path, ["no-such-subcommand"])
        check_outcome(result, " ".join(path) + " no-such-subcommand")
        return
    for args, refuse in cases(path, command, shared):
        result = run(shared, path, args)
        shown = " ".join([*path, *args])
        check_outcome(result, shown)
        assert result.exit_code != 0 or not refuse, f"{shown}: accepted\n{result.output}"


@pytest.mark.parametrize(
    "args",
    [
        ["invoice", "show", "draft-1", "--format", "html", "-o", "{missing}"],
        ["invoice", "list", "--format", "csv", "-o", "{missing}"],
        ["time", "log", UNKNOWN_TICKET, "--agent", "alice", "--minutes", "5"],
        ["time", "log", "{ticket}", "--agent", "alice", "--minutes", "5", "--date", "2026-13-01"],
        ["time", "list", "--period", "2026/10"],
        ["time", "log", "{ticket}", "--agent", "alice", "--minutes", "-30"],
        ["ticket", "show", UNKNOWN_TICKET],
        ["invoice", "run", "--period", "2026/10"],
    ],
)
def test_bad_values_exit_2(shared: dict[str, Any], args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The cases issue 17 names: each one line, exit code 2."""
    monkeypatch.chdir(shared["root"])
    args = [a.replace("{ticket}", shared["ticket"]).replace("{missing}", shared["missing"]) for a in args]
    result = run(shared, (), args)
    check_outcome(result, " ".join(args))
    assert result.exit_code == 2


def test_output_into_a_directory(shared: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """``-o`` naming a directory: one line naming it, exit 2 (was IsADirectoryError)."""
    monkeypatch.chdir(shared["root"])
    shared["desk"].billing.run(
        "2026-10", actor=Actor.operator()
    )  # nothing to bill is fine: list still renders (empty csv)
    result = run(shared, (), ["invoice", "list", "--format", "csv", "-o", shared["dir"]])
    check_outcome(result, "invoice list -o DIR")
    assert result.exit_code == 2 and shared["dir"] in result.output


def test_safety_net_turns_a_path_oserror_into_one_line(shared: dict[str, Any]) -> None:
    """A command (a plugin's, say) that lets an OSError about a user's path escape: one line naming the
    path, exit 2. An OSError about no path is a bug and keeps its traceback."""
    cli = build_cli(shared["desk"].plugins)

    @cli.command("read-it")
    @click.argument("path")
    def read_it(path: str) -> None:
        Path(path).read_bytes()

    @cli.command("no-path")
    def no_path() -> None:
        raise OSError(5, "Input/output error")

    result = CliRunner().invoke(cli, ["read-it", shared["missing"]])
    check_outcome(result, "read-it MISSING")
    assert result.exit_code == 2 and result.output.strip() == f"Error: {shared['missing']}: No such file or directory"
    result = CliRunner().invoke(cli, ["read-it", shared["dir"]])
    assert result.exit_code == 2 and result.output.strip() == f"Error: {shared['dir']}: Is a directory"
    bug = CliRunner().invoke(cli, ["no-path"])
    assert isinstance(bug.exception, OSError) and not isinstance(bug.exception, SystemExit)
