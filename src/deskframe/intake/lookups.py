"""What a batch of inbound messages looks up, fetched once per transaction.

``desk.intake.receive_many`` stores many messages in one transaction. Looking up each
message's dedupe key, Message-ID, references and sender one query at a time
made those lookups most of the cost; :class:`IntakeBatch` fetches them for the
whole batch in a few ``IN (...)`` queries, then keeps them current as the batch
adds tickets, articles and contacts, so a message later in the batch sees what
an earlier one stored (a reply threads into the ticket opened just before it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import attrs

from ..model import Contact, Contract, Customer, InboundMessage
from ..store import Repository
from ..store.directory_repo import phone_digits
from .writes import PendingContact, PendingWrites

_MISSING = object()
#: RFC 3696: 64 characters before the @, 255 after it. A longer "sender" becomes no contact.
MAX_ADDRESS_CHARS = 320
_NEWER = 1 << 62  # orders articles of this batch after every stored article id


def ident(ref: Any) -> Any:
    """The database id of an id, a row, or a written pending object (None stays None)."""
    if ref is None or isinstance(ref, int):
        return ref
    row = getattr(ref, "row", ref)
    return row.id


def without_nul(message: InboundMessage) -> InboundMessage:
    """``message`` with NUL characters removed from its text fields (the store cannot keep them,
    and dedupe and threading must compare the values as stored)."""
    changes: dict[str, Any] = {}
    for field in attrs.fields(InboundMessage):
        value = getattr(message, field.name)
        if isinstance(value, str) and "\x00" in value:
            changes[field.name] = value.replace("\x00", "")
        elif isinstance(value, tuple) and any(isinstance(v, str) and "\x00" in v for v in value):
            changes[field.name] = tuple(v.replace("\x00", "") if isinstance(v, str) else v for v in value)
        elif isinstance(value, dict) and any("\x00" in str(k) + str(v) for k, v in value.items()):
            changes[field.name] = {str(k).replace("\x00", ""): str(v).replace("\x00", "") for k, v in value.items()}
    attachments = message.attachments
    if any("\x00" in (a.filename or "") + (a.content_type or "") for a in attachments):
        changes["attachments"] = tuple(
            attrs.evolve(
                a,
                filename=(a.filename or "").replace("\x00", ""),
                content_type=(a.content_type or "").replace("\x00", ""),
            )
            for a in attachments
        )
    return attrs.evolve(message, **changes) if changes else message


def _senders(messages: Iterable[InboundMessage]) -> set[str]:
    return {(m.sender or "").strip().lower() for m in messages if m.sender and "@" in m.sender}


class BatchDirectory:
    """A :class:`~deskframe.directory.DirectoryView` that remembers its answers for one batch.

    Directory rows do not change inside an intake transaction except through the
    intake itself, which tells the cache (:meth:`contact_added`).
    """

    def __init__(self, repo: Repository, contact_rows: dict[str, Any]):
        self._repo = repo
        self._contact_rows = contact_rows  # shared with IntakeBatch: e-mail -> ContactRow | None
        self._contacts: dict[str, Contact | None] = {}
        self._phones: dict[str, Contact | None] = {}
        self._customers: dict[str, Customer | None] = {}
        self._domains: dict[str, Customer | None] = {}
        self._contracts: dict[tuple[str, dt.date | None], Contract | None] = {}

    def contact_by_email(self, email: str) -> Contact | None:
        key = email.strip().lower()
        if key not in self._contacts:
            row = self._contact_rows.get(key, _MISSING)
            if row is _MISSING:
                row = self._repo.contact_row_by_email(key)
                self._contact_rows[key] = row
            if row is None:
                self._contacts[key] = None
            elif isinstance(row, PendingContact):
                self._contacts[key] = row.view
            else:
                self._contacts[key] = self._repo.contact_view(row)
        return self._contacts[key]

    def contact_by_phone(self, phone: str) -> Contact | None:
        if phone not in self._phones:
            self._phones[phone] = self._repo.contact_by_phone(phone)
        return self._phones[phone]

    def customer(self, key: str) -> Customer | None:
        if key not in self._customers:
            self._customers[key] = self._repo.customer(key)
        return self._customers[key]

    def customer_by_domain(self, domain: str) -> Customer | None:
        key = domain.lower()
        if key not in self._domains:
            self._domains[key] = self._repo.customer_by_domain(key)
        return self._domains[key]

    def known_domains(self, domains: set[str]) -> None:
        """Look up the owners of many sender domains at once (the batch's senders)."""
        found = self._repo.customers_by_domains(domains)
        self._domains.update({domain.lower(): found.get(domain.lower()) for domain in domains})

    def active_contract(self, customer: str, on: dt.date | None = None) -> Contract | None:
        key = (customer, on)
        if key not in self._contracts:
            self._contracts[key] = self._repo.active_contract(customer, on)
        return self._contracts[key]

    def contact_added(self, email: str | None, phone: str | None) -> None:
        """Forget cached answers a new contact with this address or number changes."""
        if email:
            self._contacts.pop(email.strip().lower(), None)
        if phone:
            self._phones.clear()


class IntakeBatch:
    """Dedupe keys, Message-IDs, contacts and queues for one intake transaction.

    Tickets, articles and contacts the batch creates are :mod:`pending
    <deskframe.intake.writes>` until ``writes.write()``; the indexes here hold
    them as they are (a pending object or a database id).
    """

    def __init__(self, repo: Repository, messages: list[InboundMessage], keys: list[str], writes: PendingWrites):
        self.repo = repo
        self.writes = writes
        self._order = 0
        self._keys: dict[tuple[str, str], tuple[int, int | None]] = {}
        self._new_keys: list[dict[str, Any]] = []
        by_channel: dict[str, list[str]] = {}
        for message, key in zip(messages, keys):
            by_channel.setdefault(message.channel, []).append(key)
        for channel, wanted in by_channel.items():
            for key, ids in repo.intake_keys_in(channel, wanted).items():
                self._keys[(channel, key)] = ids
        wanted_ids = {m.message_id for m in messages if m.message_id}
        for message in messages:
            wanted_ids.update(r for r in message.references if r)
        # Message-ID -> [(order, article, ticket, sent by the desk)]
        self._message_ids: dict[str, list[tuple[int, Any, Any, bool]]] = {
            message_id: [
                (article_id, article_id, ticket_id, direction == "out") for article_id, ticket_id, direction in found
            ]
            for message_id, found in repo.message_id_index(wanted_ids, with_direction=True).items()
        }
        self._correspondents: dict[int, set[str]] = {}  # ticket id -> stored correspondents
        self._appended: dict[int, set[str]] = {}  # ticket id -> senders this batch appended
        self.contact_rows: dict[str, Any] = dict.fromkeys(_senders(messages))
        self.contact_rows.update(repo.contact_rows_by_emails(self.contact_rows))
        self.directory = BatchDirectory(repo, self.contact_rows)
        self.directory.known_domains({sender.rsplit("@", 1)[1] for sender in self.contact_rows})
        self._queues: dict[str, Any] = {}
        self.blobs: dict[str, bytes] = {}  # small blobs to write with the batch (digest -> bytes)
        self._phone_contacts: dict[str | None, Any] = {}
        self._customers: dict[str, Any] = {}
        self._contracts: dict[str, Any] = {}

    # --- dedupe -------------------------------------------------------------
    def seen(self, channel: str, key: str) -> tuple[Any, Any] | None:
        """(ticket, article) of an earlier message with this channel-local key: ids, or pending objects."""
        return self._keys.get((channel, key))

    def remember(self, channel: str, key: str, ticket: Any, article: Any) -> None:
        """Record the key for the rest of the batch; :meth:`write` stores the new ones."""
        self._keys[(channel, key)] = (ticket, article)
        self._new_keys.append((channel, key, ticket, article))

    def write(self) -> None:
        """Store the keys remembered in this batch (one executemany); call after ``writes.write()``."""
        self.repo.add_intake_keys(
            [
                dict(channel=channel, key=key, ticket_id=ident(ticket), article_id=ident(article))
                for channel, key, ticket, article in self._new_keys
            ]
        )
        self._new_keys = []

    def first_article(self, message_id: str) -> tuple[Any, Any] | None:
        """(article, ticket) of the oldest article with this Message-ID (ids or pending objects)."""
        found = self._message_ids.get(message_id)
        return found[0][1:3] if found else None

    def tickets_by_references(self, references: Iterable[str]) -> list[tuple[Any, bool]]:
        """The tickets (ids or pending) of the articles ``references`` names, newest article first,
        each with whether one of those articles is a message the desk sent (outbound)."""
        entries = sorted(
            (entry for ref in references for entry in self._message_ids.get(ref, ())),
            key=lambda entry: entry[0],
            reverse=True,
        )
        sent: dict[Any, bool] = {}
        tickets: dict[Any, Any] = {}
        for _, _, ticket, outbound in entries:
            key = ticket if isinstance(ticket, int) else id(ticket)
            tickets.setdefault(key, ticket)
            sent[key] = sent.get(key, False) or outbound
        return [(ticket, sent[key]) for key, ticket in tickets.items()]

    def article_added(self, message_id: str | None, article: Any, ticket: Any) -> None:
        """Index a new (pending) article by its Message-ID; newer than every stored one."""
        if message_id:
            self._order += 1
            self._message_ids.setdefault(message_id, []).append((_NEWER + self._order, article, ticket, False))

    # --- who may write into a ticket ------------------------------------------
    def correspondents(self, ticket_id: int) -> set[str]:
        """Lower-cased addresses that wrote into the ticket or that an agent wrote to.

        The stored ones are read once per ticket and batch; the senders this batch
        appended (perhaps not written yet) come from :meth:`correspondent_added`.
        """
        if ticket_id not in self._correspondents:
            self._correspondents[ticket_id] = self.repo.ticket_correspondents(ticket_id)
        return self._correspondents[ticket_id] | self._appended.get(ticket_id, set())

    def correspondent_added(self, ticket_id: int, sender: str | None) -> None:
        """A message of ``sender`` was appended to the (stored) ticket in this batch."""
        if sender:
            self._appended.setdefault(ticket_id, set()).add(sender.strip().lower())

    def sender_contacts(self, emails: Iterable[str | None], phone: str | None) -> list[tuple[int | None, int | None]]:
        """(contact id, customer id) of the contacts with these addresses or this phone number.

        A contact the batch created but has not written yet has no id (None).
        """
        rows = [self.contact_row(e) for e in {(e or "").strip().lower() for e in emails} if e]
        if phone:
            rows.append(self.contact_row_by_phone(phone))
        out = []
        for row in rows:
            if row is None:
                continue
            if isinstance(row, PendingContact):
                out.append((row.row.id if row.row is not None else None, row.values.get("customer_id")))
            else:
                out.append((row.id, row.customer_id))
        return out

    # --- directory rows -----------------------------------------------------
    def contact_row(self, email: str) -> Any:
        key = email.strip().lower()
        row = self.contact_rows.get(key, _MISSING)
        if row is _MISSING:
            row = self.contact_rows[key] = self.repo.contact_row_by_email(key)
        return row

    def contact_row_by_phone(self, phone: str) -> Any:
        """The contact (row or pending) with this phone number's digits."""
        digits = phone_digits(phone)
        if digits not in self._phone_contacts:
            self._phone_contacts[digits] = self.repo.contact_row_by_phone(phone)
        return self._phone_contacts[digits]

    def add_contact(self, *, name: str, email: str | None, phone: str | None, customer: str | None) -> Any:
        """A new contact, written with the batch (a :class:`PendingContact`); None for a sender
        longer than any e-mail address can be (kept on the article, not made a contact)."""
        if email and len(email) > MAX_ADDRESS_CHARS:
            return None
        pending = self.writes.contact(
            name=name, email=email, phone=phone, customer=self.customer_row(customer) if customer else None
        )
        if email:
            self.contact_rows[email.strip().lower()] = pending
        if phone_digits(phone):
            self._phone_contacts[phone_digits(phone)] = pending
        self.directory.contact_added(email, phone)
        return pending

    def customer_row(self, key: str) -> Any:
        if key not in self._customers:
            self._customers[key] = self.repo.customer_row(key)
        return self._customers[key]

    def contract_row(self, key: str) -> Any:
        if key not in self._contracts:
            self._contracts[key] = self.repo.contract_row(key)
        return self._contracts[key]

    def queue_id(self, name: str) -> int:
        if name not in self._queues:
            self._queues[name] = self.repo.queue_row(name, create=True).id
        return self._queues[name]
