"""Start-up stays light: what ``deskframe --version``, ``--help`` and ``ticket list`` import.

Nothing here is timed (benchmarks/startup.py measures the CPU cost); each test runs the command
in a fresh interpreter and asserts which modules it imported, so a heavy import creeping back
to module top (SQLAlchemy, Starlette, Jinja2 ...) fails a test on any machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from deskframe.cli import build_cli, lazy_command, main, make_cli
from deskframe.cli.lazy import CORE_COMMANDS, PLUGIN_SHAPED, LazyCommand
from deskframe.errors import PluginError
from deskframe.plugins import build_plugins

#: Imported by no command that does not need them.
HEAVY = (
    "sqlalchemy",
    "alembic",
    "starlette",
    "uvicorn",
    "jinja2",
    "babel",
    "holidays",
    "nh3",
    "phonenumbers",
    "charset_normalizer",
    "num2words",
    "imapclient",
    "fpdf",
    "pygal",
)
#: What ``ticket list`` needs none of: on SQLite it reads through ``sqlite3`` (deskframe.store.quick_list).
NOT_FOR_LISTING = (
    "sqlalchemy",
    "alembic",
    "psycopg",
    "starlette",
    "uvicorn",
    "jinja2",
    "babel",
    "nh3",
    "phonenumbers",
    "fpdf",
    "imapclient",
)

CHILD = """
import json, sys
from deskframe.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stdout.flush()
print("\\n@@MODULES@@" + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def run_child(*args: str, cwd: Path | None = None) -> tuple[str, int | str | None, set[str]]:
    """Run ``deskframe ARGS`` in a fresh interpreter: its output, exit code and imported modules."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKFRAME_")}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )
    out, _, tail = proc.stdout.rpartition("\n@@MODULES@@")
    assert tail, proc.stderr[-2000:]
    report = json.loads(tail)
    return out, report["code"], set(report["modules"])


def listed(help_text: str) -> list[str]:
    """The command names of a ``--help`` text."""
    section = help_text.split("Commands:\n", 1)[1]
    return [line.split()[0] for line in section.splitlines() if line.startswith("  ") and line[2] != " "]


def tops(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_version_imports_no_plugin_and_nothing_heavy() -> None:
    out, code, modules = run_child("--version")
    assert code == 0 and "version" in out
    assert not tops(modules) & set(HEAVY)
    assert "deskframe.plugins" not in modules and "pluggy" not in tops(modules)
    assert not {m for m in modules if m.startswith("deskframe_")}, "a plugin was imported for --version"
    assert "deskframe.model" not in modules and "attrs" not in tops(modules)


def test_help_lists_every_command_without_importing_them() -> None:
    out, code, modules = run_child("--help")
    assert code == 0
    assert not tops(modules) & set(HEAVY), sorted(tops(modules) & set(HEAVY))
    # the plugins are loaded (their commands are listed) but no command module is imported
    assert "deskframe_sla" in modules
    imported_commands = {m for m in modules if m.startswith("deskframe.cli.") and m != "deskframe.cli.lazy"}
    assert imported_commands <= {"deskframe.cli.context"}, sorted(imported_commands)
    assert not {m for m in modules if m.startswith("deskframe_") and "." in m}, "a plugin's internals were imported"
    assert {"deskframe.store", "deskframe.desk", "deskframe.config"}.isdisjoint(modules)
    eager = CliRunner().invoke(build_cli(build_plugins()), ["--help"])
    assert listed(out) == listed(eager.output) == sorted(build_cli(build_plugins()).commands)  # every command
    for name in ("ticket", "invoice", "import", "oncall", "phone", "chat", "plugins"):
        assert f"\n  {name} " in out


def test_ticket_list_imports_only_what_a_listing_needs(tmp_path: Path) -> None:
    # the benchmark's desk: no [canned] templates (a config that has some checks them with Jinja2 when loaded)
    db = (tmp_path / "deskframe.db").as_posix()
    config = str(tmp_path / "deskframe.toml")
    (tmp_path / "deskframe.toml").write_text(f'[desk]\ndatabase = "sqlite:///{db}"\n', encoding="utf-8")
    cli = build_cli(build_plugins())
    upgrade = CliRunner().invoke(cli, ["--config", config, "db", "upgrade"])
    assert upgrade.exit_code == 0, upgrade.output
    out, code, modules = run_child("ticket", "list", cwd=tmp_path)
    assert code == 0 and "No tickets." in out
    assert not tops(modules) & set(NOT_FOR_LISTING), sorted(tops(modules) & set(NOT_FOR_LISTING))
    # only the listing's command module, not every command's; no Desk, no store beyond the quick path
    assert "deskframe.cli.tickets" in modules
    assert not {"deskframe.cli.invoice_cmd", "deskframe.cli.admin", "deskframe.web", "deskframe.desk"} & modules
    assert not {"deskframe.store.repository", "deskframe.store.rows", "deskframe.services.billing"} & modules
    assert not {"deskframe_chat.web", "deskframe_invoicing.web", "deskframe_email.channel"} & modules
    # with tickets, filters, SLA due times and JSON output: still no SQLAlchemy
    for subject in ("First", "Second"):
        opened = CliRunner().invoke(cli, ["--config", config, "ticket", "open", "--subject", subject, "--body", "x"])
        assert opened.exit_code == 0, opened.output
    for args in (
        ("ticket", "list"),
        ("ticket", "list", "--open", "--format", "json", "--limit", "0"),
        ("ticket", "list", "--sla", "breached", "--queue", "support", "--state", "new"),
    ):
        out, code, modules = run_child(*args, cwd=tmp_path)
        assert (code == 0 and "Second" in out) or "--sla" in args, out
        assert not tops(modules) & set(NOT_FOR_LISTING), (args, sorted(tops(modules) & set(NOT_FOR_LISTING)))


def test_ticket_list_takes_the_full_path_when_the_quick_one_cannot_answer(tmp_path: Path) -> None:
    """An unknown customer, or a database not yet created: the full path (SQLAlchemy) gives its error."""
    db = (tmp_path / "deskframe.db").as_posix()
    (tmp_path / "deskframe.toml").write_text(f'[desk]\ndatabase = "sqlite:///{db}"\n', encoding="utf-8")
    _, code, modules = run_child("ticket", "list", cwd=tmp_path)
    assert code == 1 and "sqlalchemy" in tops(modules)  # StorageError: "not initialized: run 'deskframe db upgrade'"
    upgrade = CliRunner().invoke(
        build_cli(build_plugins()), ["--config", str(tmp_path / "deskframe.toml"), "db", "upgrade"]
    )
    assert upgrade.exit_code == 0, upgrade.output
    _, code, modules = run_child("ticket", "list", "--customer", "nobody", cwd=tmp_path)
    assert code == 2 and "sqlalchemy" in tops(modules)


def test_placeholders_show_the_help_of_their_commands() -> None:
    """Each lazily listed command's one-line help is its real command's (a renamed docstring shows here)."""
    plugins = build_plugins()
    lazy = make_cli(plugins)
    lazy.fill()
    real = build_cli(plugins)
    assert set(lazy.commands) == set(real.commands)
    for name, placeholder in lazy.commands.items():
        assert placeholder.get_short_help_str(1000) == real.commands[name].get_short_help_str(1000), name
        assert placeholder.name == name == real.commands[name].name
    assert set(CORE_COMMANDS) | set(PLUGIN_SHAPED) <= set(real.commands)
    for importer in plugins.registry.items("importers"):  # the otrs importer is registered lazily too
        resolved = real.commands["import"].commands[importer.name]  # type: ignore[attr-defined]
        assert importer.command.get_short_help_str(1000) == resolved.get_short_help_str(1000)


def test_lazy_command_runs_its_target_when_resolved_by_the_group(tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "late_hello_target.py").write_text(
        "import click\n\n\n@click.command('hello-lazy')\n@click.option('--name')\n"
        'def hello(name):\n    """Say hello, imported late."""\n    click.echo(f\'hello {name}\')\n',
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import deskframe

    def register_commands(register: Any) -> None:
        register(lazy_command("hello-lazy", "late_hello_target:hello", "Say hello, imported late."))

    extra = types.SimpleNamespace(register_commands=deskframe.hookimpl(register_commands))
    cli = make_cli(build_plugins(entry_points=False, extra=[("late", extra)]))
    listing = CliRunner().invoke(cli, ["--help"])
    assert "hello-lazy  Say hello, imported late." in listing.output
    assert "late_hello_target" not in sys.modules
    result = CliRunner().invoke(cli, ["hello-lazy", "--name", "Ada"])
    assert result.exit_code == 0, result.output
    assert result.output == "hello Ada\n"
    assert isinstance(LazyCommand("x", "late_hello_target:hello", "x").resolve(), click.Command)
    with pytest.raises(TypeError, match="not a click command"):
        LazyCommand("x", "late_hello_target:click", "x").resolve()


def test_a_broken_plugin_met_by_help_is_one_error_line(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    def broken(**kwargs: Any) -> Any:
        raise PluginError("plugin 'broken' (distribution broken-plugin 1.0) failed to import: ZeroDivisionError: x")

    monkeypatch.setattr("deskframe.plugins.build_plugins", broken)
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == PluginError("x").exit_code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "plugin 'broken'" in err and err.startswith("Error: ")
    main_version = subprocess.run(
        [sys.executable, "-c", "from deskframe.cli import main; main(['--version'])"], capture_output=True, text=True
    )
    assert main_version.returncode == 0  # --version never meets a plugin, broken or not


@pytest.mark.parametrize("group", ["deskframe", "console_scripts", "pytest11"])
def test_entry_points_read_as_importlib_metadata_reads_them(group: str) -> None:
    import importlib.metadata

    from deskframe import entrypoints

    def table(eps: Any) -> list[tuple[str, str, str, str]]:
        return sorted((ep.name, ep.value, ep.dist.metadata["Name"], ep.dist.version) for ep in eps)

    mine = entrypoints.entry_points(group)
    assert table(mine) == table(importlib.metadata.entry_points(group=group))
    if group == "deskframe":
        assert {ep.name for ep in mine} >= {"sla", "email", "invoicing"}
        assert next(ep for ep in mine if ep.name == "sla").load().__name__ == "deskframe_sla"


def test_entry_points_first_distribution_on_the_path_wins(tmp_path: Path, monkeypatch: Any) -> None:
    from deskframe import entrypoints

    for folder, value in (("first", "mod_one:thing"), ("second", "mod_two:thing")):
        info = tmp_path / folder / "Some.Plugin-1.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: some.plugin\nVersion: 1.0\n", encoding="utf-8")
        (info / "entry_points.txt").write_text(
            f"# comment\n[console_scripts]\nx = y:z\n\n[deskframe-test]\n some = {value} [extra]\n", encoding="utf-8"
        )
    monkeypatch.syspath_prepend(str(tmp_path / "second"))
    monkeypatch.syspath_prepend(str(tmp_path / "first"))
    found = list(entrypoints.entry_points("deskframe-test"))
    assert [(ep.name, ep.value) for ep in found] == [("some", "mod_one:thing [extra]")]
    assert found[0].dist.metadata["Name"] == "some.plugin"
    (tmp_path / "first" / "mod_one.py").write_text("class thing:\n    class inner: pass\n", encoding="utf-8")
    assert found[0].load().__name__ == "thing"


def test_entry_points_fall_back_to_importlib_metadata_for_a_zip_on_the_path(tmp_path: Path, monkeypatch: Any) -> None:
    import zipfile

    from deskframe import entrypoints

    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(
            "zipped_plugin-2.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: zipped-plugin\nVersion: 2.0\n"
        )
        zf.writestr("zipped_plugin-2.0.dist-info/entry_points.txt", "[deskframe-test]\nzipped = zipped_mod\n")
    monkeypatch.syspath_prepend(str(archive))
    found = entrypoints.entry_points("deskframe-test")
    assert [ep.name for ep in found] == ["zipped"]
    # the metadata library's entry point, not deskframe's reader (compared by where the class lives: in a
    # full run the installed importlib_metadata backport may be the one that answers for the stdlib name)
    assert type(found[0]).__name__ == "EntryPoint"
    assert type(found[0]).__module__ in ("importlib.metadata", "importlib_metadata")
    assert type(found[0]) is not entrypoints.EntryPoint


def test_help_does_not_import_importlib_metadata() -> None:
    _, code, modules = run_child("--help")
    assert code == 0 and "importlib.metadata" not in modules and "email" not in tops(modules)
