"""Who may do what: the one permission check of every service operation that changes data.

Every changing operation calls :func:`check` with its :class:`~deskframe.actors.Actor`, the
action's name (``"ticket.reply"``, ``"time.log"`` ...; see :data:`ACTIONS`) and what it acts
on; a refusal raises :class:`~deskframe.errors.Forbidden` (exit 1) naming actor and action.
Reads may pass an actor too (:func:`may_read`, :func:`visible_customer`,
:func:`visible_queues`): the same rules then decide what the actor sees.

The rules today:

* the trusted local operator (``Actor.operator()``, the CLI user) may do anything; an
  agent it names must still be a known, active agent;
* an agent must be a known, active agent (the agents table); then it may do anything;
* a customer's contact may open tickets for its own customer, read them and write to them
  as the customer does (an inbound article, a state or priority change); every ticket it
  touches must be its customer's (or, without a customer, its own); it may not write
  notes, log time, lock, assign, merge, move, escalate or change the directory;
* the system and plugins may do what the desk's own work needs, except what only an
  agent does (replies, notes, locks, time entries: these name the agent who did them).

Later rules (an admin role, per-queue read/write rights, contacts with ``customer_admin``)
are added here, in :func:`_agent_may`, :func:`_contact_may` and :func:`visible_queues`,
so the CLI, the API and the web UI keep one permission path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import Forbidden, NotFound

if TYPE_CHECKING:
    from .actors import Actor
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
    "records.write",
)

#: What only an agent does: the change names the agent (an article's sender, a lock's holder, time's author).
AGENT_WORK = frozenset(
    {"ticket.reply", "ticket.note", "ticket.lock", "ticket.unlock", "time.log", "time.edit", "time.void"}
)

#: What a customer's contact may do, on its own customer's tickets only.
CONTACT_MAY = frozenset({"ticket.open", "ticket.read", "ticket.article", "ticket.state", "ticket.priority"})


def check(
    actor: Actor, action: str, *, repo: Repository, ticket: Any = None, customer: str | None = None
) -> AgentRow | None:
    """Raise :class:`Forbidden` unless ``actor`` may do ``action``.

    ``ticket``: the ticket row acted on; ``customer``: the customer key a new ticket is
    for. Returns the acting agent's row when an agent acts (so the operation need not look
    it up again), else None.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if actor.kind == "agent":
        row = _known_agent(actor, action, repo)
        _agent_may(actor, action, row, ticket)
        return row
    if action in AGENT_WORK:
        raise Forbidden(str(actor), action, "only an agent does this")
    if actor.kind == "contact":
        _contact_may(actor, action, repo, ticket, customer)
    return None


def check_agent(actor: Actor, action: str, *, repo: Repository, ticket: Any = None) -> AgentRow:
    """:func:`check` for what only an agent does (:data:`AGENT_WORK`): the acting agent's row."""
    row = check(actor, action, repo=repo, ticket=ticket)
    if row is None:
        raise Forbidden(str(actor), action, "only an agent does this")
    return row


def may_read(actor: Actor | None, *, repo: Repository, ticket: Any) -> bool:
    """Whether ``actor`` (None: the core itself) may see ticket row ``ticket``."""
    if actor is None:
        return True
    try:
        check(actor, "ticket.read", repo=repo, ticket=ticket)
    except Forbidden:
        return False
    return True


def visible_customer(actor: Actor | None, *, repo: Repository) -> tuple[bool, str | None]:
    """``(limited, customer key)``: a contact sees only its customer's tickets (``limited``;
    a contact without a customer lists none, though it may read its own one by one);
    everyone else sees every customer's (``(False, None)``)."""
    if actor is None or actor.kind != "contact":
        return False, None
    contact = _known_contact(actor, "ticket.read", repo)
    return True, repo.customer_key(contact.customer_id)


def visible_queues(actor: Actor | None, *, repo: Repository) -> frozenset[str] | None:
    """The queues ``actor`` may read, or None for all of them (every actor today).

    The hook point for per-queue rights (next issue): once it returns a set for some actors,
    :meth:`TicketService.list` and :meth:`TicketService.search` filter by it as they filter
    a contact's tickets by :func:`visible_customer` today."""
    return None


def _known_agent(actor: Actor, action: str, repo: Repository) -> AgentRow:
    """The agent row of an agent actor: it must exist and be active."""
    try:
        row = repo.agent_row(actor.name)
    except NotFound:
        raise Forbidden(str(actor), action, f"unknown agent '{actor.name}'") from None
    if not row.active:
        raise Forbidden(str(actor), action, f"agent '{actor.name}' is not active")
    return row


def _agent_may(actor: Actor, action: str, row: Any, ticket: Any) -> None:
    """Rules for a known, active agent (none yet: roles and queue rights go here)."""


def _known_contact(actor: Actor, action: str, repo: Repository) -> Any:
    row = repo.contact_row_by_email(actor.name)
    if row is None:
        raise Forbidden(str(actor), action, f"unknown contact '{actor.name}'")
    return row


def _contact_may(actor: Actor, action: str, repo: Repository, ticket: Any, customer: str | None) -> None:
    """A contact acts as the customer: only what a customer does, only on its customer's tickets."""
    if action not in CONTACT_MAY:
        raise Forbidden(str(actor), action, "a customer's contact does not do this")
    contact = _known_contact(actor, action, repo)
    if ticket is not None:
        own = ticket.contact_id == contact.id
        same = contact.customer_id is not None and ticket.customer_id == contact.customer_id
        if not (own or same):
            raise Forbidden(str(actor), action, f"ticket {ticket.number} is not of its customer")
    if customer is not None and customer != repo.customer_key(contact.customer_id):
        raise Forbidden(str(actor), action, f"customer '{customer}' is not its customer")
