"""The directory service: customers, contacts, agents, queues and contracts."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .. import policy
from ..errors import BadValue
from ..model import Agent, Contact, Contract, Customer, Queue
from ..plugin_state import DirectoryLookup

if TYPE_CHECKING:
    from ..actors import Actor
    from .context import ServiceContext

#: The ``apply`` file's section of each kind of directory entry.
SECTIONS: dict[type, str] = {
    Customer: "customers",
    Contact: "contacts",
    Agent: "agents",
    Queue: "queues",
    Contract: "contracts",
}


def _check_line(agent: Agent) -> None:
    if agent.line not in (1, 2, 3):
        raise BadValue(f"support line must be 1, 2 or 3, got {agent.line}")


class DirectoryService:
    """Creates, updates and lists directory entries; each call is one transaction."""

    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    def add_customer(self, customer: Customer, *, actor: Actor) -> str:
        """Create or update a customer; returns ``created``, ``updated`` or ``unchanged``."""
        return self.upsert_one(customer, actor=actor)

    def add_contact(self, contact: Contact, *, actor: Actor) -> str:
        """Create or update a contact (by e-mail)."""
        return self.upsert_one(contact, actor=actor)

    def add_agent(self, agent: Agent, *, actor: Actor) -> str:
        """Create or update an agent (by login); ``line`` must be 1, 2 or 3."""
        return self.upsert_one(agent, actor=actor)

    def add_queue(self, queue: Queue, *, actor: Actor) -> str:
        """Create or update a queue."""
        return self.upsert_one(queue, actor=actor)

    def add_contract(self, contract: Contract, *, actor: Actor) -> str:
        """Create or update a contract; it must name an SLA policy and pricing model the config defines."""
        return self.upsert_one(contract, actor=actor)

    def upsert_one(self, entry: Any, *, actor: Actor) -> str:
        """Create or update one entry of any kind."""
        self._check(entry)
        with self.ctx.store.write() as repo:
            policy.check(actor, "directory.write", repo=repo)
            return str(self._upsert(repo, entry))

    def check_contract(self, contract: Contract) -> None:
        """A contract must name an SLA policy and pricing model the config defines."""
        from ..apply import contract_problems

        for field, problem in contract_problems(self.ctx.config, contract, self.ctx.hooks):
            raise BadValue(
                f"contract '{contract.key}': {field}: {problem}"
                if "." in field
                else f"contract '{contract.key}': {problem}"
            )

    def _check(self, entry: Any) -> None:
        if isinstance(entry, Agent):
            _check_line(entry)
        if isinstance(entry, Contract):
            self.check_contract(entry)

    @staticmethod
    def _upsert(repo: Any, entry: Any) -> str:
        upsert = {
            Customer: repo.upsert_customer,
            Contact: repo.upsert_contact,
            Agent: repo.upsert_agent,
            Queue: repo.upsert_queue,
            Contract: repo.upsert_contract,
        }
        return str(upsert[type(entry)](entry))

    def upsert(self, entries: list[Any], *, actor: Actor) -> dict[str, int]:
        """Create or update many customers, contacts, agents, queues and contracts in one
        transaction (importers and ``apply``); returns counts such as ``customers created``."""
        counts: dict[str, int] = {}
        for entry in entries:
            self._check(entry)
        with self.ctx.store.write() as repo:
            policy.check(actor, "directory.write", repo=repo)
            for entry in entries:
                key = f"{SECTIONS[type(entry)]} {self._upsert(repo, entry)}"
                counts[key] = counts.get(key, 0) + 1
        return counts

    @contextlib.contextmanager
    def lookup(self) -> Iterator[DirectoryLookup]:
        """Read-only directory lookups (the view resolve hooks get)."""
        with self.ctx.store.read() as repo:
            yield DirectoryLookup(repo)

    def customers(self) -> list[Customer]:
        """Every customer by key."""
        with self.ctx.store.read() as repo:
            return repo.list_customers()

    def contacts(self, customer: str | None = None) -> list[Contact]:
        """Contacts, optionally of one customer."""
        with self.ctx.store.read() as repo:
            return repo.list_contacts(customer)

    def agents(self) -> list[Agent]:
        """Every agent by login."""
        with self.ctx.store.read() as repo:
            return repo.list_agents()

    def agent_addresses(self) -> frozenset[str]:
        """Every agent's e-mail address, stripped and in lower case, active or not (what a
        customer's contact is never shown of an article)."""
        with self.ctx.store.read() as repo:
            return repo.agent_addresses()

    def agent(self, login: str) -> Agent:
        """The agent with this login, with its access and queue rights (:class:`NotFound` if none)."""
        with self.ctx.store.read() as repo:
            return repo.agent(login)

    def queues(self, *, actor: Actor | None = None) -> list[tuple[Queue, int]]:
        """Every queue with its number of open tickets. With ``actor``, only the queues it may
        read (an agent with queue rights), counting only the tickets it may see (a contact:
        its customer's, or its own; :func:`deskframe.policy.visibility`)."""
        with self.ctx.store.read() as repo:
            seen = policy.visibility(actor, repo=repo)
            if seen.limited and seen.customer is None:
                return [(queue, 0) for queue, _ in repo.list_queues(queues=seen.queues)]
            return repo.list_queues(
                queues=seen.queues, customer=seen.customer if seen.limited else None, contact=seen.contact
            )

    def may_read_account(self, customer: str, *, actor: Actor | None) -> bool:
        """Whether ``actor`` may see ``customer``'s account documents (:func:`deskframe.policy.may_read_account`:
        agents, and the customer's ``customer_admin`` contacts)."""
        with self.ctx.store.read() as repo:
            return policy.may_read_account(actor, repo=repo, customer=customer)

    def contracts(self, customer: str | None = None) -> list[Contract]:
        """Contracts, optionally of one customer."""
        with self.ctx.store.read() as repo:
            return repo.list_contracts(customer)

    def contract(self, key: str) -> Contract:
        """The contract with this id."""
        with self.ctx.store.read() as repo:
            return repo.contract(key)
