"""What the customer portal shows and changes, as blocking functions of a desk and a contact.

Everything here acts as ``Actor.contact(email)`` through the services, and every permission is
asked of :mod:`deskframe.policy` (``may_read``, ``visible_customer``, ``check``): a ticket the
contact may not read is :class:`~deskframe.errors.NotFound`, exactly like one that does not
exist. What a contact sees of a ticket is cut down here: public articles only (no internal
notes), no history, no time entries, and no agent's e-mail address or login.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ... import policy
from ...actors import Actor
from ...errors import DomainError, Forbidden, NotFound
from ...services.uploads import Upload, UploadService

if TYPE_CHECKING:
    from ...billing.model import Invoice
    from ...desk import Desk
    from ...extensions import PageSection
    from ...model import Ticket

#: How many tickets the list shows.
LIST_LIMIT = 200
#: The contract parameter that lets a customer's contacts choose a new ticket's priority:
#: a list of priority levels (``["P2", "P3", "P4"]``), or ``true`` for all of them.
PRIORITY_PARAM = "portal_priorities"


@attrs.frozen
class PublicArticle:
    """One article as the customer sees it: who wrote it (``customer`` or ``support``), never an agent's address."""

    id: int
    side: str
    author: str
    subject: str
    text: str
    created_at: dt.datetime
    attachments: tuple[str, ...] = ()


@attrs.frozen
class PortalTicket:
    """A ticket as the customer sees it."""

    number: str
    subject: str
    state: str
    state_type: str
    priority: str
    created_at: dt.datetime
    updated_at: dt.datetime
    next_due: dt.datetime | None
    articles: tuple[PublicArticle, ...]

    @property
    def reopenable(self) -> bool:
        """A resolved ticket can be reopened by the customer."""
        return self.state_type == "resolved"

    @property
    def answerable(self) -> bool:
        """Merged tickets take no replies (their correspondence goes on in the other one)."""
        return self.state_type != "merged"


def contact_actor(email: str) -> Actor:
    """The actor of a logged-in contact."""
    return Actor.contact(email)


def tickets(desk: Desk, email: str) -> list[dict[str, Any]]:
    """The tickets the contact may read, most recently changed first (summary rows without the owner or lock holder)."""
    actor = contact_actor(email)
    rows = desk.tickets.list(actor=actor, limit=LIST_LIMIT)
    shown = []
    with desk.store.read() as repo:
        for row in rows:
            ticket = repo.ticket_row_or_none(row["number"])
            if ticket is not None and policy.may_read(actor, repo=repo, ticket=ticket):
                shown.append({k: v for k, v in row.items() if k not in ("owner", "locked_by")})
    return shown


def ticket(desk: Desk, email: str, number: str) -> PortalTicket:
    """The ticket as the contact sees it; :class:`NotFound` when it does not exist or is not the contact's to see."""
    actor = contact_actor(email)
    try:
        full = desk.tickets.get(number, actor=actor)
    except Forbidden:
        raise NotFound(f"no ticket {number}") from None
    return _public(full, desk.sla.next_due(full.number))


def _public(full: Ticket, due: dt.datetime | None) -> PortalTicket:
    articles = tuple(
        PublicArticle(
            id=a.id,
            side="customer" if a.direction == "in" else "support",
            author=(a.sender or "") if a.direction == "in" else "",
            subject=a.subject,
            text=a.text,
            created_at=a.created_at,
            attachments=tuple(f.filename for f in a.attachments),
        )
        for a in full.articles
        if a.visible_to_customer and a.direction != "internal"
    )
    return PortalTicket(
        number=full.number,
        subject=full.subject,
        state=full.state,
        state_type=full.state_type,
        priority=full.priority,
        created_at=full.created_at,
        updated_at=full.updated_at,
        next_due=due,
        articles=articles,
    )


def customer_of(desk: Desk, email: str) -> str | None:
    """The contact's customer key (None: at no customer), as the policy sees it."""
    with desk.store.read() as repo:
        limited, customer = policy.visible_customer(contact_actor(email), repo=repo)
    return customer if limited else None


def priorities(desk: Desk, email: str) -> tuple[str, ...]:
    """The priority levels the contact may choose for a new ticket (empty: none, the default applies).

    An active contract of the contact's customer grants them with ``params.portal_priorities``."""
    customer = customer_of(desk, email)
    if customer is None:
        return ()
    today = desk.local_date()
    levels: list[str] = []
    known = tuple(desk.settings.priority_names)
    for contract in desk.directory.contracts(customer):
        if not contract.active_on(today):
            continue
        granted = contract.params.get(PRIORITY_PARAM)
        if granted is True:
            granted = list(known)
        if isinstance(granted, list):
            levels.extend(str(p) for p in granted if str(p) in known and str(p) not in levels)
    return tuple(p for p in known if p in levels)


def open_ticket(
    desk: Desk, email: str, *, subject: str, body: str, priority: str | None, uploads: Sequence[Upload] = ()
) -> str:
    """Open a ticket as the contact, for its customer, with ``uploads`` on its first message; returns the new number."""
    if priority and priority not in priorities(desk, email):
        priority = None
    opened = desk.tickets.open(
        subject=subject,
        body=body,
        actor=contact_actor(email),
        customer=customer_of(desk, email),
        priority=priority,
        channel="portal",
    )
    if uploads:
        first = desk.tickets.get(opened.number).articles[0]
        UploadService(desk.context).attach(opened.number, first.id, uploads, actor=contact_actor(email))
    return opened.number


def reply(desk: Desk, email: str, number: str, body: str, uploads: Sequence[Upload] = ()) -> None:
    """The contact's answer on its ticket (an inbound article; a resolved ticket opens again), with ``uploads``."""
    ticket(desk, email, number)  # NotFound unless the contact may read it
    actor = contact_actor(email)
    article = desk.tickets.add_article(number, direction="in", body=body, actor=actor, channel="portal")
    if uploads:
        UploadService(desk.context).attach(number, article.id, uploads, actor=actor)


def reopen(desk: Desk, email: str, number: str) -> None:
    """Open a resolved ticket again."""
    shown = ticket(desk, email, number)
    if shown.reopenable:
        desk.tickets.set_state(number, desk.settings.first_state("open"), actor=contact_actor(email))


def invoices(desk: Desk, email: str, *, customer_admin: bool) -> list[tuple[Invoice, str | None]]:
    """The customer's issued invoices (and credit notes) with their public links, for a ``customer_admin`` contact."""
    customer = customer_of(desk, email)
    if not customer_admin or customer is None:
        return []
    found = [i for i in desk.billing.invoices(customer=customer) if i.status != "draft" and i.number]
    out: list[tuple[Invoice, str | None]] = []
    for invoice in found:
        try:
            link = desk.billing.link(str(invoice.number))
        except DomainError:  # an invoice without a link token shows without one
            link = None
        out.append((invoice, link))
    return out


def sections(desk: Desk, email: str, language: str) -> list[PageSection]:
    """The plugins' sections of the contact's customer (``customer_sections`` hook; each plugin asks
    the policy what the contact may see); none for a contact at no customer."""
    from ..pages.sections import customer_sections

    customer = customer_of(desk, email)
    if customer is None:
        return []
    return customer_sections(desk, customer, contact_actor(email), language, portal=True)
