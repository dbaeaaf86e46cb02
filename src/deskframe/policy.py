"""Who may do what: the one permission module of every service operation, for the CLI, the API and the web.

Every changing operation calls :func:`check` with its :class:`~deskframe.actors.Actor`, the
action's name (``"ticket.reply"``, ``"time.log"`` ...; see :data:`ACTIONS`) and what it acts
on; a refusal raises :class:`~deskframe.errors.Forbidden` (exit 1) naming actor and action.
:func:`allow` asks the same without handing back the acting agent's row (for reads).
Reads ask the same rules: :func:`may_read` (one ticket), :func:`visibility` (what a list,
a search or a count may show: :func:`visible_customer`, :func:`visible_contact`,
:func:`visible_queues`), :func:`may_see_internal`, :func:`may_see_article` and
:func:`visible_ticket` / :func:`visible_articles` (what of a ticket a customer's contact sees),
and :func:`may_read_account` (a customer's invoices, reviews and reports).

The rules (issue 13; the facts are the agents' ``access`` and queue rights and the contacts'
``customer_admin``, read through :mod:`deskframe.rights`):

* the trusted local operator (``Actor.operator()``, the CLI user, ``console=True``) may do
  anything and sees everything; an agent it names (``--agent LOGIN``) must still be a known,
  active agent, and is trusted whatever its access;
* every other agent (an API token, a web session, a plugin acting for an agent) must be a
  known, active agent, and then:

  - ``access = "admin"``: may do everything;
  - ``access = "agent"`` (the default: an agent without an explicit ``access``, every agent of
    a desk made before roles, and every agent ``agent add`` creates without ``--access``):
    per queue ``read`` (sees the queue's tickets and counts) or ``write`` (also changes them:
    :data:`TICKET_WRITES`; ``ticket.open`` and ``ticket.move`` also need ``write`` on the
    target queue, ``ticket.merge`` on both tickets' queues); without a right on a queue it
    sees neither the queue's tickets nor their counts. :data:`ADMIN_ONLY` (directory writes,
    invoices, imports, desk-wide jobs, others' tokens and passwords, the audit log) is for
    admins only;
* a customer's contact may open tickets for its own customer, read them and write to them as
  the customer does (:data:`CONTACT_MAY`); it sees its own tickets, or every ticket of its
  customer when it is a ``customer_admin``, never another customer's; never internal notes,
  time entries or agents' e-mail addresses (:func:`visible_ticket`);
* the system and plugins may do what the desk's own work needs, except what only an
  agent does (replies, notes, locks, time entries: these name the agent who did them).

Refusals of reads say no more than a missing ticket would: the front doors answer 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs

from . import rights as _rights
from .errors import Forbidden, NotFound

if TYPE_CHECKING:
    from .actors import Actor
    from .model import Article, Ticket
    from .store import Repository
    from .store.rows import AgentRow

#: Every action a service asks about, by concept.
ACTIONS: tuple[str, ...] = (
    "ticket.open",
    "ticket.read",
    "ticket.reply",
    "ticket.note",
    "ticket.article",
    "ticket.answer",
    "ticket.internal",
    "ticket.annotate",
    "ticket.sent",
    "ticket.lock",
    "ticket.unlock",
    "ticket.assign",
    "ticket.customer",
    "ticket.state",
    "ticket.priority",
    "ticket.move",
    "ticket.merge",
    "ticket.escalate",
    "ticket.estimate",
    "ticket.import",
    "search.reindex",
    "time.read",
    "time.log",
    "time.edit",
    "time.void",
    "directory.write",
    "sla.check",
    "invoice.run",
    "invoice.issue",
    "invoice.void",
    "invoice.pay",
    "intake.receive",
    "account.password",
    "account.language",
    "token.create",
    "token.list",
    "token.revoke",
    "audit.read",
    "outbox.enqueue",
    "outbox.read",
    "outbox.retry",
    "records.write",
)

#: What only an agent does: the change names the agent (an article's sender, a lock's holder, time's author).
AGENT_WORK = frozenset(
    {"ticket.reply", "ticket.note", "ticket.lock", "ticket.unlock", "time.log", "time.edit", "time.void"}
)

#: What a customer's contact may do, on the tickets it may see only.
CONTACT_MAY = frozenset({"ticket.open", "ticket.read", "ticket.article", "ticket.state", "ticket.priority"})

#: What changes one ticket: an agent with ``access = "agent"`` needs ``write`` on the ticket's queue.
TICKET_WRITES = frozenset(
    {
        "ticket.reply",
        "ticket.note",
        "ticket.article",
        "ticket.answer",
        "ticket.internal",
        "ticket.annotate",
        "ticket.sent",
        "ticket.lock",
        "ticket.unlock",
        "ticket.assign",
        "ticket.customer",
        "ticket.state",
        "ticket.priority",
        "ticket.move",
        "ticket.merge",
        "ticket.escalate",
        "ticket.estimate",
        "time.log",
        "time.edit",
        "time.void",
    }
)

#: What only an admin (or the trusted operator) does: the directory, money, desk-wide jobs,
#: accounts of others (:func:`check` lets an account manage its own tokens and password).
ADMIN_ONLY = frozenset(
    {
        "directory.write",
        "invoice.run",
        "invoice.issue",
        "invoice.void",
        "invoice.pay",
        "ticket.import",
        "search.reindex",
        "sla.check",
        "intake.receive",
        "account.password",
        "account.language",
        "token.create",
        "token.list",
        "token.revoke",
        "audit.read",
        "outbox.enqueue",
        "outbox.read",
        "outbox.retry",
    }
)

#: Account actions an agent or contact may do on its own account (``account=`` is itself).
OWN_ACCOUNT = frozenset({"account.password", "account.language", "token.create", "token.list", "token.revoke"})

#: History entries a customer's contact does not see (they tell of internal work).
INTERNAL_HISTORY = frozenset({"note", "time", "lock", "unlock", "estimate", "estimate_approved"})


@attrs.frozen
class Visibility:
    """What an actor's lists, searches and counts may show (:func:`visibility`).

    ``limited``: only tickets of ``customer`` (a contact; ``customer`` None: none listed);
    ``contact``: only tickets of this contact's e-mail (a contact that is not a customer
    admin); ``queues``: only tickets in these queues (an agent without ``admin``), None: all.
    """

    limited: bool = False
    customer: str | None = None
    contact: str | None = None
    queues: frozenset[str] | None = None

    @property
    def everything(self) -> bool:
        """True when nothing is filtered (the operator, admins, the system)."""
        return not self.limited and self.contact is None and self.queues is None

    def sees(self, *, queue: str | None, customer: str | None, contact: str | None) -> bool:
        """True if a ticket row (queue name, customer key, contact e-mail) may be shown."""
        if self.queues is not None and queue not in self.queues:
            return False
        if self.limited and (self.customer is None or customer != self.customer):
            return False
        return self.contact is None or (contact or "").strip().lower() == self.contact


EVERYTHING = Visibility()


def check(
    actor: Actor,
    action: str,
    *,
    repo: Repository,
    ticket: Any = None,
    customer: str | None = None,
    queue: str | None = None,
    account: tuple[str, str] | None = None,
) -> AgentRow | None:
    """Raise :class:`Forbidden` unless ``actor`` may do ``action``.

    ``ticket``: the ticket row acted on; ``customer``: the customer key a new ticket is
    for; ``queue``: the queue a ticket is opened in or moved to; ``account``: ``(kind, name)``
    of the account an account action (:data:`OWN_ACCOUNT`) concerns. Returns the acting
    agent's row when an agent acts (so the operation need not look it up again), else None.
    """
    allow(actor, action, repo=repo, ticket=ticket, customer=customer, queue=queue, account=account)
    return repo.agent_row(actor.name) if actor.kind == "agent" else None


def allow(
    actor: Actor,
    action: str,
    *,
    repo: Repository,
    ticket: Any = None,
    customer: str | None = None,
    queue: str | None = None,
    account: tuple[str, str] | None = None,
) -> None:
    """:func:`check` without handing back the acting agent's row: the same rules, the same
    :class:`Forbidden`. For reads, which need no row: the calling agent's facts the API read
    with its token (:meth:`~deskframe.store.Repository.keep_agent`) then answer everything,
    with no statement and no ORM entity."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if actor.kind == "agent":
        _known_agent(actor, action, repo)
        if not actor.console:
            _agent_may(actor, action, repo, ticket, queue, account)
        return
    if action in AGENT_WORK:
        raise Forbidden(str(actor), action, "only an agent does this")
    if actor.kind == "contact":
        _contact_may(actor, action, repo, ticket, customer, account)


