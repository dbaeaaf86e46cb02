"""Plugin state without a database session (small core helpers the desk hands to plugins).

* :class:`CursorStore` - where a channel stopped (an IMAP UIDVALIDITY+UID, a POP3
  UIDL set, a chat offset).
* :class:`ExternalIds` - what an importer already imported (OTRS id -> local key).
* :class:`DirectoryLookup` - read-only directory lookups for resolve hooks.
* :class:`PluginRecords` - a plugin's own records (``desk.records("name")``): JSON objects by
  kind and key, written by an explicit actor through :func:`deskframe.policy.check`.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from . import policy
from .errors import BadValue
from .model import Contact, Contract, Customer, PluginRecord
from .store import Repository, Store

if TYPE_CHECKING:
    from .actors import Actor

T = TypeVar("T")

#: The longest plugin name, record kind and record key (the columns of ``plugin_records``).
RECORD_PLUGIN_LENGTH, RECORD_KIND_LENGTH, RECORD_KEY_LENGTH = 100, 50, 200
#: The largest record, as JSON text.
RECORD_MAX_BYTES = 1_000_000


class CursorStore:
    """Per-channel key/value cursors; each call is its own committed transaction."""

    def __init__(self, store: Store):
        self._store = store

    def get(self, channel: str, key: str, default: str | None = None) -> str | None:
        with self._store.read() as repo:
            value = repo.get_cursor(channel, key)
        return default if value is None else value

    def set(self, channel: str, key: str, value: str) -> None:
        with self._store.write() as repo:
            repo.set_cursor(channel, key, value)

    def all(self, channel: str) -> dict[str, str]:
        with self._store.read() as repo:
            return repo.cursors(channel)

    def update(self, channel: str, key: str, change: Callable[[str | None], tuple[str | None, T]]) -> T:
        """Read-modify-write one cursor atomically, even across processes.

        ``change(current)`` returns ``(new_value, result)``: the value to store (None
        leaves the cursor as it is) and what ``update`` returns.
        """
        with self._store.write() as repo:
            value, result = change(repo.get_cursor(channel, key, for_update=True))
            if value is not None:
                repo.set_cursor(channel, key, value)
            return result

    def delete(self, channel: str, key: str) -> None:
        """Forget one cursor (a UIDL no longer on the server, an expired counter)."""
        with self._store.write() as repo:
            repo.delete_cursor(channel, key)


class ExternalIds:
    """Map another system's ids to local keys, by namespace and kind."""

    def __init__(self, store: Store):
        self._store = store

    def get(self, namespace: str, kind: str, external_id: str) -> str | None:
        with self._store.read() as repo:
            return repo.get_external(namespace, kind, str(external_id))

    def set(self, namespace: str, kind: str, external_id: str, local_id: str) -> None:
        with self._store.write() as repo:
            repo.set_external(namespace, kind, str(external_id), local_id)

    def mapping(self, namespace: str, kind: str) -> dict[str, str]:
        with self._store.read() as repo:
            return repo.external_map(namespace, kind)


class DirectoryLookup:
    """The :class:`~deskframe.directory.DirectoryView` the core hands to resolve hooks."""

    def __init__(self, repo: Repository):
        self._repo = repo

    def contact_by_email(self, email: str) -> Contact | None:
        return self._repo.contact_by_email(email)

    def contact_by_phone(self, phone: str) -> Contact | None:
        return self._repo.contact_by_phone(phone)

    def customer(self, key: str) -> Customer | None:
        return self._repo.customer(key)

    def customer_by_domain(self, domain: str) -> Customer | None:
        return self._repo.customer_by_domain(domain)

    def active_contract(self, customer: str, on: dt.date | None = None) -> Contract | None:
        return self._repo.active_contract(customer, on)


def _name(what: str, value: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit or "\x00" in value:
        raise BadValue(f"record {what} must be 1 to {limit} characters, got {str(value)[:40]!r}")
    return value


def _data(data: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise BadValue(f"record data must be a JSON object, got {type(data).__name__}")
    try:
        size = len(json.dumps(data, ensure_ascii=False).encode())
    except (TypeError, ValueError) as exc:
        raise BadValue(f"record data is not JSON: {exc}") from None
    if size > RECORD_MAX_BYTES:
        raise BadValue(f"record data is {size} bytes, more than {RECORD_MAX_BYTES}")
    return data


def _who(actor: Actor) -> str:
    """``agent:kate``, ``plugin:name``, ``system:sla``; ``operator`` for the anonymous local operator."""
    return f"{actor.kind}:{actor.name}" if actor.name else "operator"


class PluginRecords:
    """The records one plugin keeps in the core's store: ``kind`` + ``key`` -> a JSON object.

    Get one from ``desk.records("my_plugin")``. Reads need no actor; every write (``put``,
    ``put_many``, ``delete``) names its ``actor`` and is checked as ``records.write`` by
    :func:`deskframe.policy.check` (a customer's contact is refused), and the record keeps
    who created and last changed it. Each call is its own committed transaction; ``put_many``
    writes all or nothing. Keys sort as text: list a key prefix to read one customer's records.
    """

    def __init__(self, store: Store, plugin: str):
        self._store = store
        self.plugin = _name("plugin name", plugin, RECORD_PLUGIN_LENGTH)

    def get(self, kind: str, key: str) -> PluginRecord | None:
        """The record, or None."""
        with self._store.read() as repo:
            return repo.get_record(self.plugin, kind, key)

    def list(self, kind: str, *, prefix: str | None = None) -> list[PluginRecord]:
        """The records of ``kind`` whose key starts with ``prefix`` (all without), by key."""
        with self._store.read() as repo:
            return repo.list_records(self.plugin, kind, prefix)

    def put(self, kind: str, key: str, data: dict[str, Any], *, actor: Actor) -> PluginRecord:
        """Create or replace one record."""
        return self.put_many([(kind, key, data)], actor=actor)[0]

    def put_many(
        self, items: Iterable[tuple[str, str, dict[str, Any]]], *, actor: Actor
    ) -> builtins.list[PluginRecord]:
        """Create or replace several records in one transaction (all or nothing)."""
        checked = [
            (_name("kind", k, RECORD_KIND_LENGTH), _name("key", key, RECORD_KEY_LENGTH), _data(d))
            for k, key, d in items
        ]
        with self._store.write() as repo:
            policy.check(actor, "records.write", repo=repo)
            return [repo.put_record(self.plugin, k, key, d, _who(actor))[0] for k, key, d in checked]

    def delete(self, kind: str, key: str, *, actor: Actor) -> bool:
        """Delete one record; False when there was none."""
        with self._store.write() as repo:
            policy.check(actor, "records.write", repo=repo)
            return repo.delete_record(self.plugin, kind, key)
