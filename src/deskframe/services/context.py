"""What every service shares: the store, the hooks, the clock, the ticket settings, and the
change context that fires notify events after the transaction commits."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..errors import BadValue
from ..model import PRIORITY_LEVELS

if TYPE_CHECKING:
    from ..config import Config
    from ..hooks import HookFailure, Hooks
    from ..store import BlobStore, Repository, Store

#: State types in which a ticket is finished.
CLOSED_TYPES = ("resolved", "closed", "merged")

Events = list[tuple[str, Any]]


def utcnow() -> dt.datetime:
    """The wall clock in UTC (the desk's default clock)."""
    return dt.datetime.now(dt.timezone.utc)


class ServiceContext:
    """The plumbing of one desk, handed to every service it builds.

    ``owner`` is the object notify hooks receive as ``desk`` (the :class:`~deskframe.desk.Desk`).
    """

    def __init__(
        self,
        *,
        config: Config,
        store: Store,
        blobs: BlobStore,
        hooks: Hooks,
        clock: Callable[[], dt.datetime],
        owner: Any,
    ):
        self.config = config
        self.store = store
        self.blobs = blobs
        self.hooks = hooks
        self.clock = clock
        self.owner = owner
        self.last_hook_failures: list[HookFailure] = []

    @property
    def settings(self) -> Any:
        """The ``[tickets]`` settings (states, priorities, numbering ...)."""
        return self.config.tickets

    @contextlib.contextmanager
    def change(self) -> Iterator[tuple[Repository, Events]]:
        """One write transaction; the ``(hook, event)`` pairs appended to the yielded list
        are fired after it commits (and dropped if it rolls back).

        Before the commit, the ``outbound_messages`` hook is asked for the messages each event
        causes, and they are written to the outbox in this same transaction (docs/outbox.md).
        """
        events: Events = []
        with self.store.write() as repo:
            yield repo, events
            collect_failures = self.enqueue_outbound(repo, events)
        self.fire_events(events, collect_failures)

    def enqueue_outbound(self, repo: Repository, events: Events) -> list[HookFailure]:
        """Collect and enqueue the outbound messages of ``events`` inside ``repo``'s transaction;
        the plugins that failed (their messages are left out, the rest are written)."""
        if not events or not self.hooks.collects():
            return []
        from .change_view import TransactionView
        from .outbox import enqueue_in

        view = TransactionView(repo, config=self.config, blobs=self.blobs)
        outbox = getattr(self.owner, "outbox", None)  # the desk's OutboxService composes the messages' bytes
        compose = outbox.composer(view.blob) if outbox is not None else None
        failures: list[HookFailure] = []
        for hook, event in events:
            failures.extend(
                self.hooks.outbound_messages(hook, event, view, lambda found: enqueue_in(repo, found, compose=compose))
            )
        return failures

    def fire_events(self, events: Events, failures: list[HookFailure] | None = None) -> None:
        """Call the notify hooks of ``events`` (hook name, event) after their change committed;
        a plugin's failure is recorded in ``last_hook_failures``, never raised (``failures``: the
        change's earlier ones, from the collect hook)."""
        failures = list(failures or [])
        for hook, event in events:
            failures.extend(self.hooks.notify(hook, event, self.owner))
        self.last_hook_failures = failures

    def local_date(self, when: dt.datetime | None = None) -> dt.date:
        """The date of ``when`` (default: now) in the desk's time zone."""
        return (when or self.clock()).astimezone(ZoneInfo(self.config.timezone)).date()

    def priority(self, text: str | None) -> str:
        """``P1``..``P4`` for a level or a configured name; the default for none (``BadValue`` if unknown)."""
        settings = self.settings
        if not text:
            return str(settings.default_priority)
        level = settings.priority_level(text)
        if level is None:
            names = ", ".join(
                f"{p} ({settings.priority_names[p]})" if settings.priority_names[p] != p else p for p in PRIORITY_LEVELS
            )
            raise BadValue(f"unknown priority '{text}' (known: {names})")
        return str(level)

    def state_type(self, state: str) -> str:
        """The type (``new``, ``open`` ...) of a configured state (``BadValue`` if unknown)."""
        if state not in self.settings.states:
            raise BadValue(f"unknown state '{state}' (known: {', '.join(self.settings.states)})")
        return str(self.settings.states[state])


def month_bounds(period: str) -> tuple[dt.date, dt.date]:
    """``2026-10`` -> (2026-10-01, 2026-11-01); years 1000 to 9998."""
    text = period.strip()
    if not (
        len(text) == 7
        and text[4] == "-"
        and text[:4].isdigit()
        and text[5:].isdigit()
        and text.isascii()
        and 1000 <= int(text[:4]) <= 9998
        and 1 <= int(text[5:]) <= 12
    ):
        raise BadValue(f"bad period {period[:20]!r} (expected YYYY-MM)")
    year, month = int(text[:4]), int(text[5:])
    return dt.date(year, month, 1), dt.date(year + (month == 12), month % 12 + 1, 1)
