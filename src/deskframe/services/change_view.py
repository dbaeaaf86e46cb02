"""The :class:`~deskframe.outbound.ChangeView` the ``outbound_messages`` hook gets: read access
through the change's own open transaction (so it sees the rows the change wrote but has not
committed), without a session or SQL for the plugin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .. import policy
from ..actors import Actor
from ..errors import NotFound
from ..model import Agent, Contact, Contract, Customer, Ticket
from ..outbound import OutboxEntry

if TYPE_CHECKING:
    from ..store import BlobStore, Repository


class TransactionView:
    """A read-only view of one open write transaction (implements ``ChangeView``)."""

    def __init__(self, repo: Repository, *, config: Any, blobs: BlobStore):
        self._repo = repo
        self._config = config
        self._blobs = blobs

    @property
    def now(self) -> dt.datetime:
        return self._repo.now

    @property
    def config(self) -> Any:
        return self._config

    # --- the directory (as DirectoryView) --------------------------------------------------
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

    def contacts(self, customer: str) -> list[Contact]:
        return self._repo.list_contacts(customer)

    def agent(self, login: str) -> Agent | None:
        try:
            return self._repo.agent(login)
        except NotFound:
            return None

    def agents(self) -> list[Agent]:
        return self._repo.list_agents()

    def queue_agents(self, queue: str) -> list[Agent]:
        return [a for a in self._repo.list_agents() if a.queues and queue in a.queues]

    # --- tickets, clocks, blobs, the outbox ----------------------------------------------------
    def ticket(self, number: str, *, full: bool = False) -> Ticket | None:
        row = self._repo.ticket_row_or_none(number)
        return self._repo.ticket_view(row, full=full) if row is not None else None

    def next_due(self, number: str) -> dt.datetime | None:
        row = self._repo.ticket_row_or_none(number)
        if row is None:
            return None
        self._repo.flush()
        running = [c.due_at for c in self._repo.clocks(row.id) if c.status == "running"]
        return min(running) if running else None

    def cursor(self, channel: str, key: str) -> str | None:
        return self._repo.get_cursor(channel, key)

    def blob(self, sha256: str) -> bytes | None:
        try:
            return self._blobs.path(sha256).read_bytes()
        except (OSError, ValueError):
            return self._repo.stored_blob(sha256)

    def account_language(self, address: str) -> str | None:
        return self._repo.language_by_email(address)

    def messages_to(self, recipient: str, *, since: dt.datetime, topic: str | None = None) -> int:
        self._repo.flush()
        return self._repo.count_outbox_to(recipient, since=since, topic=topic)

    def note(
        self, number: str, action: str, *, actor: Actor, new: str | None = None, reason: str | None = None
    ) -> None:
        row = self._repo.ticket_row(number)
        policy.check(actor, "ticket.annotate", repo=self._repo, ticket=row)
        self._repo.history(row, actor.history_name, action[:50], new=new, reason=reason)

    def entries(self, ticket: str) -> Iterator[OutboxEntry]:
        self._repo.flush()
        yield from self._repo.outbox_entries(ticket=ticket, newest_first=False)
