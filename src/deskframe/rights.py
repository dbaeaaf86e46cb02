"""What an account may do, as pure functions of its stored facts (no database, no I/O).

* an agent with ``access = "admin"`` may do everything;
* an agent with ``access = "agent"`` has, per queue, ``read``, ``write`` or no right: without a
  right on a queue it sees neither the queue's tickets nor their counts;
* a contact sees its own tickets, or every ticket of its customer when it is a
  ``customer_admin``; never another customer's, never internal notes or time entries.

The policy module asks these functions; the CLI, the API and the web all go through it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from .model import Agent, Contact

#: Queue rights, weakest first.
QUEUE_RIGHTS = ("read", "write")


def _frozen_map(value: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(value or {}))


@attrs.frozen
class Rights:
    """The rights of one account: ``kind`` is ``agent`` or ``contact``, ``name`` its login or e-mail.

    Agents: ``admin`` and ``queues`` (queue name -> ``read``/``write``). Contacts: ``customer``
    (None: at no customer yet) and ``customer_admin``.
    """

    kind: str
    name: str
    admin: bool = False
    queues: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_map)
    customer: str | None = None
    customer_admin: bool = False

    @property
    def role(self) -> str:
        """``admin``, ``agent`` or ``contact``."""
        return "contact" if self.kind == "contact" else ("admin" if self.admin else "agent")

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape: ``{"kind", "name", "role", "queues", "customer", "customer_admin"}``."""
        return {
            "kind": self.kind,
            "name": self.name,
            "role": self.role,
            "queues": dict(self.queues),
            "customer": self.customer,
            "customer_admin": self.customer_admin,
        }


def of_agent(agent: Agent) -> Rights:
    """The rights of an agent as stored (``access``, ``queues``)."""
    return Rights(kind="agent", name=agent.login, admin=agent.access == "admin", queues=agent.queues or {})


def of_contact(contact: Contact) -> Rights:
    """The rights of a contact as stored (its customer, ``customer_admin``)."""
    return Rights(
        kind="contact",
        name=contact.email or contact.name,
        customer=contact.customer,
        customer_admin=bool(contact.customer_admin) and contact.customer is not None,
    )


def queue_right(rights: Rights, queue: str) -> str | None:
    """``write``, ``read`` or None: what the account may do in ``queue`` (admins: ``write``; contacts: None)."""
    if rights.kind != "agent":
        return None
    if rights.admin:
        return "write"
    right = rights.queues.get(queue)
    return right if right in QUEUE_RIGHTS else None


def may_read_queue(rights: Rights, queue: str) -> bool:
    """True if an agent may see the queue's tickets and counts."""
    return queue_right(rights, queue) is not None


def may_write_queue(rights: Rights, queue: str) -> bool:
    """True if an agent may change the queue's tickets (reply, note, lock, move out ...)."""
    return queue_right(rights, queue) == "write"


def readable_queues(rights: Rights, queues: Iterable[str]) -> list[str]:
    """The queues of ``queues`` the account may read, in the given order (contacts: none)."""
    return [q for q in queues if may_read_queue(rights, q)]


def may_see_ticket(rights: Rights, *, queue: str, customer: str | None, contact: str | None) -> bool:
    """True if the account may see a ticket in ``queue`` of ``customer`` opened by ``contact`` (an e-mail).

    Agents: by their right on the queue. Contacts: only their customer's tickets, and of those
    only their own unless they are a customer admin."""
    if rights.kind == "agent":
        return may_read_queue(rights, queue)
    if rights.kind != "contact":
        return False
    own = contact is not None and _same_mail(contact, rights.name)
    if rights.customer is None:  # a contact at no customer yet: its own tickets at no customer
        return own and customer is None
    if customer != rights.customer:
        return False
    return rights.customer_admin or own


def may_see_internal(rights: Rights) -> bool:
    """True if the account may see internal notes, time entries and agents' personal data (agents only)."""
    return rights.kind == "agent"


def may_administer(rights: Rights) -> bool:
    """True for admins: directory writes, tokens of others, the audit log."""
    return rights.kind == "agent" and rights.admin


def _same_mail(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()
