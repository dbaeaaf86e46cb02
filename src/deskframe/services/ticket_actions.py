"""The changes to an existing ticket: replies, notes, articles, locks, owner, customer,
state, priority, queue, merges, escalation and estimates.

:class:`TicketActions` is the part of :class:`~deskframe.services.tickets.TicketService`
that holds them; each method is one transaction, asks :mod:`deskframe.policy` whether its
actor may make the change, records the actor's name in the ticket's history and fires the
notify hooks after the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .. import numbering, policy
from ..billing.model import Estimate
from ..bounds import check_amount
from ..errors import BadValue, DomainError, TicketLocked
from ..events import ArticleAdded, TicketChanged
from ..files import safe_filename
from ..model import Article, InboundAttachment, Ticket
from ..text import clean_line, clean_text
from .context import CLOSED_TYPES

if TYPE_CHECKING:
    from ..actors import Actor
    from ..store import Repository
    from .context import Events, ServiceContext
    from .sla import SlaService

#: An estimate is at most this many hours (a working year is about 2,000).
MAX_ESTIMATE_HOURS = Decimal(100_000)

#: The policy's action for an article of each direction.
ARTICLE_ACTIONS = {"in": "ticket.article", "out": "ticket.answer", "internal": "ticket.internal"}


def check_lock(repo: Repository, row: Any, agent_row: Any) -> None:
    """Refuse (``TicketLocked``, naming the holder) when another agent holds the ticket's lock."""
    if agent_row is not None and row.locked_by_id is not None and row.locked_by_id != agent_row.id:
        raise TicketLocked(row.number, repo.agent_login(row.locked_by_id) or "another agent")