def check_agent(actor: Actor, action: str, *, repo: Repository, ticket: Any = None) -> AgentRow:
    """:func:`check` for what only an agent does (:data:`AGENT_WORK`): the acting agent's row."""
    row = check(actor, action, repo=repo, ticket=ticket)
    if row is None:
        raise Forbidden(str(actor), action, "only an agent does this")
    return row


def may_read(actor: Actor | None, *, repo: Repository, ticket: Any) -> bool:
    """Whether ``actor`` (None: the core itself) may see ticket row ``ticket``.

    False for an unknown or inactive account too: the front doors then answer as for a
    ticket that does not exist (404), so a refusal tells nothing of the ticket."""
    if actor is None:
        return True
    try:
        allow(actor, "ticket.read", repo=repo, ticket=ticket)
    except Forbidden:
        return False
    return True


def may_read_account(actor: Actor | None, *, repo: Repository, customer: str) -> bool:
    """Whether ``actor`` may see customer ``customer``'s account documents (invoices, account
    reviews, reports: what the customer page and the portal's customer admins see).

    Everyone but a contact may (an unknown or inactive agent may not); a contact only when it is a
    ``customer_admin`` of ``customer``. False, never an error: the front doors answer 404."""
    try:
        rights = rights_of(actor, repo=repo)
    except Forbidden:
        return False
    if rights is None or rights.kind == "agent":
        return True
    return rights.customer_admin and rights.customer == customer


