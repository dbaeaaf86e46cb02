"""The application service: every change to tickets goes through :class:`Desk`.

Each public method runs in one transaction; notify hooks fire after it commits.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Collection, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import canned, numbering
from .billing.ledger import Ledger
from .billing.model import Estimate
from .bounds import check_amount
from .clocks import CheckResult, ClockView, SlaEngine
from .config import Config
from .errors import BadValue, ConfigError, Conflict, DomainError, NotFound, TicketLocked
from .events import ArticleAdded, TicketChanged, TicketOpened
from .hooks import HookFailure, Hooks
from .intake.lookups import without_nul
from .intake.route import run_intake_batch
from .model import (
    PRIORITY_LEVELS,
    Agent,
    Article,
    Contact,
    Contract,
    Customer,
    InboundMessage,
    IntakeResult,
    Queue,
    Ticket,
    TimeEntry,
)
from .plugins import Plugins
from .services import CursorStore, DirectoryLookup, ExternalIds
from .store import BlobStore, Repository, Store
from .text import clean_line, clean_text

CLOSED_TYPES = ("resolved", "closed", "merged")
#: Transactions an intake batch gets when racing writers take its unique keys first.
INTAKE_ATTEMPTS = 10


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Desk:
    """A configured deskframe installation: config, plugins, store, hooks."""

    def __init__(self, config: Config, plugins: Plugins, *, clock: Callable[[], dt.datetime] = utcnow):
        self.config = config
        self.plugins = plugins
        self.hooks = Hooks(plugins.pm)
        self.clock = clock
        self.store = Store(config.database_url, clock, config.search_languages)
        self.blobs = BlobStore(Path(config.data_dir) / "blobs", config.attachment_max_bytes, database=self.store.db)
        self.cursors = CursorStore(self.store)
        self.external_ids = ExternalIds(self.store)
        self.last_hook_failures: list[HookFailure] = []
        self.sla = SlaEngine(self)
        self.ledger = Ledger(self)

    # --- plumbing ----------------------------------------------------------
    @property
    def settings(self) -> Any:
        return self.config.tickets

    def close(self) -> None:
        self.store.close()

    def upgrade(self) -> None:
        """Create or migrate the schema to the newest revision."""
        self.store.upgrade()

    @contextlib.contextmanager
    def _change(self) -> Iterator[tuple[Repository, list[tuple[str, Any]]]]:
        events: list[tuple[str, Any]] = []
        with self.store.write() as repo:
            yield repo, events
        self.fire_events(events)

    def fire_events(self, events: list[tuple[str, Any]]) -> None:
        """Call the notify hooks of ``events`` (hook name, event) after their change committed;
        a plugin's failure is recorded in ``last_hook_failures``, never raised."""
        failures = []
        for hook, event in events:
            failures.extend(self.hooks.notify(hook, event, self))
        self.last_hook_failures = failures

    @contextlib.contextmanager
    def lookup(self) -> Iterator[DirectoryLookup]:
        """Read-only directory lookups (the view resolve hooks get)."""
        with self.store.read() as repo:
            yield DirectoryLookup(repo)

    def _priority(self, text: str | None) -> str:
        if not text:
            return self.settings.default_priority
        level = self.settings.priority_level(text)
        if level is None:
            names = ", ".join(
                f"{p} ({self.settings.priority_names[p]})" if self.settings.priority_names[p] != p else p
                for p in PRIORITY_LEVELS
            )
            raise BadValue(f"unknown priority '{text}' (known: {names})")
        return level

    def _state(self, state: str) -> str:
        if state not in self.settings.states:
            raise BadValue(f"unknown state '{state}' (known: {', '.join(self.settings.states)})")
        return self.settings.states[state]

    @staticmethod
    def _known_actor(repo: Repository, actor: str | None) -> None:
        """An agent named as the one acting must exist (``NotFound``: exit 2), so history names real agents."""
        if actor is not None:
            repo.agent_row(actor)

    def require_agent(self, login: str) -> None:
        """Raise ``NotFound`` unless ``login`` is a known agent."""
        with self.store.read() as repo:
            repo.agent_row(login)

    def local_date(self, when: dt.datetime | None = None) -> dt.date:
        from zoneinfo import ZoneInfo

        return (when or self.clock()).astimezone(ZoneInfo(self.config.timezone)).date()

    # --- tickets -------------------------------------------------------------
    def open_ticket(
        self,
        *,
        subject: str,
        body: str,
        customer: str | None = None,
        contact: str | None = None,
        priority: str | None = None,
        channel: str | None = None,
        queue: str | None = None,
        agent: str | None = None,
        html: str | None = None,
        direction: str = "in",
    ) -> Ticket:
        """Open a ticket with a first article; returns it (``number`` is the new number)."""
        subject, body = clean_line(subject), clean_text(body)  # no terminal controls or NUL in stored text
        if not subject.strip():
            raise BadValue("a ticket needs a subject")
        level = self._priority(priority)
        with self._change() as (repo, events):
            customer_row = repo.customer_row(customer) if customer else None
            contact_row = None
            if contact:
                contact_row = repo.contact_row_by_email(contact)
                if contact_row is None:
                    repo.upsert_contact(Contact(name=contact, email=contact, customer=customer))
                    contact_row = repo.contact_row_by_email(contact)
            contract = repo.active_contract_row(customer, self.local_date()) if customer else None
            agent_row = repo.agent_row(agent) if agent else None
            row = self._create(
                repo,
                subject=subject,
                priority=level,
                channel=channel,
                queue=queue or self.settings.default_queue,
                customer_id=customer_row.id if customer_row else None,
                contact_id=contact_row.id if contact_row else None,
                contract_id=contract.id if contract else None,
                lines=contract.lines if contract else None,
                actor=agent,
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
            if self.hooks.wants("ticket_opened"):
                events.append(("ticket_opened", TicketOpened(ticket, repo.article_view(article, attachments=False))))
        return ticket

    def _create(
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
            self.settings.number_layout, self.settings.system_id, self.local_date(), **values
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

    def intake(self, message: InboundMessage) -> IntakeResult:
        """Store one inbound message: dedupe, thread, route, append; one transaction.

        A message seen before (same channel and external id, or same Message-ID)
        changes nothing and is reported as a duplicate.
        """
        return self._store_inbound([message])[0]

    def intake_many(self, messages: list[InboundMessage]) -> list[IntakeResult]:
        """Store a batch of inbound messages in one transaction (same rules as :meth:`intake`).

        All or nothing: if one message fails, nothing of the batch is stored and the
        error is raised, so a caller can retry the batch one message at a time.
        """
        return self._store_inbound(messages)

    def _store_inbound(self, messages: list[InboundMessage]) -> list[IntakeResult]:
        """One transaction; again, from the start, if another writer took a unique key meanwhile.

        Another intake that stored the same message (or created the same sender's contact)
        first makes the commit fail on a unique key. The next attempt sees its rows: the
        message is then a duplicate (looked up and acknowledged), never quarantined.
        """
        messages = [without_nul(m) for m in messages]
        for attempt in range(1, INTAKE_ATTEMPTS + 1):
            try:
                with self._change() as (repo, events):
                    results = run_intake_batch(self, repo, messages, events)
                    self.blobs.flush()  # blobs durable before the rows that name them commit
                    return results
            except Conflict:
                if attempt == INTAKE_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def ticket(self, number: str, *, full: bool = True) -> Ticket:
        """The ticket with its articles and history (including tickets merged into it);
        ``full=False`` reads the ticket alone, cheaply."""
        with self.store.read() as repo:
            return repo.ticket_view(repo.ticket_row(number), full=full)

    def tickets(
        self,
        *,
        state: str | None = None,
        queue: str | None = None,
        owner: str | None = None,
        customer: str | None = None,
        open_only: bool = False,
        limit: int | None = 100,
        sla: str | None = None,
        queues: Collection[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Tickets as summary rows, most recently changed first, with ``due`` (the next SLA
        due time); ``sla="warning"|"breached"``: only tickets with such a clock now; ``queues``
        (unless ``None``): only tickets in these queues (the queues an actor may see)."""
        if sla not in (None, "warning", "breached"):
            raise DomainError(f"unknown SLA filter '{sla}' (known: warning, breached)")
        types = None
        if state and state not in self.settings.states:
            if state in ("new", "open", "pending", "resolved", "closed", "merged"):
                types, state = [state], None
            else:
                self._state(state)
        if open_only:
            types = ["new", "open", "pending"]
        with self.store.read() as repo:
            if customer is not None:  # an unknown name is a typo, not an empty list
                repo.customer_row(customer)
            if owner is not None:
                repo.agent_row(owner)
            if queue is not None:
                repo.queue_row(queue)
            return repo.list_tickets(
                state=state,
                state_types=types,
                queue=queue,
                owner=owner,
                customer=customer,
                limit=limit,
                sla=sla,
                now=self.clock(),
                queues=queues,
            )

    def search(self, text: str, limit: int = 50) -> list[dict[str, Any]]:
        """Full-text search over article subjects and texts: every word must match as written,
        as a stem in the ``[search] languages``, or as a prefix (``word*``); best match first."""
        try:
            with self.store.read() as repo:
                return repo.search(text, limit)
        except ValueError as exc:  # too many words
            raise DomainError(str(exc)) from None

    def reindex_search(self) -> int:
        """Rebuild the full-text index with the configured languages; returns the articles indexed."""
        return self.store.reindex()

    def _agent_may_act(self, row: Any, agent_id: int, repo: Repository) -> None:
        if row.locked_by_id is not None and row.locked_by_id != agent_id:
            raise TicketLocked(row.number, repo.agent_login(row.locked_by_id) or "another agent")

    def reply(
        self, number: str, *, agent: str, body: str, canned_name: str | None = None, html: str | None = None
    ) -> Article:
        """An agent's answer to the customer; takes the lock if the ticket is free."""
        if canned_name:
            body = self.render_canned(canned_name, number, agent) + (("\n\n" + body) if body else "")
        body = clean_text(body)
        if not body.strip():
            raise BadValue("a reply needs a body")
        with self._change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            agent_row = repo.agent_row(agent)
            self._agent_may_act(row, agent_row.id, repo)
            if repo.lock(row, agent_row):
                repo.history(row, agent, "lock", new=agent)
            if row.owner_id is None:
                row.owner_id = agent_row.id
                repo.history(row, agent, "owner", new=agent)
            if row.state_type == "new":
                self.apply_state(repo, row, self.settings.first_state("open"), agent, events)
            subject = numbering.tag_subject(self.settings.subject_hook, row.number, f"Re: {row.subject}")
            article = repo.add_article(
                row,
                direction="out",
                channel=row.channel,
                sender=agent_row.email,
                recipients=(),
                subject=subject,
                text=body,
                html=html,
                message_id=None,
                references=(),
                agent_id=agent_row.id,
                visible=True,
                raw_sha256=None,
            )
            repo.history(row, agent, "reply", new=str(article.id))
            self.sla.on_agent_reply(repo, row, repo.now)
            repo.touch(row)
            view = repo.article_view(article, attachments=False)
            if self.hooks.wants("article_added"):
                events.append(("article_added", ArticleAdded(repo.ticket_view(row), view)))
        return view

    def note(self, number: str, *, agent: str, body: str) -> Article:
        """An internal note, never shown to the customer; allowed whoever holds the lock."""
        body = clean_text(body)
        if not body.strip():
            raise BadValue("a note needs a body")
        with self._change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            agent_row = repo.agent_row(agent)
            article = repo.add_article(
                row,
                direction="internal",
                channel=None,
                sender=agent_row.email,
                recipients=(),
                subject=f"Note: {row.subject}",
                text=body,
                html=None,
                message_id=None,
                references=(),
                agent_id=agent_row.id,
                visible=False,
                raw_sha256=None,
            )
            repo.history(row, agent, "note", new=str(article.id))
            repo.touch(row)
            view = repo.article_view(article, attachments=False)
            if self.hooks.wants("article_added"):
                events.append(("article_added", ArticleAdded(repo.ticket_view(row), view)))
        return view

    def add_article(
        self,
        number: str,
        *,
        direction: str,
        body: str,
        subject: str | None = None,
        channel: str | None = None,
        sender: str | None = None,
        agent: str | None = None,
        visible: bool = True,
        recipients: tuple[str, ...] = (),
    ) -> Article:
        """Append an article of any direction (phone calls, imports, plugin messages)."""
        if direction not in ("in", "out", "internal"):
            raise BadValue(f"unknown direction '{direction}' (known: in, out, internal)")
        body, subject = clean_text(body), clean_line(subject) if subject is not None else None
        with self._change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            agent_row = repo.agent_row(agent) if agent else None
            if agent_row and direction == "out":
                self._agent_may_act(row, agent_row.id, repo)
            article = repo.add_article(
                row,
                direction=direction,
                channel=channel,
                sender=sender,
                recipients=tuple(recipients),
                subject=subject or row.subject,
                text=body,
                html=None,
                message_id=None,
                references=(),
                agent_id=agent_row.id if agent_row else None,
                visible=visible and direction != "internal",
                raw_sha256=None,
            )
            repo.history(row, agent, "article", new=str(article.id))
            if direction == "in" and row.state_type in CLOSED_TYPES[:2] + ("pending",):
                self.apply_state(repo, row, self.settings.first_state("open"), agent, events)
            if direction == "in":
                self.sla.on_customer_message(repo, row, repo.now)
            elif direction == "out" and visible and agent_row is not None:
                self.sla.on_agent_reply(repo, row, repo.now)
            repo.touch(row)
            view = repo.article_view(article, attachments=False)
            if self.hooks.wants("article_added"):
                events.append(("article_added", ArticleAdded(repo.ticket_view(row), view)))
        return view

    def annotate(
        self, number: str, action: str, *, new: str | None = None, reason: str | None = None, actor: str | None = None
    ) -> None:
        """Record a plugin's event in the ticket's history (a delivery failure, a call logged ...)."""
        if not action.strip():
            raise BadValue("a history entry needs an action")
        with self.store.write() as repo:
            repo.history(repo.ticket_row(number), actor, action[:50], new=new, reason=reason)

    def mark_sent(
        self, article_id: int, *, message_id: str, recipients: tuple[str, ...] = (), channel: str | None = None
    ) -> None:
        """Record that a channel delivered an outbound article: its Message-ID (so replies
        thread by References) and recipients, with a ``sent`` history entry."""
        with self.store.write() as repo:
            article = repo.article_row(article_id)
            article.message_id = message_id
            if recipients:
                article.recipients = list(recipients)
            repo.history(
                repo.ticket_row_by_id(article.ticket_id),
                None,
                "sent",
                new=str(article_id),
                reason=f"via {channel or article.channel or 'channel'} to {', '.join(recipients) or '-'}",
            )

    def lock(self, number: str, *, agent: str) -> Ticket:
        """Lock the ticket to ``agent``; fails naming the holder if another agent has it."""
        with self._change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            agent_row = repo.agent_row(agent)
            if repo.lock(row, agent_row):
                repo.history(row, agent, "lock", new=agent)
                repo.touch(row)
                ticket = repo.ticket_view(row)
                if self.hooks.wants("ticket_changed"):
                    events.append(("ticket_changed", TicketChanged(ticket, "lock", None, agent, agent)))
            return repo.ticket_view(row)

    def unlock(self, number: str, *, agent: str, force: bool = False, reason: str | None = None) -> Ticket:
        """Release the lock: by its holder, or by anyone with ``force`` and a reason."""
        with self._change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            agent_row = repo.agent_row(agent)
            if row.locked_by_id is None:
                return repo.ticket_view(row)
            holder = repo.agent_login(row.locked_by_id)
            if row.locked_by_id != agent_row.id:
                if not force:
                    raise TicketLocked(row.number, holder or "another agent")
                if not (reason and reason.strip()):
                    raise BadValue("a forced unlock needs a reason")
            row.locked_by_id = None
            row.locked_at = None
            repo.history(row, agent, "unlock", old=holder, reason=reason if force else None)
            repo.touch(row)
            ticket = repo.ticket_view(row)
            if self.hooks.wants("ticket_changed"):
                events.append(("ticket_changed", TicketChanged(ticket, "unlock", holder, None, agent, reason)))
            return ticket

    def assign(self, number: str, *, agent: str, actor: str | None = None) -> Ticket:
        """Make ``agent`` the ticket's owner."""
        with self._change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            agent_row = repo.agent_row(agent)
            old = repo.agent_login(row.owner_id)
            if row.owner_id != agent_row.id:
                row.owner_id = agent_row.id
                repo.history(row, actor, "owner", old=old, new=agent)
                repo.touch(row)
                if self.hooks.wants("ticket_changed"):
                    events.append(("ticket_changed", TicketChanged(repo.ticket_view(row), "owner", old, agent, actor)))
            return repo.ticket_view(row)

    def set_customer(self, number: str, customer: str, *, actor: str) -> Ticket:
        """Give a ticket (from an unknown sender) its customer afterwards.

        The contract is resolved as for a new ticket, on the day the ticket was opened;
        SLA clocks follow the contract's policy (:meth:`SlaEngine.on_contract`); the
        ticket's unbilled time goes to that contract's next invoice run. A ticket of
        another customer is refused; naming its own customer again re-resolves the contract.
        """
        with self._change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            repo.agent_row(actor)
            customer_row = repo.customer_row(customer)
            old = repo.customer_key(row.customer_id)
            if old is not None and old != customer:
                raise DomainError(f"ticket {number} belongs to customer {old}")
            if row.state_type == "merged":
                raise DomainError(f"ticket {number} is merged into another ticket")
            contract = repo.active_contract_row(customer, self.local_date(row.created_at))
            if old == customer and row.contract_id == (contract.id if contract else None):
                return repo.ticket_view(row)
            old_contract = repo.contract_by_id(row.contract_id) if row.contract_id else None
            row.customer_id, row.contract_id = customer_row.id, contract.id if contract else None
            if old != customer:
                repo.history(row, actor, "customer", old=old, new=customer)
            repo.history(
                row,
                actor,
                "contract",
                old=old_contract.key if old_contract else None,
                new=contract.key if contract else None,
            )
            self.sla.on_contract(repo, row, repo.now)
            repo.touch(row)
            if self.hooks.wants("ticket_changed"):
                events.append(
                    ("ticket_changed", TicketChanged(repo.ticket_view(row), "customer", old, customer, actor))
                )
            return repo.ticket_view(row)

    def apply_state(
        self,
        repo: Repository,
        row: Any,
        state: str,
        actor: str | None,
        events: list[tuple[str, Any]],
        reason: str | None = None,
    ) -> None:
        """Set ticket ``row``'s state inside ``repo``'s transaction: history, lock release and
        SLA clocks follow; the notify events to fire after the commit go into ``events``."""
        kind = self._state(state)
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
        if self.hooks.wants("ticket_changed"):
            events.append(("ticket_changed", TicketChanged(repo.ticket_view(row), "state", old, state, actor, reason)))

    def set_state(self, number: str, state: str, *, actor: str | None = None, reason: str | None = None) -> Ticket:
        """Move the ticket to a configured state (``merged`` only through :meth:`merge`)."""
        if self._state(state) == "merged":
            raise BadValue("use 'ticket merge' to merge tickets")
        with self._change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            if row.state_type == "merged":
                raise DomainError(f"ticket {number} is merged into another ticket")
            if actor is not None:
                self._agent_may_act(row, repo.agent_row(actor).id, repo)
            self.apply_state(repo, row, state, actor, events, reason)
            return repo.ticket_view(row)

    def set_priority(self, number: str, priority: str, *, actor: str | None = None) -> Ticket:
        """Change the priority (``P1``..``P4`` or a configured name)."""
        if not priority.strip():
            raise BadValue("give a priority (P1..P4 or a configured name)")
        level = self._priority(priority)
        with self._change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            self._known_actor(repo, actor)
            if row.priority != level:
                old, row.priority = row.priority, level
                repo.history(row, actor, "priority", old=old, new=level)
                self.sla.on_priority(repo, row)
                repo.touch(row)
                if self.hooks.wants("ticket_changed"):
                    events.append(
                        ("ticket_changed", TicketChanged(repo.ticket_view(row), "priority", old, level, actor))
                    )
            return repo.ticket_view(row)

    def move(self, number: str, queue: str, *, actor: str | None = None) -> Ticket:
        """Move the ticket to another (existing) queue."""
        with self._change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            target = repo.queue_row(queue)
            self._known_actor(repo, actor)
            if row.queue_id != target.id:
                old = repo.queue_name(row.queue_id)
                row.queue_id = target.id
                repo.history(row, actor, "queue", old=old, new=queue)
                repo.touch(row)
                if self.hooks.wants("ticket_changed"):
                    events.append(("ticket_changed", TicketChanged(repo.ticket_view(row), "queue", old, queue, actor)))
            return repo.ticket_view(row)

    def merge(self, number: str, into: str, *, actor: str | None = None) -> Ticket:
        """Merge ticket ``number`` into ``into``: articles and time move, both histories stay."""
        if number == into:
            raise BadValue("cannot merge a ticket into itself")
        with self._change() as (repo, events):
            source = repo.ticket_row(number, for_update=True)
            target = repo.ticket_row(into, for_update=True)
            self._known_actor(repo, actor)
            for row in (source, target):
                if row.state_type == "merged":
                    raise DomainError(f"ticket {row.number} is already merged")
            moved = repo.move_articles(source, target)
            repo.move_time(source, target)
            merged_state = self.settings.first_state("merged")
            old_state = source.state
            source.state, source.state_type = merged_state, "merged"
            source.merged_into_id = target.id
            source.locked_by_id = None
            self.sla.on_state(repo, source, "merged", repo.now)
            repo.history(source, actor, "merged_into", old=old_state, new=target.number)
            repo.history(target, actor, "merged_from", new=source.number, reason=f"{moved} articles moved")
            repo.touch(source)
            repo.touch(target)
            repo.flush()
            if self.hooks.wants("ticket_changed"):
                events.append(
                    (
                        "ticket_changed",
                        TicketChanged(repo.ticket_view(source), "merge", source.number, target.number, actor),
                    )
                )
            if self.hooks.wants("ticket_changed"):
                events.append(
                    (
                        "ticket_changed",
                        TicketChanged(repo.ticket_view(target), "merge", source.number, target.number, actor),
                    )
                )
            return repo.ticket_view(target, full=True)

    def escalate(self, number: str, *, to: int, reason: str, actor: str | None = None) -> Ticket:
        """Hand the ticket to support line ``to`` (1-3) with a reason in its history."""
        if to not in (1, 2, 3):
            raise BadValue(f"support line must be 1, 2 or 3, got {to}")
        if not reason.strip():
            raise BadValue("an escalation needs a reason")
        with self._change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            self._known_actor(repo, actor)
            if row.line != to:
                old, row.line = row.line, to
                repo.history(row, actor, "line", old=old, new=to, reason=reason)
                repo.touch(row)
                if self.hooks.wants("ticket_changed"):
                    events.append(
                        (
                            "ticket_changed",
                            TicketChanged(repo.ticket_view(row), "line", str(old), str(to), actor, reason),
                        )
                    )
            return repo.ticket_view(row)

    def estimate(self, number: str, *, hours: Any = None, approve: bool = False, actor: str | None = None) -> Estimate:
        """Set (``hours``) and/or approve a ticket's estimate; changing hours needs a new approval."""
        if hours is not None:
            try:
                check_amount(Decimal(hours), maximum=MAX_ESTIMATE_HOURS, places=2)
            except (ValueError, ArithmeticError) as exc:
                raise BadValue(f"estimate hours: {exc}") from None
        with self.store.write() as repo:
            row = repo.ticket_row(number, for_update=True)
            self._known_actor(repo, actor)
            before = repo.estimate(row)
            repo.set_estimate(row, hours, approve, actor)
            repo.flush()
            after = repo.estimate(row)
            if before is None or before.hours != after.hours:
                repo.history(row, actor, "estimate", old=before.hours if before else None, new=after.hours)
            if after.approved and not (before and before.approved and before.hours == after.hours):
                repo.history(row, actor, "estimate_approved", new=after.hours)
            return after

    def import_tickets(self, tickets: list[Any], *, namespace: str, cursor: tuple[str, str] | None = None) -> Any:
        """Store a batch of :class:`~deskframe.importing.ImportedTicket` in one transaction.

        Idempotent: every external id goes into the external-id map, so a re-run adds
        nothing and an interrupted import resumes. No SLA clocks, no notify hooks.
        ``cursor`` ``(key, value)`` is stored in the same transaction as the namespace's
        external id of kind ``"cursor"`` (an importer's resume point commits with its batch).
        """
        from .files import safe_filename

        for ticket in tickets:
            if ticket.state not in self.settings.states:
                raise BadValue(f"imported ticket {ticket.external_id}: unknown state '{ticket.state}'")
            if self.settings.priority_level(ticket.priority) != ticket.priority:
                raise BadValue(
                    f"imported ticket {ticket.external_id}: priority must be P1..P4, got {ticket.priority!r}"
                )

        with self.store.write() as repo:  # small blobs go into the blobs table in this transaction
            counts = repo.import_batch(
                tickets, namespace, state_types=dict(self.settings.states), blobs=self.blobs, safe_name=safe_filename
            )
            if cursor is not None:
                repo.set_external(namespace, "cursor", cursor[0], cursor[1])
            self.blobs.flush()  # blob files durable before the rows that name them commit
            return counts

    # --- SLA -------------------------------------------------------------------
    def clocks(self, number: str, now: dt.datetime | None = None) -> list[ClockView]:
        """The ticket's SLA clocks with working time remaining (negative: overdue)."""
        with self.store.read() as repo:
            return self.sla.views(repo, repo.ticket_row(number), now or self.clock())

    def sla_check(self, now: dt.datetime | None = None) -> CheckResult:
        """Fire SLA warnings and breaches that are due, each exactly once."""
        return self.sla.check(now or self.clock())

    def sla_report(self, customer: str, period: str, now: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Per priority and clock kind: clocks, and how many are met, missed, overdue, running,
        paused, cancelled as of ``now`` (they add up; docs/sla.md), with the median and p90
        working response time of the stopped ones."""
        from zoneinfo import ZoneInfo

        from .sla.report import summarize

        start, end = month_bounds(period)
        zone = ZoneInfo(self.config.timezone)
        begin = dt.datetime.combine(start, dt.time(), zone)
        finish = dt.datetime.combine(end, dt.time(), zone)
        with self.store.read() as repo:
            repo.customer_row(customer)
            rows = repo.clock_report_rows(customer, begin, finish, now or self.clock())
        clocks = []
        for r in rows:
            response = None
            if r.stopped_at is not None and r.status in ("met", "missed"):
                calendar = self.sla.calendar(r.calendar)
                response = calendar.between(r.started_at, r.stopped_at).total_seconds() - r.paused_seconds
            clocks.append(
                {"priority": r.priority, "kind": r.kind, "category": r.category, "response_seconds": response}
            )
        return summarize(clocks)

    def contract(self, key: str) -> Contract:
        """The contract with this id."""
        with self.store.read() as repo:
            return repo.contract(key)

    # --- canned responses --------------------------------------------------
    def next_due(self, number: str) -> dt.datetime | None:
        """The earliest due time of the ticket's running SLA clocks (None without one)."""
        running = [c.due_at for c in self.clocks(number) if c.status == "running"]
        return min(running) if running else None

    def render_canned(
        self, name: str, number: str, agent: str | None = None, values: dict[str, Any] | None = None
    ) -> str:
        """Render canned response ``name`` for a ticket; ``{{ due }}`` is the next SLA due
        time in the desk's time zone; ``values`` overrides or adds placeholders' values."""
        from zoneinfo import ZoneInfo

        body = self.config.canned.get(name)
        if body is None:
            raise NotFound(
                f"unknown canned response '{name}' (known: {', '.join(sorted(self.config.canned)) or 'none'})"
            )
        ticket = self.ticket(number, full=False)
        due = self.next_due(number)
        due_text = due.astimezone(ZoneInfo(self.config.timezone)).strftime("%Y-%m-%d %H:%M") if due else ""
        with self.store.read() as repo:
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

    # --- time ----------------------------------------------------------------
    def log_time(
        self,
        number: str,
        *,
        agent: str,
        minutes: int,
        date: dt.date | None = None,
        note: str = "",
        billable: bool = True,
    ) -> TimeEntry:
        """Record time an agent spent on a ticket; see :func:`deskframe.timesheet.log`."""
        from . import timesheet

        return timesheet.log(self, number, agent=agent, minutes=minutes, date=date, note=note, billable=billable)

    def edit_time(self, entry_id: int, **changes: Any) -> Any:
        """Correct a time entry (``agent`` required); see :mod:`deskframe.timesheet`."""
        from . import timesheet

        return timesheet.edit(self, entry_id, **changes)

    def void_time(self, entry_id: int, *, agent: str, reason: str) -> Any:
        """Void a time entry with a reason; see :mod:`deskframe.timesheet`."""
        from . import timesheet

        return timesheet.void(self, entry_id, agent=agent, reason=reason)

    def time_entries(
        self, *, ticket: str | None = None, customer: str | None = None, period: str | None = None, voided: bool = False
    ) -> list[TimeEntry]:
        """Time entries, optionally of one ticket, customer, or month (``2026-10``);
        voided entries only with ``voided``."""
        from . import timesheet

        return timesheet.entries(self, ticket=ticket, customer=customer, period=period, voided=voided)

    # --- directory -----------------------------------------------------------
    def add_customer(self, customer: Customer) -> str:
        with self.store.write() as repo:
            return repo.upsert_customer(customer)

    def add_contact(self, contact: Contact) -> str:
        with self.store.write() as repo:
            return repo.upsert_contact(contact)

    def add_agent(self, agent: Agent) -> str:
        if agent.line not in (1, 2, 3):
            raise BadValue(f"support line must be 1, 2 or 3, got {agent.line}")
        with self.store.write() as repo:
            return repo.upsert_agent(agent)

    def add_queue(self, queue: Queue) -> str:
        with self.store.write() as repo:
            return repo.upsert_queue(queue)

    def add_contract(self, contract: Contract) -> str:
        self.check_contract(contract)
        with self.store.write() as repo:
            return repo.upsert_contract(contract)

    def check_contract(self, contract: Contract) -> None:
        """A contract must name an SLA policy and pricing model the config defines."""
        from .apply import contract_problems

        for _, problem in contract_problems(self.config, contract):
            raise BadValue(f"contract '{contract.key}': {problem}")

    def upsert_directory(self, entries: list[Any]) -> dict[str, int]:
        """Create or update many customers, contacts, agents, queues and contracts in one
        transaction (importers and ``apply``); returns counts such as ``customers created``."""
        counts: dict[str, int] = {}
        for entry in entries:
            if isinstance(entry, Agent) and entry.line not in (1, 2, 3):
                raise BadValue(f"support line must be 1, 2 or 3, got {entry.line}")
            if isinstance(entry, Contract):
                self.check_contract(entry)
        with self.store.write() as repo:
            upsert = {
                Customer: repo.upsert_customer,
                Contact: repo.upsert_contact,
                Agent: repo.upsert_agent,
                Queue: repo.upsert_queue,
                Contract: repo.upsert_contract,
            }
            sections = {
                Customer: "customers",
                Contact: "contacts",
                Agent: "agents",
                Queue: "queues",
                Contract: "contracts",
            }
            for entry in entries:
                key = f"{sections[type(entry)]} {upsert[type(entry)](entry)}"
                counts[key] = counts.get(key, 0) + 1
        return counts

    def customers(self) -> list[Customer]:
        with self.store.read() as repo:
            return repo.list_customers()

    def contacts(self, customer: str | None = None) -> list[Contact]:
        with self.store.read() as repo:
            return repo.list_contacts(customer)

    def agents(self) -> list[Agent]:
        with self.store.read() as repo:
            return repo.list_agents()

    def queues(self) -> list[tuple[Queue, int]]:
        with self.store.read() as repo:
            return repo.list_queues()

    def contracts(self, customer: str | None = None) -> list[Contract]:
        with self.store.read() as repo:
            return repo.list_contracts(customer)


#: An estimate is at most this many hours (a working year is about 2,000).
MAX_ESTIMATE_HOURS = Decimal(100_000)


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


__all__ = ["ConfigError", "Desk", "month_bounds"]
