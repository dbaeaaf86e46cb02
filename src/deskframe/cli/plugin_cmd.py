"""``deskframe plugin new NAME --kind KIND [--dir DIR]``: start a plugin distribution."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import click

from ..errors import DeskframeError
from ..plugins import ENTRY_POINT_GROUP, Plugins, build_plugins
from ..scaffold import KINDS, ScaffoldError, check_name, scaffold
from .context import AppContext

#: ``--format`` values the core itself offers next to the output formats.
CORE_FORMATS = ("table", "json")


@click.group("plugin")
def plugin_group() -> None:
    """Write new plugins (see docs/plugins.md, the plugin author guide)."""


def _plugins() -> Plugins | None:
    app = click.get_current_context().find_object(AppContext)
    if app is not None:
        return app.plugins
    try:  # called outside the deskframe group (tests, embedding): load what is installed
        return build_plugins()
    except DeskframeError:
        return None  # a broken plugin must not stop anyone from writing a new one


def taken_names(kind: str, plugins: Plugins | None) -> dict[str, str]:
    """Names a new plugin of ``kind`` must not use, each with who uses it: installed
    plugins' entry points, names already registered for that kind, core commands and formats."""
    taken: dict[str, str] = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = getattr(ep, "dist", None)
        origin = f" (distribution {dist.metadata['Name']} {dist.version})" if dist is not None else ""
        taken[ep.name] = f"the installed plugin '{ep.name}'{origin}"
    if plugins is not None:
        for item in plugins.registry:
            if item.kind == KINDS[kind]:
                taken.setdefault(
                    item.name, f"the {item.kind[:-1].replace('_', ' ')} '{item.name}' of plugin '{item.plugin}'"
                )
    if kind == "command":
        from . import CORE_COMMAND_NAMES

        for name in CORE_COMMAND_NAMES:
            taken.setdefault(name, f"the core command 'deskframe {name}'")
    if kind == "output-format":
        for name in CORE_FORMATS:
            taken.setdefault(name, f"the core's --format {name}")
    return taken


@plugin_group.command("new")
@click.argument("name")
@click.option("--kind", type=click.Choice(list(KINDS)), required=True, help="What the plugin provides.")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where to create deskframe-NAME/.",
)
def plugin_new(name: str, kind: str, directory: Path) -> None:
    """Create DIR/deskframe-NAME: a plugin distribution of KIND that installs and passes its tests.

    NAME is lowercase letters, digits and hyphens; it names the distribution
    (deskframe-NAME), the import package (deskframe_NAME with underscores), the
    entry point and what the plugin registers.
    """
    try:
        check_name(name, taken_names(kind, _plugins()))
    except ScaffoldError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from None
    try:
        root = scaffold(name, kind, directory)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {root} ({kind} plugin '{name}').")
    click.echo("Next steps:")
    click.echo(f"  pip install -e {root} && pytest {root}")
    click.echo(f"  deskframe plugins        # lists '{name}' and what it registers")
    click.echo("  then edit the code, tests and README; the guide is docs/plugins.md")
