"""The writes of an intake batch, done together: contacts, tickets, articles in a few statements.

While ``run_intake_batch`` decides what each inbound message becomes, the new
contacts, tickets and articles it needs are collected here as pending objects;
:meth:`PendingWrites.write` then stores them table by table (one executemany
with RETURNING each), draws all new ticket numbers in one counter update, and
writes their history and SLA clocks. A message that needs a pending object's
database id (a reply threading into a ticket opened earlier in the same batch)
calls :meth:`PendingWrites.write` first, so every rule of single-message intake
holds unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from ..model import Contact
from ..store import Repository
from ..store.directory_repo import phone_digits

if TYPE_CHECKING:
    from ..services.intake import IntakeService


@attrs.define(eq=False)
class PendingContact:
    """A contact the batch creates; ``row`` is set once written."""

    values: dict[str, Any]
    view: Contact
    row: Any = None


@attrs.define(eq=False)
class PendingTicket:
    """A ticket the batch opens; ``row`` is set once written."""

    values: dict[str, Any]
    contact: PendingContact | None
    actor: str | None
    row: Any = None


@attrs.define(eq=False)
class PendingArticle:
    """An inbound article; ``ticket`` is a ticket row or a :class:`PendingTicket`."""

    ticket: Any
    values: dict[str, Any]
    files: list[tuple[str, str, int, str]]
    history: list[dict[str, Any]]
    row: Any = None


def ticket_row(ref: Any) -> Any:
    """The ticket row of a row or a written :class:`PendingTicket`."""
    return ref.row if isinstance(ref, PendingTicket) else ref


class PendingWrites:
    """New contacts, tickets and articles of one batch, written in bulk."""

    def __init__(self, service: IntakeService, repo: Repository):
        self._service = service
        self._repo = repo
        self._contacts: list[PendingContact] = []
        self._tickets: list[PendingTicket] = []
        self._articles: list[PendingArticle] = []

    def has_tickets(self) -> bool:
        """True while tickets are pending (their numbers are drawn only when written)."""
        return bool(self._tickets)

    def contact(self, *, name: str, email: str | None, phone: str | None, customer: Any) -> PendingContact:
        values = dict(
            name=name,
            email=email.strip().lower() if email else None,
            phone=phone,
            phone_digits=phone_digits(phone),
            customer_id=customer.id if customer else None,
            created_at=self._repo.now,
        )
        pending = PendingContact(
            values, Contact(name=name, email=values["email"], phone=phone, customer=customer.key if customer else None)
        )
        self._contacts.append(pending)
        return pending

    def ticket(self, values: dict[str, Any], contact: Any, actor: str | None) -> PendingTicket:
        if contact is not None and not isinstance(contact, PendingContact):
            values["contact_id"], contact = contact.id, None
        pending = PendingTicket(values, contact, actor)
        self._tickets.append(pending)
        return pending

    def article(
        self, ticket: Any, values: dict[str, Any], files: list[tuple[str, str, int, str]], history: list[dict[str, Any]]
    ) -> PendingArticle:
        pending = PendingArticle(ticket, values, files, history)
        self._articles.append(pending)
        return pending

    def write(self) -> None:
        """Store everything pending (inside the open transaction)."""
        repo, service = self._repo, self._service
        for pending, row in zip(self._contacts, repo.insert_contacts([c.values for c in self._contacts])):
            pending.row = row
        if self._tickets:
            settings = service.settings
            numbers = repo.draw_numbers(
                settings.number_layout, settings.system_id, service.local_date(), len(self._tickets)
            )
            rows = []
            for pending, number in zip(self._tickets, numbers):
                values = dict(pending.values, number=number, created_at=repo.now, updated_at=repo.now)
                if pending.contact is not None:
                    values["contact_id"] = pending.contact.row.id
                rows.append(values)
            for pending, row in zip(self._tickets, repo.insert_tickets(rows)):
                pending.row = row
                repo.history(row, pending.actor, "created", new=row.number)
                service.sla.on_open(repo, row)
        articles = []
        for pending in self._articles:
            ticket = ticket_row(pending.ticket)
            for entry in pending.history:
                repo.history(ticket, **entry)
            articles.append(dict(pending.values, ticket_id=ticket.id))
        files = []
        for pending, row in zip(self._articles, repo.insert_articles(articles)):
            pending.row = row
            files += [
                dict(article_id=row.id, filename=name, content_type=kind, size=size, sha256=sha)
                for name, kind, size, sha in pending.files
            ]
            repo.history(
                ticket_row(pending.ticket), row.sender, "article", new=str(row.id), reason=f"via {row.channel}"
            )
        repo.insert_attachments(files)
        self._contacts, self._tickets, self._articles = [], [], []
