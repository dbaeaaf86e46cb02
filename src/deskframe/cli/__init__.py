"""The ``deskframe`` command: a click group built around an explicit plugin manager."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence

import click

from ..errors import DeskframeError, PluginError
from ..plugins import Plugins, build_plugins
from .accounts_cmd import audit_group, token_group
from .admin import canned_group, db_group, init_command, plugins_command, serve_command
from .context import AppContext, DeskGroup, pass_app, pass_desk
from .demo_cmd import demo_command
from .directory import agent_group, apply_command, contact_group, contract_group, customer_group, queue_group
from .intake_cmd import intake_group
from .invoice_cmd import build_invoice_group
from .output import FORMAT_OPTION, emit, emit_one
from .plugin_cmd import plugin_group
from .sla_cmd import sla_group
from .tickets import ticket_group
from .time_cmd import time_group

CORE_COMMANDS = (
    init_command,
    db_group,
    plugins_command,
    serve_command,
    apply_command,
    customer_group,
    contact_group,
    agent_group,
    queue_group,
    contract_group,
    ticket_group,
    time_group,
    canned_group,
    intake_group,
    sla_group,
    demo_command,
    plugin_group,
    token_group,
    audit_group,
)


def build_cli(plugins: Plugins) -> click.Group:
    """A fresh ``deskframe`` group: core commands plus what plugins registered."""

    @click.group(cls=DeskGroup, name="deskframe")
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
    @click.version_option(package_name="deskframe")
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
        ctx.obj = AppContext(plugins, config_path, now)

    for command in CORE_COMMANDS:
        cli.add_command(command)
    cli.add_command(build_invoice_group(plugins))
    importers = plugins.registry.items("importers")
    if importers:

        @click.group("import")
        def import_group() -> None:
            """Import another system's data."""

        for importer in importers:
            import_group.add_command(importer.command, importer.name)
        cli.add_command(import_group)
    for command in plugins.registry.items("commands"):
        if command.name in cli.commands:
            owner = next(r.plugin for r in plugins.registry if r.kind == "commands" and r.name == command.name)
            raise PluginError(f"plugin '{owner}' registers command '{command.name}', which the core already has")
        cli.add_command(command)
    return cli


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    try:
        plugins = build_plugins()
        cli = build_cli(plugins)
    except DeskframeError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    cli.main(args=list(argv) if argv is not None else None, prog_name="deskframe")


__all__ = ["FORMAT_OPTION", "build_cli", "emit", "emit_one", "main", "pass_app", "pass_desk"]