def rights_of(actor: Actor | None, *, repo: Repository) -> _rights.Rights | None:
    """The stored rights of an agent or contact actor (:class:`~deskframe.rights.Rights`);
    None for the trusted operator, the system, plugins and None. Raises :class:`Forbidden` for
    an unknown or inactive agent and an unknown contact."""
    if actor is None or actor.console or actor.kind not in ("agent", "contact"):
        return None
    if actor.kind == "agent":
        _known_agent(actor, "ticket.read", repo)
        return _rights.of_agent(repo.agent(actor.name))
    contact = repo.contact_by_email(actor.name)
    if contact is None:
        raise Forbidden(str(actor), "ticket.read", f"unknown contact '{actor.name}'")
    return _rights.of_contact(contact)


def visibility(actor: Actor | None, *, repo: Repository) -> Visibility:
    """What ``actor``'s ticket lists, searches and counts may show (:class:`Visibility`).

    Everything for None, the operator, the system, plugins and admins; an agent: the queues
    it has a right on; a contact: its customer's tickets, and only its own unless it is a
    ``customer_admin``. Raises :class:`Forbidden` for an unknown or inactive account."""
    rights = rights_of(actor, repo=repo)
    if rights is None or (rights.kind == "agent" and rights.admin):
        return EVERYTHING
    if rights.kind == "agent":
        return Visibility(queues=frozenset(q for q in rights.queues if _rights.may_read_queue(rights, q)))
    return Visibility(
        limited=True, customer=rights.customer, contact=None if rights.customer_admin else rights.name.lower()
    )


def visible_customer(actor: Actor | None, *, repo: Repository) -> tuple[bool, str | None]:
    """``(limited, customer key)``: a contact sees only its customer's tickets (``limited``;
    a contact without a customer lists none, though it may read its own one by one);
    everyone else sees every customer's (``(False, None)``)."""
    seen = visibility(actor, repo=repo)
    return seen.limited, seen.customer


def visible_contact(actor: Actor | None, *, repo: Repository) -> str | None:
    """The e-mail address whose tickets alone ``actor`` may list (a contact that is not a
    ``customer_admin``), else None (no filter by contact)."""
    return visibility(actor, repo=repo).contact


def visible_queues(actor: Actor | None, *, repo: Repository) -> frozenset[str] | None:
    """The queues whose tickets and counts ``actor`` may see, or None for all of them.

    An agent without ``admin`` access: the queues it has ``read`` or ``write`` on (maybe none);
    everyone else (the operator, admins, the system, plugins, contacts, whom
    :func:`visible_customer` limits): None."""
    return visibility(actor, repo=repo).queues


def may_see_internal(actor: Actor | None) -> bool:
    """True if ``actor`` may see internal notes, time entries, internal history and agents'
    e-mail addresses: everyone but a customer's contact."""
    return actor is None or actor.kind != "contact"


