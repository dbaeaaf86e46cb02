"""The ticket service: opening, reading, listing and searching tickets, state changes, canned
responses and imports. The changes to an open ticket (replies, notes, locks, owners, merges
...) are in :mod:`.ticket_actions`, which this service extends."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Collection
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .. import canned, policy
from ..errors import BadValue, DomainError, Forbidden, NotFound
from ..events import TicketChanged, TicketOpened
from ..model import Attachment, Contact, Ticket
from ..text import clean_line, clean_text
from ..textsearch import query_terms
from .context import CLOSED_TYPES, Events
from .ticket_actions import TicketActions

if TYPE_CHECKING:
    from ..actors import Actor
    from ..store import Repository
    from .context import ServiceContext
    from .sla import SlaService

#: The state types ``ticket list --state`` takes besides configured state names.
STATE_TYPES = ("new", "open", "pending", "resolved", "closed", "merged")


class TicketService(TicketActions):
    """Every change to a ticket goes through here; each public method is one transaction
    and fires its notify hooks after the commit."""

    def __init__(self, ctx: ServiceContext, sla: SlaService):
        self.ctx = ctx
        self.sla = sla

    @property
    def settings(self) -> Any:
        """The ``[tickets]`` settings."""
        return self.ctx.settings

    # --- opening ---------------------------------------------------------------
    def open(
        self,
        *,
        subject: str,
        body: str,
        actor: Actor,
        customer: str | None = None,
        contact: str | None = None,
        priority: str | None = None,
        channel: str | None = None,
        queue: str | None = None,
        html: str | None = None,
        direction: str = "in",
    ) -> Ticket:
        """Open a ticket with a first article; returns it (``number`` is the new number).

        An agent actor is the first article's sender; a contact actor is the ticket's contact."""
        subject, body = clean_line(subject), clean_text(body)  # no terminal controls or NUL in stored text
        if not subject.strip():
            raise BadValue("a ticket needs a subject")
        level = self.ctx.priority(priority)
        if actor.kind == "contact" and contact is None:
            contact = actor.name
        with self.ctx.change() as (repo, events):
            queue = queue or self.settings.default_queue
            agent_row = policy.check(actor, "ticket.open", repo=repo, customer=customer, queue=queue)
            customer_row = repo.customer_row(customer) if customer else None
            contact_row = None
            if contact:
                contact_row = repo.contact_row_by_email(contact)
                if contact_row is None:
                    repo.upsert_contact(Contact(name=contact, email=contact, customer=customer))
                    contact_row = repo.contact_row_by_email(contact)
            contract = repo.active_contract_row(customer, self.ctx.local_date()) if customer else None
            row = self.create_row(
                repo,
                subject=subject,
                priority=level,
                channel=channel,
                queue=queue,
                customer_id=customer_row.id if customer_row else None,
                contact_id=contact_row.id if contact_row else None,
                contract_id=contract.id if contract else None,
                lines=contract.lines if contract else None,
                actor=actor.history_name,
            )
            sender = contact or (agent_row.email if agent_row else None)
            article = repo.add_article(
                row,
                direction=direction,
                channel=channel,
                sender=sender,
                recipients=(),
                subject=subject,
                text=body,
                html=html,
                message_id=None,
                references=(),
                agent_id=agent_row.id if agent_row and direction != "in" else None,
                visible=direction != "internal",
                raw_sha256=None,
            )
            ticket = repo.ticket_view(row)
            if self.ctx.hooks.wants("ticket_opened"):
                events.append(("ticket_opened", TicketOpened(ticket, repo.article_view(article, attachments=False))))
        return ticket

    def create_row(
        self,
        repo: Repository,
        *,
        subject: str,
        priority: str,
        channel: str | None,
        queue: str,
        customer_id: int | None,
        contact_id: int | None,
        contract_id: int | None,
        lines: Any,
        actor: str | None,
        queue_id: int | None = None,
    ) -> Any:
        """Write a new numbered ticket row inside ``repo``'s transaction: history, SLA clocks."""
        if queue_id is None:
            queue_id = repo.queue_row(queue, create=True).id
        values = self.new_ticket_values(
            subject=subject,
            priority=priority,
            channel=channel,
            queue_id=queue_id,
            customer_id=customer_id,
            contact_id=contact_id,
            contract_id=contract_id,
            lines=lines,
        )
        row = repo.create_numbered_ticket(
            self.settings.number_layout, self.settings.system_id, self.ctx.local_date(), **values
        )
        repo.history(row, actor, "created", new=row.number)
        self.sla.on_open(repo, row)
        return row

    def new_ticket_values(
        self,
        *,
        subject: str,
        priority: str,
        channel: str | None,
        queue_id: int,
        customer_id: int | None,
        contact_id: int | None,
        contract_id: int | None,
        lines: Any,
    ) -> dict[str, Any]:
        """The column values of a new ticket (its number is drawn when it is written)."""
        return dict(
            subject=subject[:1000],
            state=self.settings.first_state("new"),
            state_type="new",
            priority=priority,
            queue_id=queue_id,
            customer_id=customer_id,
            contact_id=contact_id,
            contract_id=contract_id,
            line=min(lines) if lines else 1,
            channel=channel,
        )

    # --- reading ---------------------------------------------------------------
    def get(self, number: str, *, full: bool = True, actor: Actor | None = None) -> Ticket:
        """The ticket with its articles and history (including tickets merged into it);
        ``full=False`` reads the ticket alone, cheaply. With ``actor``, only a ticket it may read,
        as it may see it (:func:`deskframe.policy.visible_ticket`: a contact sees no internal notes)."""
        with self.ctx.store.read() as repo:
            row = repo.ticket_row(number)
            if actor is not None:
                policy.check(actor, "ticket.read", repo=repo, ticket=row)
            return policy.visible_ticket(actor, repo.ticket_view(row, full=full))

    def _state_filter(self, state: str | None) -> tuple[str | None, builtins.list[str] | None]:
        """``(state, state types)`` of a list filter: a configured state, or a state type
        (``open``) standing for every state of that type; an unknown name is BadValue."""
        if state and state not in self.settings.states:
            if state in STATE_TYPES:
                return None, [state]
            self.ctx.state_type(state)
        return state, None

    def list(
        self,
        *,
        state: str | None = None,
        queue: str | None = None,
        owner: str | None = None,
        customer: str | None = None,
        open_only: bool = False,
        limit: int | None = 100,
        sla: str | None = None,
        actor: Actor | None = None,
        queues: Collection[str] | None = None,
        contact: str | None = None,
    ) -> builtins.list[dict[str, Any]]:
        """Tickets as summary rows, most recently changed first, with ``due`` (the next SLA
        due time); ``sla="warning"|"breached"``: only tickets with such a clock now.
        With ``actor``, only the tickets it may read (:func:`deskframe.policy.visibility`: its
        customer's, its own, its readable queues'); ``queues`` (unless ``None``): only tickets in
        these queues; ``contact`` (an e-mail): only tickets of that contact. :func:`deskframe.listing.ticket_rows` answers the same without a Desk."""
        if sla not in (None, "warning", "breached"):
            raise DomainError(f"unknown SLA filter '{sla}' (known: warning, breached)")
        state, types = self._state_filter(state)
        if open_only:
            types = ["new", "open", "pending"]
        with self.ctx.store.read() as repo:
            scope = _scope(repo, actor, customer=customer, contact=contact, queues=queues, owner=owner, queue=queue)
            if scope is None:
                return []
            customer, contact, queues = scope
            return repo.list_tickets(
                state=state,
                state_types=types,
                queue=queue,
                owner=owner,
                customer=customer,
                limit=limit,
                sla=sla,
                now=self.ctx.clock(),
                queues=queues,
                contact=contact,
            )

    def page(
        self,
        *,
        actor: Actor,
        limit: int = 50,
        after: tuple[dt.datetime, int] | None = None,
        state: str | None = None,
        queue: str | None = None,
        owner: str | None = None,
        customer: str | None = None,
        priority: str | None = None,
        line: int | None = None,
        text: str | None = None,
    ) -> tuple[builtins.list[dict[str, Any]], tuple[dt.datetime, int] | None]:
        """One page of the tickets ``actor`` may read, most recently changed first (the API's
        list): the rows and the key of the next page (``(updated_at, id)`` of the last row,
        None on the last page). ``after`` is such a key; a new or changed ticket moves to the
        front, so paging on never repeats a row. ``text``: tickets with an article matching
        every word (as :meth:`search`)."""
        state, types = self._state_filter(state)
        level = self.ctx.priority(priority) if priority else None
        if line is not None and line not in (1, 2, 3):
            raise BadValue(f"support line must be 1, 2 or 3, got {line}")
        if text is not None:
            try:
                query_terms(text)
            except ValueError as exc:
                raise BadValue(str(exc)) from None
        with self.ctx.store.read() as repo:
            scope = _scope(repo, actor, customer=customer, contact=None, queues=None, owner=owner, queue=queue)
            if scope is None:
                return [], None
            customer, contact, queues = scope
            rows = repo.list_tickets(
                state=state,
                state_types=types,
                queue=queue,
                owner=owner,
                customer=customer,
                limit=limit + 1,
                now=self.ctx.clock(),
                queues=queues,
                contact=contact,
                priority=level,
                line=line,
                text=text,
                after=after,
                keep_id=True,
            )
        more = len(rows) > limit
        rows = rows[:limit]
        following = (rows[-1]["updated_at"], rows[-1]["id"]) if more else None
        for row in rows:
            del row["id"]
        return rows, following

    def attachment(self, attachment_id: int, *, actor: Actor) -> tuple[Attachment, bytes]:
        """An attachment and its bytes, if ``actor`` may read its ticket and article (a
        customer's contact: only attachments of articles visible to the customer); else
        NotFound, the same as for an id that does not exist."""
        with self.ctx.store.read() as repo:
            found, article, row = repo.attachment_rows(attachment_id)
            hidden = actor.kind == "contact" and not article.visible
            if hidden or not policy.may_read(actor, repo=repo, ticket=row):  # as unknown as a missing one
                raise NotFound(f"unknown attachment {attachment_id}")
            file = Attachment(found.filename, found.content_type, found.size, found.sha256, found.id)
        return file, self.ctx.blobs.get(file.sha256)

    def search(self, text: str, limit: int = 50, *, actor: Actor | None = None) -> builtins.list[dict[str, Any]]:
        """Full-text search over article subjects and texts: every word must match as written,
        as a stem in the ``[search] languages``, or as a prefix (``word*``); best match first.
        With ``actor``, only hits on tickets it may read, and for a contact only on articles
        visible to the customer (an internal note's words find nothing)."""
        try:
            with self.ctx.store.read() as repo:
                seen = policy.visibility(actor, repo=repo)
                if seen.limited and seen.customer is None:
                    return []
                return repo.search(
                    text,
                    limit,
                    queues=seen.queues,
                    customer=seen.customer if seen.limited else None,
                    contact=seen.contact,
                    visible_only=not policy.may_see_internal(actor),
                )
        except ValueError as exc:  # too many words
            raise DomainError(str(exc)) from None

    def reindex_search(self, *, actor: Actor) -> int:
        """Rebuild the full-text index with the configured languages; returns the articles indexed."""
        with self.ctx.store.read() as repo:
            policy.check(actor, "search.reindex", repo=repo)
        return self.ctx.store.reindex()

    # --- state -------------------------------------------------------------------
    def apply_state(
        self,
        repo: Repository,
        row: Any,
        state: str,
        actor: str | None,
        events: Events,
        reason: str | None = None,
    ) -> None:
        """Set ticket ``row``'s state inside ``repo``'s transaction (``actor``: the name history
        records): history, lock release and SLA clocks follow; the notify events to fire after
        the commit go into ``events``."""
        kind = self.ctx.state_type(state)
        if row.state == state:
            return
        old = row.state
        row.state, row.state_type = state, kind
        repo.history(row, actor, "state", old=old, new=state, reason=reason)
        if kind in CLOSED_TYPES and row.locked_by_id is not None:
            holder = repo.agent_login(row.locked_by_id)
            row.locked_by_id = None
            row.locked_at = None
            repo.history(row, actor, "unlock", old=holder, reason=f"ticket {kind}")
        self.sla.on_state(repo, row, kind, repo.now)
        repo.touch(row)
        if self.ctx.hooks.wants("ticket_changed"):
            events.append(("ticket_changed", TicketChanged(repo.ticket_view(row), "state", old, state, actor, reason)))

    # --- canned responses and imports ------------------------------------------
    def render_canned(
        self, name: str, number: str, agent: str | None = None, values: dict[str, Any] | None = None
    ) -> str:
        """Render canned response ``name`` for a ticket; ``{{ due }}`` is the next SLA due
        time in the desk's time zone; ``values`` overrides or adds placeholders' values."""
        body = self.ctx.config.canned.get(name)
        if body is None:
            raise NotFound(
                f"unknown canned response '{name}' (known: {', '.join(sorted(self.ctx.config.canned)) or 'none'})"
            )
        ticket = self.get(number, full=False)
        due = self.sla.next_due(number)
        due_text = due.astimezone(ZoneInfo(self.ctx.config.timezone)).strftime("%Y-%m-%d %H:%M") if due else ""
        with self.ctx.store.read() as repo:
            customer = repo.customer(ticket.customer) if ticket.customer else None
            agent_name = repo.agent(agent).name if agent else None
        context = {
            "customer": customer.name if customer else (ticket.contact or ""),
            "contact": ticket.contact,
            "number": ticket.number,
            "subject": ticket.subject,
            "agent": agent_name,
            "due": due_text,
            "queue": ticket.queue,
            "priority": self.settings.priority_names.get(ticket.priority, ticket.priority),
            **(values or {}),
        }
        return canned.render(body, context)

    def import_tickets(
        self, tickets: builtins.list[Any], *, namespace: str, actor: Actor, cursor: tuple[str, str] | None = None
    ) -> Any:
        """Store a batch of :class:`~deskframe.importing.ImportedTicket` in one transaction.

        Idempotent: every external id goes into the external-id map, so a re-run adds
        nothing and an interrupted import resumes. No SLA clocks, no notify hooks.
        ``cursor`` ``(key, value)`` is stored in the same transaction as the namespace's
        external id of kind ``"cursor"`` (an importer's resume point commits with its batch).
        """
        from ..files import safe_filename

        for ticket in tickets:
            if ticket.state not in self.settings.states:
                raise BadValue(f"imported ticket {ticket.external_id}: unknown state '{ticket.state}'")
            if self.settings.priority_level(ticket.priority) != ticket.priority:
                raise BadValue(
                    f"imported ticket {ticket.external_id}: priority must be P1..P4, got {ticket.priority!r}"
                )
        blobs = self.ctx.blobs
        with self.ctx.store.write() as repo:  # small blobs go into the blobs table in this transaction
            policy.check(actor, "ticket.import", repo=repo)
            counts = repo.import_batch(
                tickets, namespace, state_types=dict(self.settings.states), blobs=blobs, safe_name=safe_filename
            )
            if cursor is not None:
                repo.set_external(namespace, "cursor", cursor[0], cursor[1])
            blobs.flush()  # blob files durable before the rows that name them commit
            return counts


