"""The composition root: :class:`Desk` builds the services from config and plugins.

Every operation is a service method; the desk holds them and the plumbing they share:

* ``desk.tickets`` - :class:`~deskframe.services.tickets.TicketService` (open, read, list,
  search, reply, note, lock, assign, state, priority, move, merge, escalate, estimate ...);
* ``desk.directory`` - :class:`~deskframe.services.directory.DirectoryService`;
* ``desk.time`` - :class:`~deskframe.services.time.TimeService`;
* ``desk.sla`` - :class:`~deskframe.services.sla.SlaService` (clocks, checks, reports);
* ``desk.billing`` - :class:`~deskframe.services.billing.Ledger` (invoices);
* ``desk.intake`` - :class:`~deskframe.services.intake.IntakeService` (inbound messages);
* ``desk.activity`` - :class:`~deskframe.services.activity.ActivityService` (read-only: a
  customer's tickets, clocks and time in a period, for reports);
* ``desk.outbox`` - :class:`~deskframe.services.outbox.OutboxService` (outgoing messages,
  written with the change that causes them, delivered by workers: docs/outbox.md).
* ``desk.records(plugin)`` - :class:`~deskframe.plugin_state.PluginRecords`, the records a
  plugin keeps in the core's store (table ``plugin_records``).
* ``desk.worklist`` - :class:`~deskframe.services.worklist.Worklist` (read-only: the agents'
  ticket list with every filter, most urgent first, and the queue counts).

Each service method that changes data takes an ``actor`` (:class:`~deskframe.actors.Actor`)
and asks :mod:`deskframe.policy` whether it may; notify hooks fire after the commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .config import Config
from .errors import ConfigError
from .hooks import HookFailure, Hooks
from .plugin_state import CursorStore, ExternalIds, PluginRecords
from .plugins import Plugins
from .services.activity import ActivityService
from .services.billing import Ledger
from .services.context import ServiceContext, month_bounds, utcnow
from .services.directory import DirectoryService
from .services.intake import IntakeService
from .services.outbox import OutboxService
from .services.sla import SlaService
from .services.tickets import TicketService
from .services.time import TimeService
from .services.worklist import Worklist
from .store import BlobStore, Store


class Desk:
    """A configured deskframe installation: config, plugins, store, hooks, and the services."""

    def __init__(self, config: Config, plugins: Plugins, *, clock: Callable[[], dt.datetime] = utcnow):
        self.config = config
        self.plugins = plugins
        self.hooks = Hooks(plugins.pm)
        self.clock = clock
        self.store = Store(config.database_url, clock, config.search_languages)
        self.blobs = BlobStore(Path(config.data_dir) / "blobs", config.attachment_max_bytes, database=self.store.db)
        self.cursors = CursorStore(self.store)
        self.external_ids = ExternalIds(self.store)
        self.context = ServiceContext(
            config=config, store=self.store, blobs=self.blobs, hooks=self.hooks, clock=clock, owner=self
        )
        self.sla = SlaService(self.context)
        self.tickets = TicketService(self.context, self.sla)
        self.directory = DirectoryService(self.context)
        self.time = TimeService(self.context)
        self.billing = Ledger(self.context)
        self.intake = IntakeService(self.context, self.tickets, self.sla)
        self.activity = ActivityService(self.context)
        self.outbox = OutboxService(self.context, plugins.registry)
        self.worklist = Worklist(self.context, self.tickets)

    @property
    def settings(self) -> Any:
        """The ``[tickets]`` settings (states, priorities, numbering)."""
        return self.config.tickets

    @property
    def last_hook_failures(self) -> list[HookFailure]:
        """The notify-hook failures of the last change (plugin, hook, error); empty if none failed."""
        return self.context.last_hook_failures

    def records(self, plugin: str) -> PluginRecords:
        """The records plugin ``plugin`` keeps in the desk's store (get/list/put/delete; docs/plugins.md)."""
        return PluginRecords(self.store, plugin)

    def local_date(self, when: dt.datetime | None = None) -> dt.date:
        """Today (or ``when``'s date) in the desk's time zone."""
        return self.context.local_date(when)

    def close(self) -> None:
        """Release the database connections."""
        self.store.close()

    def upgrade(self) -> None:
        """Create or migrate the schema to the newest revision."""
        self.store.upgrade()


__all__ = ["ConfigError", "Desk", "month_bounds", "utcnow"]
