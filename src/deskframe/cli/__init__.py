"""The ``deskframe`` command: a click group built around an explicit plugin manager.

Start-up is kept cheap (``benchmarks/startup.py``): ``deskframe --version`` loads no plugin,
``deskframe --help`` loads the plugins but calls only their command hooks and imports no
command module, and a command imports its own module (and the store, the config loader ...)
only when it runs. See :mod:`deskframe.cli.lazy`.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from .. import __version__
from ..errors import DeskframeError, PluginError
from .context import AppContext, DeskGroup, pass_app, pass_desk
from .lazy import CORE_COMMANDS, PLUGIN_SHAPED, LazyCommand, core_command, lazy_command, resolve

if TYPE_CHECKING:
    from ..plugins import Plugins
    from .output import FORMAT_OPTION, emit, emit_one

#: Names of the core's top-level commands, including the groups plugins extend.
CORE_COMMAND_NAMES = (*CORE_COMMANDS, *PLUGIN_SHAPED)


class _Shaped(LazyCommand):
    """A core group built from the plugins' registrations (``invoice``, ``import``) when it runs."""

    def __init__(self, name: str, build: Callable[[Plugins], click.Command], help: str, plugins: Plugins):
        super().__init__(name, f"{build.__module__}:{build.__name__}", help)
        self.build = build
        self.plugins = plugins

    def resolve(self) -> click.Command:
        """The group, built now from the plugins' registrations."""
        return self.build(self.plugins)


class RootGroup(DeskGroup):
    """The ``deskframe`` group. Its plugins are built on first need (never for ``--version``);
    its commands are placeholders until one is run, asked for help or walked."""

    def __init__(self, *args: Any, plugins: Plugins | Callable[[], Plugins], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._plugins_source = plugins
        self._filled = False

    @property
    def plugins(self) -> Plugins:
        """The plugins of this run (built now if they were not yet)."""
        if callable(self._plugins_source):
            self._plugins_source = self._plugins_source()
        return self._plugins_source

    def fill(self) -> None:
        """Mount every command: core placeholders, then the plugin-shaped groups, then plugin commands."""
        if self._filled:
            return
        plugins = self.plugins
        commands: dict[str, click.Command] = {name: core_command(name) for name in CORE_COMMANDS}
        commands["invoice"] = _Shaped("invoice", *PLUGIN_SHAPED["invoice"], plugins)
        if plugins.implements("register_importers"):  # the group is built (hooks called) when it runs
            commands["import"] = _Shaped("import", *PLUGIN_SHAPED["import"], plugins)
        for command in plugins.registry.items("commands"):
            if command.name in commands:
                owner = next(r.plugin for r in plugins.registry if r.kind == "commands" and r.name == command.name)
                raise PluginError(f"plugin '{owner}' registers command '{command.name}', which the core already has")
            commands[command.name] = command
        self.commands.update(commands)
        self._filled = True

    def resolve_all(self) -> None:
        """Replace every placeholder by its real command (a fully built tree, as tests walk it)."""
        self.fill()
        if "import" in self.commands and not self.plugins.registry.items("importers"):
            del self.commands["import"]  # importer plugins that registered none
        for name, command in list(self.commands.items()):
            self.commands[name] = resolve(command)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, sorted (the plugins are built for this)."""
        self.fill()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The real command ``cmd_name`` (its module imported now), or ``None``."""
        self.fill()
        command = self.commands.get(cmd_name)
        if isinstance(command, LazyCommand):
            command = self.commands[cmd_name] = command.resolve()
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, from the placeholders (nothing is imported)."""
        self.fill()
        rows = [(name, self.commands[name]) for name in self.list_commands(ctx) if not self.commands[name].hidden]
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in rows])


def make_cli(plugins: Plugins | Callable[[], Plugins]) -> RootGroup:
    """The ``deskframe`` group over ``plugins`` (or a function building them on first need)."""

    @click.group(cls=RootGroup, name="deskframe", plugins=plugins)
    @click.option(
        "--config",
        "config_path",
        envvar="DESKFRAME_CONFIG",
        type=click.Path(dir_okay=False),
        help="Config file (default ./deskframe.toml; env DESKFRAME_CONFIG).",
    )
    @click.option(
        "--now",
        "now_text",
        metavar="ISO",
        envvar="DESKFRAME_NOW",
        help="Act as if the time were ISO (with offset): replays, demos, back-dated entry.",
    )
    @click.version_option(__version__, package_name="deskframe")
    @click.pass_context
    def cli(ctx: click.Context, config_path: str | None, now_text: str | None) -> None:
        """deskframe: a support desk assembled from plugins."""
        now = None
        if now_text:
            from .sla_cmd import parse_instant

            try:
                now = parse_instant(now_text, "--now").astimezone(dt.timezone.utc)
            except DeskframeError as exc:
                raise click.BadParameter(str(exc).removeprefix("--now: "), param_hint="--now") from None
        ctx.obj = AppContext(root.plugins, config_path, now)

    root: RootGroup = cli  # type: ignore[assignment]
    return root


def build_cli(plugins: Plugins) -> click.Group:
    """A fresh, fully built ``deskframe`` group: core commands plus what plugins registered."""
    cli = make_cli(plugins)
    cli.resolve_all()
    return cli


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point: plugins are built only when a command or ``--help`` needs them."""

    def plugins() -> Plugins:
        from ..plugins import build_plugins

        return build_plugins(lazy=True)

    try:
        make_cli(plugins).main(args=list(argv) if argv is not None else None, prog_name="deskframe")
    except DeskframeError as exc:  # a broken plugin met while listing commands (--help)
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)


def __getattr__(name: str) -> Any:
    """``FORMAT_OPTION``, ``emit`` and ``emit_one`` for plugin commands, imported on first use."""
    if name in ("FORMAT_OPTION", "emit", "emit_one"):
        from . import output

        return getattr(output, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CORE_COMMAND_NAMES",
    "FORMAT_OPTION",
    "build_cli",
    "emit",
    "emit_one",
    "lazy_command",
    "main",
    "make_cli",
    "pass_app",
    "pass_desk",
    "resolve",
]