def _scope(
    repo: Any,
    actor: Actor | None,
    *,
    customer: str | None,
    contact: str | None,
    queues: Collection[str] | None,
    owner: str | None,
    queue: str | None,
) -> tuple[str | None, str | None, Collection[str] | None] | None:
    """The ``(customer, contact, queues)`` filters of a list as ``actor`` may see it
    (:func:`deskframe.policy.visibility`), or None when it may see none of them; a customer
    outside its own is Forbidden, and unknown customer, owner or queue names are NotFound
    (a typo, not an empty list)."""
    seen = policy.visibility(actor, repo=repo)
    if seen.limited:
        if customer is not None and customer != seen.customer:
            raise Forbidden(str(actor), "ticket.read", f"customer '{customer}' is not its customer")
        if seen.customer is None:
            return None
        customer = seen.customer
    if seen.contact is not None:
        if contact is not None and contact.strip().lower() != seen.contact:
            return None
        contact = seen.contact
    if seen.queues is not None:
        queues = seen.queues if queues is None else seen.queues & set(queues)
    if customer is not None and not seen.limited:  # a contact's own customer exists: it was read with it
        repo.customer_row(customer)
    if owner is not None:
        repo.agent_row(owner)
    if queue is not None:
        repo.queue_row(queue)
    return customer, contact, queues