class TicketActions:
    """Changes to existing tickets (see the module); needs ``ctx``, ``sla`` and :meth:`apply_state`."""

    ctx: ServiceContext
    sla: SlaService

    if TYPE_CHECKING:  # provided by TicketService, which extends this class

        def apply_state(
            self, repo: Repository, row: Any, state: str, actor: str | None, events: Events, reason: str | None = None
        ) -> None: ...

        def render_canned(
            self, name: str, number: str, agent: str | None = None, values: dict[str, Any] | None = None
        ) -> str: ...

    def _changed(self, events: Events, repo: Repository, row: Any, *what: Any) -> None:
        """Queue a ``ticket_changed`` event (``what``: field, old, new, actor[, reason])."""
        if self.ctx.hooks.wants("ticket_changed"):
            events.append(("ticket_changed", TicketChanged(repo.ticket_view(row), *what)))

    def _added(self, events: Events, repo: Repository, row: Any, article: Any) -> Article:
        view = repo.article_view(article, attachments=False)
        if self.ctx.hooks.wants("article_added"):
            events.append(("article_added", ArticleAdded(repo.ticket_view(row), view)))
        return view

    # --- articles ------------------------------------------------------------
    def reply(
        self,
        number: str,
        *,
        actor: Actor,
        body: str,
        canned_name: str | None = None,
        html: str | None = None,
        attachments: Sequence[InboundAttachment] = (),
    ) -> Article:
        """An agent's answer to the customer; takes the lock if the ticket is free. ``attachments``
        are stored in the blob store (durably, before the article names them)."""
        if canned_name:
            body = self.render_canned(canned_name, number, actor.login) + (("\n\n" + body) if body else "")
        body = clean_text(body)
        if not body.strip():
            raise BadValue("a reply needs a body")
        settings = self.ctx.settings
        files = [
            (
                safe_filename(a.filename),
                clean_line(a.content_type or "") or "application/octet-stream",
                len(a.data),
                self.ctx.blobs.put(a.data),
            )
            for a in attachments
        ]
        with self.ctx.change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            agent_row = policy.check_agent(actor, "ticket.reply", repo=repo, ticket=row)
            agent = agent_row.login
            check_lock(repo, row, agent_row)
            if repo.lock(row, agent_row):
                repo.history(row, agent, "lock", new=agent)
            if row.owner_id is None:
                row.owner_id = agent_row.id
                repo.history(row, agent, "owner", new=agent)
            if row.state_type == "new":
                self.apply_state(repo, row, settings.first_state("open"), agent, events)
            subject = numbering.tag_subject(settings.subject_hook, row.number, f"Re: {row.subject}")
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
                attachments=files,
            )
            repo.history(row, agent, "reply", new=str(article.id))
            self.sla.on_agent_reply(repo, row, repo.now)
            repo.touch(row)
            return self._added(events, repo, row, article)

    def note(self, number: str, *, actor: Actor, body: str) -> Article:
        """An internal note, never shown to the customer; allowed whoever holds the lock."""
        body = clean_text(body)
        if not body.strip():
            raise BadValue("a note needs a body")
        with self.ctx.change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            agent_row = policy.check_agent(actor, "ticket.note", repo=repo, ticket=row)
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
            repo.history(row, agent_row.login, "note", new=str(article.id))
            repo.touch(row)
            return self._added(events, repo, row, article)

    def add_article(
        self,
        number: str,
        *,
        direction: str,
        body: str,
        actor: Actor,
        subject: str | None = None,
        channel: str | None = None,
        sender: str | None = None,
        visible: bool = True,
        recipients: tuple[str, ...] = (),
    ) -> Article:
        """Append an article of any direction (phone calls, imports, plugin messages); an agent
        actor is the article's agent, a contact actor writes as the customer (``in`` only)."""
        if direction not in ("in", "out", "internal"):
            raise BadValue(f"unknown direction '{direction}' (known: in, out, internal)")
        body, subject = clean_text(body), clean_line(subject) if subject is not None else None
        with self.ctx.change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            agent_row = policy.check(actor, ARTICLE_ACTIONS[direction], repo=repo, ticket=row)
            if actor.kind == "contact":
                sender = sender or actor.name
            if agent_row and direction == "out":
                check_lock(repo, row, agent_row)
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
            name = actor.history_name
            repo.history(row, name, "article", new=str(article.id))
            if direction == "in" and row.state_type in (*CLOSED_TYPES[:2], "pending"):
                self.apply_state(repo, row, self.ctx.settings.first_state("open"), name, events)
            if direction == "in":
                self.sla.on_customer_message(repo, row, repo.now)
            elif direction == "out" and visible and agent_row is not None:
                self.sla.on_agent_reply(repo, row, repo.now)
            repo.touch(row)
            return self._added(events, repo, row, article)

    def annotate(
        self, number: str, action: str, *, actor: Actor, new: str | None = None, reason: str | None = None
    ) -> None:
        """Record a plugin's event in the ticket's history (a delivery failure, a call logged ...)."""
        if not action.strip():
            raise BadValue("a history entry needs an action")
        with self.ctx.store.write() as repo:
            row = repo.ticket_row(number)
            policy.check(actor, "ticket.annotate", repo=repo, ticket=row)
            repo.history(row, actor.history_name, action[:50], new=new, reason=reason)

    def mark_sent(
        self,
        article_id: int,
        *,
        message_id: str,
        actor: Actor,
        recipients: tuple[str, ...] = (),
        channel: str | None = None,
    ) -> None:
        """Record that a channel delivered an outbound article: its Message-ID (so replies
        thread by References) and recipients, with a ``sent`` history entry."""
        with self.ctx.store.write() as repo:
            article = repo.article_row(article_id)
            row = repo.ticket_row_by_id(article.ticket_id)
            policy.check(actor, "ticket.sent", repo=repo, ticket=row)
            article.message_id = message_id
            if recipients:
                article.recipients = list(recipients)
            repo.history(
                row,
                actor.history_name,
                "sent",
                new=str(article_id),
                reason=f"via {channel or article.channel or 'channel'} to {', '.join(recipients) or '-'}",
            )

    # --- lock and owner --------------------------------------------------------
    def lock(self, number: str, *, actor: Actor) -> Ticket:
        """Lock the ticket to the acting agent; fails naming the holder if another agent has it."""
        with self.ctx.change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            agent_row = policy.check_agent(actor, "ticket.lock", repo=repo, ticket=row)
            agent = agent_row.login
            if repo.lock(row, agent_row):
                repo.history(row, agent, "lock", new=agent)
                repo.touch(row)
                self._changed(events, repo, row, "lock", None, agent, agent)
            return repo.ticket_view(row)

    def unlock(self, number: str, *, actor: Actor, force: bool = False, reason: str | None = None) -> Ticket:
        """Release the lock: by its holder, or by any agent with ``force`` and a reason."""
        with self.ctx.change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            agent_row = policy.check_agent(actor, "ticket.unlock", repo=repo, ticket=row)
            agent = agent_row.login
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
            self._changed(events, repo, row, "unlock", holder, None, agent, reason)
            return repo.ticket_view(row)

    def assign(self, number: str, *, agent: str, actor: Actor) -> Ticket:
        """Make ``agent`` the ticket's owner."""
        with self.ctx.change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            policy.check(actor, "ticket.assign", repo=repo, ticket=row)
            agent_row = repo.agent_row(agent)
            old = repo.agent_login(row.owner_id)
            if row.owner_id != agent_row.id:
                row.owner_id = agent_row.id
                name = actor.history_name
                repo.history(row, name, "owner", old=old, new=agent)
                repo.touch(row)
                self._changed(events, repo, row, "owner", old, agent, name)
            return repo.ticket_view(row)

    def set_customer(self, number: str, customer: str, *, actor: Actor) -> Ticket:
        """Give a ticket (from an unknown sender) its customer afterwards.

        The contract is resolved as for a new ticket, on the day the ticket was opened;
        SLA clocks follow the contract's policy (:meth:`SlaService.on_contract`); the
        ticket's unbilled time goes to that contract's next invoice run. A ticket of
        another customer is refused; naming its own customer again re-resolves the contract.
        """
        with self.ctx.change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            policy.check(actor, "ticket.customer", repo=repo, ticket=row)
            name = actor.history_name
            customer_row = repo.customer_row(customer)
            old = repo.customer_key(row.customer_id)
            if old is not None and old != customer:
                raise DomainError(f"ticket {number} belongs to customer {old}")
            if row.state_type == "merged":
                raise DomainError(f"ticket {number} is merged into another ticket")
            contract = repo.active_contract_row(customer, self.ctx.local_date(row.created_at))
            if old == customer and row.contract_id == (contract.id if contract else None):
                return repo.ticket_view(row)
            old_contract = repo.contract_by_id(row.contract_id) if row.contract_id else None
            row.customer_id, row.contract_id = customer_row.id, contract.id if contract else None
            if old != customer:
                repo.history(row, name, "customer", old=old, new=customer)
            repo.history(
                row,
                name,
                "contract",
                old=old_contract.key if old_contract else None,
                new=contract.key if contract else None,
            )
            self.sla.on_contract(repo, row, repo.now)
            repo.touch(row)
            self._changed(events, repo, row, "customer", old, customer, name)
            return repo.ticket_view(row)

    # --- state, priority, queue ------------------------------------------------
    def set_state(self, number: str, state: str, *, actor: Actor, reason: str | None = None) -> Ticket:
        """Move the ticket to a configured state (``merged`` only through :meth:`merge`)."""
        if self.ctx.state_type(state) == "merged":
            raise BadValue("use 'ticket merge' to merge tickets")
        with self.ctx.change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            if row.state_type == "merged":
                raise DomainError(f"ticket {number} is merged into another ticket")
            check_lock(repo, row, policy.check(actor, "ticket.state", repo=repo, ticket=row))
            self.apply_state(repo, row, state, actor.history_name, events, reason)
            return repo.ticket_view(row)

    def set_priority(self, number: str, priority: str, *, actor: Actor) -> Ticket:
        """Change the priority (``P1``..``P4`` or a configured name)."""
        if not priority.strip():
            raise BadValue("give a priority (P1..P4 or a configured name)")
        level = self.ctx.priority(priority)
        with self.ctx.change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            policy.check(actor, "ticket.priority", repo=repo, ticket=row)
            if row.priority != level:
                old, row.priority = row.priority, level
                name = actor.history_name
                repo.history(row, name, "priority", old=old, new=level)
                self.sla.on_priority(repo, row)
                repo.touch(row)
                self._changed(events, repo, row, "priority", old, level, name)
            return repo.ticket_view(row)

    def move(self, number: str, queue: str, *, actor: Actor) -> Ticket:
        """Move the ticket to another (existing) queue."""
        with self.ctx.change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            target = repo.queue_row(queue)
            policy.check(actor, "ticket.move", repo=repo, ticket=row, queue=queue)
            if row.queue_id != target.id:
                old = repo.queue_name(row.queue_id)
                row.queue_id = target.id
                name = actor.history_name
                repo.history(row, name, "queue", old=old, new=queue)
                repo.touch(row)
                self._changed(events, repo, row, "queue", old, queue, name)
            return repo.ticket_view(row)

    # --- merge, escalation, estimate --------------------------------------------
    def merge(self, number: str, into: str, *, actor: Actor) -> Ticket:
        """Merge ticket ``number`` into ``into``: articles and time move, both histories stay."""
        if number == into:
            raise BadValue("cannot merge a ticket into itself")
        with self.ctx.change() as (repo, events):
            source = repo.ticket_row(number, for_update=True)
            target = repo.ticket_row(into, for_update=True)
            policy.check(actor, "ticket.merge", repo=repo, ticket=source)
            policy.check(actor, "ticket.merge", repo=repo, ticket=target)
            name = actor.history_name
            for row in (source, target):
                if row.state_type == "merged":
                    raise DomainError(f"ticket {row.number} is already merged")
            moved = repo.move_articles(source, target)
            repo.move_time(source, target)
            merged_state = self.ctx.settings.first_state("merged")
            old_state = source.state
            source.state, source.state_type = merged_state, "merged"
            source.merged_into_id = target.id
            source.locked_by_id = None
            self.sla.on_state(repo, source, "merged", repo.now)
            repo.history(source, name, "merged_into", old=old_state, new=target.number)
            repo.history(target, name, "merged_from", new=source.number, reason=f"{moved} articles moved")
            repo.touch(source)
            repo.touch(target)
            repo.flush()
            self._changed(events, repo, source, "merge", source.number, target.number, name)
            self._changed(events, repo, target, "merge", source.number, target.number, name)
            return repo.ticket_view(target, full=True)

    def escalate(self, number: str, *, to: int, reason: str, actor: Actor) -> Ticket:
        """Hand the ticket to support line ``to`` (1-3) with a reason in its history."""
        if to not in (1, 2, 3):
            raise BadValue(f"support line must be 1, 2 or 3, got {to}")
        if not reason.strip():
            raise BadValue("an escalation needs a reason")
        with self.ctx.change() as (repo, events):
            row = repo.ticket_row(number, for_update=True)
            policy.check(actor, "ticket.escalate", repo=repo, ticket=row)
            if row.line != to:
                old, row.line = row.line, to
                name = actor.history_name
                repo.history(row, name, "line", old=old, new=to, reason=reason)
                repo.touch(row)
                self._changed(events, repo, row, "line", str(old), str(to), name, reason)
            return repo.ticket_view(row)

    def estimate(self, number: str, *, actor: Actor, hours: Any = None, approve: bool = False) -> Estimate:
        """Set (``hours``) and/or approve a ticket's estimate; changing hours needs a new approval."""
        if hours is not None:
            try:
                check_amount(Decimal(hours), maximum=MAX_ESTIMATE_HOURS, places=2)
            except (ValueError, ArithmeticError) as exc:
                raise BadValue(f"estimate hours: {exc}") from None
        with self.ctx.store.write() as repo:
            row = repo.ticket_row(number, for_update=True)
            policy.check(actor, "ticket.estimate", repo=repo, ticket=row)
            name = actor.history_name
            before = repo.estimate(row)
            repo.set_estimate(row, hours, approve, name)
            repo.flush()
            after = repo.estimate(row)
            if after is None:  # set_estimate wrote it just now
                raise AssertionError(f"ticket {number}: estimate not stored")
            if before is None or before.hours != after.hours:
                repo.history(row, name, "estimate", old=before.hours if before else None, new=after.hours)
            if after.approved and not (before and before.approved and before.hours == after.hours):
                repo.history(row, name, "estimate_approved", new=after.hours)
            return after
