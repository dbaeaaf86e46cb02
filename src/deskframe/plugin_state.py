"""Plugin state without a database session (small core helpers the desk hands to plugins).

* :class:`CursorStore` - where a channel stopped (an IMAP UIDVALIDITY+UID, a POP3
  UIDL set, a chat offset).
* :class:`ExternalIds` - what an importer already imported (OTRS id -> local key).
* :class:`DirectoryLookup` - read-only directory lookups for resolve hooks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from .model import Contact, Contract, Customer
from .store import Repository, Store

T = TypeVar("T")


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

    def update(self, channel: str, key: str, change: Callable[[str | None], T]) -> T:
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