def may_see_article(actor: Actor | None, article: Article) -> bool:
    """True if ``actor`` may see ``article`` (and download its attachments) on a ticket it may
    read (:func:`may_read`): a contact not an internal note or an article hidden from the customer."""
    return may_see_internal(actor) or (article.visible_to_customer and article.direction != "internal")


def visible_articles(actor: Actor | None, articles: Iterable[Article]) -> tuple[Article, ...]:
    """The articles of a ticket ``actor`` may see: a contact gets only those visible to the
    customer, without the sending agent's e-mail address (the desk's channel sent them)."""
    if may_see_internal(actor):
        return tuple(articles)
    return tuple(
        attrs.evolve(a, sender=None) if a.agent is not None and a.direction != "in" else a
        for a in articles
        if may_see_article(actor, a)
    )


def visible_ticket(actor: Actor | None, ticket: Ticket) -> Ticket:
    """``ticket`` as ``actor`` may see it (after :func:`check` of ``ticket.read``): for a
    contact, without internal articles, agents' e-mail addresses and history of internal work
    (:data:`INTERNAL_HISTORY`); unchanged for everyone else."""
    if may_see_internal(actor):
        return ticket
    history = tuple(h for h in ticket.history if h.action not in INTERNAL_HISTORY)
    return attrs.evolve(ticket, articles=visible_articles(actor, ticket.articles), history=history)


def _known_agent(actor: Actor, action: str, repo: Repository) -> None:
    """An agent actor must be a known, active agent."""
    try:
        active = repo.agent_active(actor.name)
    except NotFound:
        raise Forbidden(str(actor), action, f"unknown agent '{actor.name}'") from None
    if not active:
        raise Forbidden(str(actor), action, f"agent '{actor.name}' is not active") from None


def _own_account(actor: Actor, action: str, account: tuple[str, str] | None) -> bool:
    return action in OWN_ACCOUNT and account is not None and account == (actor.kind, actor.name)


def _agent_may(
    actor: Actor, action: str, repo: Repository, ticket: Any, queue: str | None, account: tuple[str, str] | None
) -> None:
    """Rules for a known, active agent that is not the trusted operator: admin, or queue rights."""
    rights = _rights.of_agent(repo.agent(actor.name))
    if rights.admin or _own_account(actor, action, account):
        return
    if action in ADMIN_ONLY:
        raise Forbidden(str(actor), action, "only an admin does this")
    if action == "time.read" and ticket is None:
        return  # a list of time entries: filtered by visible_queues
    need = "read" if action in ("ticket.read", "time.read") else "write"
    queues = [repo.queue_name(ticket.queue_id)] if ticket is not None else []
    if queue is not None and action in ("ticket.open", "ticket.move"):
        queues.append(queue)
    if not queues:
        raise Forbidden(str(actor), action, "names no ticket or queue its rights could allow")
    for name in queues:
        allowed = _rights.may_read_queue if need == "read" else _rights.may_write_queue
        if name is None or not allowed(rights, name):
            raise Forbidden(str(actor), action, f"no {need} right on queue '{name}'")


def _known_contact(actor: Actor, action: str, repo: Repository) -> Any:
    row = repo.contact_facts(actor.name)
    if row is None:
        raise Forbidden(str(actor), action, f"unknown contact '{actor.name}'")
    return row


def _contact_may(
    actor: Actor,
    action: str,
    repo: Repository,
    ticket: Any,
    customer: str | None,
    account: tuple[str, str] | None,
) -> None:
    """A contact acts as the customer: only what a customer does, only on the tickets it may see."""
    if _own_account(actor, action, account):
        _known_contact(actor, action, repo)
        return
    if action not in CONTACT_MAY:
        raise Forbidden(str(actor), action, "a customer's contact does not do this")
    contact = _known_contact(actor, action, repo)
    if ticket is not None:
        own = ticket.contact_id == contact.id
        if contact.customer_id is None:
            seen = own and ticket.customer_id is None
        else:
            seen = ticket.customer_id == contact.customer_id and (own or bool(contact.customer_admin))
        if not seen:
            why = "is not its own" if ticket.customer_id == contact.customer_id else "is not of its customer"
            raise Forbidden(str(actor), action, f"ticket {ticket.number} {why}")
    if customer is not None and customer != repo.customer_key(contact.customer_id):
        raise Forbidden(str(actor), action, f"customer '{customer}' is not its customer")
