"""Commands known by name and one-line help, imported only when they run (a fast ``deskframe --help``).

``deskframe --help`` lists every command, the core's and the plugins', but runs none of them, so it
need not import the modules behind them (and their SQLAlchemy, Starlette, Jinja2 or phonenumbers).
A :class:`LazyCommand` carries what the listing shows; the group that mounts it imports the real
command (:meth:`LazyCommand.resolve`) when it is invoked, asked for its own help, or walked.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ..plugins import Plugins


class LazyCommand(click.Command):
    """A placeholder for the click command at ``target`` (``"package.module:attribute"``).

    ``help`` is what ``deskframe --help`` shows beside ``name``: the first paragraph of the real
    command's docstring (tests/core/test_startup.py checks they agree). The placeholder itself does
    nothing; groups built by :mod:`deskframe.cli` replace it by :meth:`resolve` before running it.
    """

    def __init__(self, name: str, target: str, help: str):
        super().__init__(name, help=help)
        self.target = target

    def resolve(self) -> click.Command:
        """Import and return the real command."""
        module, _, attribute = self.target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.target} is not a click command")
        return command

    def invoke(self, ctx: click.Context) -> None:
        """Refuse: a placeholder runs only through a group that resolves it."""
        raise click.UsageError(f"'{self.name}' was mounted unresolved; use deskframe.cli.resolve(command)", ctx)


def lazy_command(name: str, target: str, help: str) -> LazyCommand:
    """A command for ``register_commands`` (or an :class:`~deskframe.Importer`) that imports
    ``target`` (``"package.module:attribute"``) only when it runs; ``help`` is its one-line help."""
    return LazyCommand(name, target, help)


def resolve(command: click.Command) -> click.Command:
    """The real command behind ``command`` (``command`` itself unless it is a :class:`LazyCommand`)."""
    return command.resolve() if isinstance(command, LazyCommand) else command


def _invoice(plugins: Plugins) -> click.Command:
    from .invoice_cmd import build_invoice_group

    return build_invoice_group(plugins)


def _import(plugins: Plugins) -> click.Command:
    @click.group("import")
    def import_group() -> None:
        """Import another system's data."""

    for importer in plugins.registry.items("importers"):
        import_group.add_command(resolve(importer.command), importer.name)
    return import_group


#: The core's commands: name -> (module in deskframe.cli, attribute, one-line help). The help is the
#: first paragraph of the command's docstring (a test compares them).
CORE_COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("admin", "init_command", "Create DIRECTORY/deskframe.toml (if missing) and its database."),
    "db": ("admin", "db_group", "Database schema."),
    "plugins": (
        "admin",
        "plugins_command",
        "List installed plugins: distribution, version, hooks and what each registered.",
    ),
    "serve": (
        "admin",
        "serve_command",
        "Serve the web pages, the REST API (/api/v1), /healthz and the plugins' web routes.",
    ),
    "apply": (
        "directory",
        "apply_command",
        "Create or update customers, contacts, agents, queues and contracts from a TOML FILE.",
    ),
    "customer": ("directory", "customer_group", "Customers (organizations) the vendor supports."),
    "contact": ("directory", "contact_group", "People at customers."),
    "agent": ("directory", "agent_group", "The vendor's support engineers."),
    "queue": ("directory", "queue_group", "Work queues."),
    "contract": ("directory", "contract_group", "What customers bought: support type, SLA policy, pricing model."),
    "ticket": ("tickets", "ticket_group", "Open, answer, lock, assign, merge and find tickets."),
    "time": ("time_cmd", "time_group", "Log and list time spent on tickets."),
    "canned": ("admin", "canned_group", "Canned responses from the config's [canned.NAME] tables."),
    "intake": ("intake_cmd", "intake_group", "Poll intake channels; inspect and retry quarantined messages."),
    "sla": ("sla_cmd", "sla_group", "Business calendars, SLA clocks, warnings, breaches and compliance."),
    "worker": (
        "worker_cmd",
        "worker_command",
        "Run intake polling, SLA checks, outbox delivery and scheduled jobs until stopped.",
    ),
    "outbox": ("outbox_cmd", "outbox_group", "Outgoing messages: list, show, retry failed ones, deliver due ones."),
    "demo": (
        "demo_cmd",
        "demo_command",
        "Run an example's scenario (default: the web studio) in DIRECTORY and summarise it.",
    ),
    "plugin": ("plugin_cmd", "plugin_group", "Write new plugins (see docs/plugins.md, the plugin author guide)."),
    "token": ("accounts_cmd", "token_group", "API tokens of agents and contacts (Authorization: Bearer TOKEN)."),
    "audit": (
        "accounts_cmd",
        "audit_group",
        "The audit log: logins, failed logins, tokens created and revoked, passwords set.",
    ),
}

#: Core groups whose shape depends on the plugins: name -> (builder, one-line help).
PLUGIN_SHAPED: dict[str, tuple[Callable[[Plugins], click.Command], str]] = {
    "invoice": (_invoice, "Monthly invoices: draft, issue (gapless numbers), list, show, void (credit note), link."),
    "import": (_import, "Import another system's data."),
}


def core_command(name: str) -> LazyCommand:
    """The placeholder of core command ``name``."""
    module, attribute, help = CORE_COMMANDS[name]
    return LazyCommand(name, f"{__package__}.{module}:{attribute}", help)
