"""Customers, contacts, agents, queues and contracts: create-or-update by key."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable
from typing import Any

import attrs
from sqlalchemy import bindparam, delete, or_, select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..model import Agent, Contact, Contract, Customer, Queue
from .account_repo import put_queue_rights, queue_rights
from .rows import AgentRow, ContactRow, ContractRow, CustomerDomainRow, CustomerRow, QueueRow
from .ticket_repo import dialect_insert
from .worklist_repo import counts_by_queue

#: The agent row of ``login`` (built once: the policy asks for the acting agent at every request).
_AGENT_BY_LOGIN = select(AgentRow).where(AgentRow.login == bindparam("login"))


def phone_digits(phone: str | None) -> str | None:
    """The digits of a phone number, for matching (``+7 495 123-45-67`` -> ``74951234567``)."""
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone)
    return digits or None


@attrs.frozen
class ContactFacts:
    """What the policy decides a contact's rights by: its row's ``id``, ``customer_id`` (None:
    no customer) and ``customer_admin``."""

    id: int
    customer_id: int | None
    customer_admin: bool


class DirectoryRepo:
    """Directory data access; every write is create-or-update, never a duplicate."""

    session: Session
    now: dt.datetime

    # --- customers ---------------------------------------------------------
    def customer_row(self, key: str) -> CustomerRow:
        row = self.session.scalar(select(CustomerRow).where(CustomerRow.key == key))
        if row is None:
            raise NotFound(f"unknown customer '{key}'")
        return row

    def upsert_customer(self, customer: Customer) -> str:
        row = self.session.scalar(select(CustomerRow).where(CustomerRow.key == customer.key))
        result = "unchanged"
        if row is None:
            row = CustomerRow(
                key=customer.key,
                name=customer.name,
                created_at=self.now,
                inn=customer.inn,
                kpp=customer.kpp,
                address=customer.address,
            )
            self.session.add(row)
            self.session.flush()
            result = "created"
        elif (row.name, row.inn, row.kpp, row.address) != (customer.name, customer.inn, customer.kpp, customer.address):
            row.name, row.inn, row.kpp, row.address = customer.name, customer.inn, customer.kpp, customer.address
            result = "updated"
        domains = sorted({d.lower() for d in customer.domains})
        current = sorted(
            self.session.scalars(select(CustomerDomainRow.domain).where(CustomerDomainRow.customer_id == row.id))
        )
        if domains != current:
            self.session.execute(delete(CustomerDomainRow).where(CustomerDomainRow.customer_id == row.id))
            self.session.execute(delete(CustomerDomainRow).where(CustomerDomainRow.domain.in_(domains)))
            self.session.add_all(CustomerDomainRow(domain=d, customer_id=row.id) for d in domains)
            result = "updated" if result == "unchanged" else result
        return result

    def _customer(self, row: CustomerRow) -> Customer:
        domains = self.session.scalars(
            select(CustomerDomainRow.domain)
            .where(CustomerDomainRow.customer_id == row.id)
            .order_by(CustomerDomainRow.domain)
        )
        return Customer(
            key=row.key, name=row.name, domains=tuple(domains), inn=row.inn, kpp=row.kpp, address=row.address
        )

    def customer(self, key: str) -> Customer | None:
        row = self.session.scalar(select(CustomerRow).where(CustomerRow.key == key))
        return self._customer(row) if row else None

    def list_customers(self) -> list[Customer]:
        return [self._customer(r) for r in self.session.scalars(select(CustomerRow).order_by(CustomerRow.key))]

    def customer_by_domain(self, domain: str) -> Customer | None:
        row = self.session.scalar(
            select(CustomerRow).join(CustomerDomainRow).where(CustomerDomainRow.domain == domain.lower())
        )
        return self._customer(row) if row else None

    def customers_by_domains(self, domains: Iterable[str]) -> dict[str, Customer]:
        """Customers owning these mail domains (lower-cased), for many domains in few queries."""
        wanted = sorted({d.lower() for d in domains if d})
        found: dict[str, Customer] = {}
        for start in range(0, len(wanted), 500):
            rows = self.session.execute(
                select(CustomerDomainRow.domain, CustomerRow)
                .join(CustomerRow)
                .where(CustomerDomainRow.domain.in_(wanted[start : start + 500]))
            )
            for domain, row in rows:
                found[domain] = self._customer(row)
        return found

    # --- contacts ----------------------------------------------------------
    def upsert_contact(self, contact: Contact) -> str:
        self.__dict__.pop("_contact_facts", None)  # what keep_contact kept may change now
        customer_id = self.customer_row(contact.customer).id if contact.customer else None
        email = contact.email.strip().lower() if contact.email else None
        if email:
            row = self.session.scalar(select(ContactRow).where(ContactRow.email == email))
        else:
            row = self.session.scalar(
                select(ContactRow).where(
                    ContactRow.email.is_(None),
                    ContactRow.name == contact.name,
                    ContactRow.customer_id.is_(None) if customer_id is None else ContactRow.customer_id == customer_id,
                )
            )
        values = dict(
            name=contact.name,
            email=email,
            phone=contact.phone,
            phone_digits=phone_digits(contact.phone),
            customer_id=customer_id,
        )
        if contact.customer_admin is not None:
            values["customer_admin"] = contact.customer_admin
        if row is None:
            self.session.add(ContactRow(created_at=self.now, **values))
            self.session.flush()
            return "created"
        changed = False
        for key, value in values.items():
            if key in ("phone", "phone_digits") and value is None:
                continue
            if getattr(row, key) != value:
                setattr(row, key, value)
                changed = True
        return "updated" if changed else "unchanged"

    def _contact(self, row: ContactRow) -> Contact:
        customer = self.session.get(CustomerRow, row.customer_id) if row.customer_id else None
        return Contact(
            name=row.name,
            email=row.email,
            phone=row.phone,
            customer=customer.key if customer else None,
            customer_admin=row.customer_admin,
        )

    def contact_view(self, row: ContactRow) -> Contact:
        """The :class:`Contact` value of a contact row."""
        return self._contact(row)

    def contact_rows_by_emails(self, emails: Iterable[str]) -> dict[str, ContactRow]:
        """Contacts by lower-cased e-mail address, for many addresses in few queries."""
        wanted = sorted({e.strip().lower() for e in emails if e and e.strip()})
        found: dict[str, ContactRow] = {}
        for start in range(0, len(wanted), 500):
            for row in self.session.scalars(
                select(ContactRow).where(ContactRow.email.in_(wanted[start : start + 500]))
            ):
                if row.email:  # always: selected by address
                    found[row.email] = row
        return found

    def contact_row_by_email(self, email: str) -> ContactRow | None:
        return self.session.scalar(select(ContactRow).where(ContactRow.email == email.strip().lower()))

    def keep_contact(self, row: Any) -> None:
        """Keep what a contact's row says (``row``: a Core row with the columns ``contact_email``,
        ``contact_id``, ``contact_name``, ``contact_phone``, ``contact_customer_id``,
        ``contact_customer_admin`` and ``contact_customer``, its customer's key), read in this
        transaction by another statement (the API token's), for :meth:`contact_by_email` and
        :meth:`contact_facts` in this transaction: the policy's look-ups of the calling contact
        then read nothing. :meth:`upsert_contact` forgets it."""
        contact = Contact(
            name=row.contact_name,
            email=row.contact_email,
            phone=row.contact_phone,
            customer=row.contact_customer,
            customer_admin=row.contact_customer_admin,
        )
        facts = ContactFacts(row.contact_id, row.contact_customer_id, bool(row.contact_customer_admin))
        self.__dict__.setdefault("_contact_facts", {})[row.contact_email] = (facts, contact)

    def _kept_contact(self, email: str) -> tuple[ContactFacts, Contact] | None:
        """What :meth:`keep_contact` kept of this e-mail address's contact in this transaction."""
        kept: tuple[ContactFacts, Contact] | None = self.__dict__.get("_contact_facts", {}).get(email.strip().lower())
        return kept

    def contact_by_email(self, email: str) -> Contact | None:
        kept = self._kept_contact(email)
        if kept is not None:
            return kept[1]
        row = self.contact_row_by_email(email)
        return self._contact(row) if row else None

    def contact_facts(self, email: str) -> ContactFacts | None:
        """The id, customer id and ``customer_admin`` of the contact with this e-mail address
        (what the policy decides by), or None: kept by :meth:`keep_contact`, else read."""
        kept = self._kept_contact(email)
        if kept is not None:
            return kept[0]
        row = self.contact_row_by_email(email)
        return ContactFacts(row.id, row.customer_id, bool(row.customer_admin)) if row else None

    def contact_row_by_phone(self, phone: str) -> ContactRow | None:
        digits = phone_digits(phone)
        if not digits:
            return None
        return self.session.scalar(
            select(ContactRow).where(ContactRow.phone_digits == digits).order_by(ContactRow.id).limit(1)
        )

    def contact_by_phone(self, phone: str) -> Contact | None:
        row = self.contact_row_by_phone(phone)
        return self._contact(row) if row else None

    def list_contacts(self, customer: str | None = None) -> list[Contact]:
        query = select(ContactRow).order_by(ContactRow.name)
        if customer:
            query = query.where(ContactRow.customer_id == self.customer_row(customer).id)
        return [self._contact(r) for r in self.session.scalars(query)]

    # --- agents ------------------------------------------------------------
    def agent_row(self, login: str) -> AgentRow:
        """The agent's row; a second call in the same transaction takes it from the session's
        identity map (the policy asks for the acting agent at every check) instead of the database."""
        known: dict[str, AgentRow] = self.__dict__.setdefault("_agent_rows", {})
        cached = known.get(login)
        live = cached is not None and cached in self.session and cached not in self.session.deleted
        if live and cached is not None and cached.login == login:
            return cached
        row = self.session.scalar(_AGENT_BY_LOGIN, {"login": login})
        if row is None:
            raise NotFound(f"unknown agent '{login}'")
        known[login] = row  # held here: the session's identity map holds its rows weakly
        return row

    def keep_agent(self, row: Any, rights: dict[str, str]) -> None:
        """Keep what an agent's row says (``row``: a Core row with the columns ``login``,
        ``name``, ``role``, ``line``, ``email``, ``access`` and ``active`` of the agents table)
        and its queue rights (queue name -> access, by queue name), read in this transaction by
        another statement (the API token's), for :meth:`agent` and :meth:`agent_active` in this
        transaction: the policy's look-ups of the calling agent then read nothing (and build no
        ORM entity). :meth:`agent_row` still reads the ORM row when asked for it."""
        agent = self._agent(row, dict(rights))
        self.__dict__.setdefault("_agent_facts", {})[row.login] = (bool(row.active), agent)

    def agent_active(self, login: str) -> bool:
        """Whether agent ``login`` is active (:class:`NotFound` if there is no such agent): from
        what :meth:`keep_agent` kept in this transaction, else from :meth:`agent_row`."""
        kept = self.__dict__.get("_agent_facts", {}).get(login)
        return kept[0] if kept is not None else bool(self.agent_row(login).active)

    def upsert_agent(self, agent: Agent) -> str:
        self.__dict__.pop("_agent_rights", None)  # queue rights read before may change now
        self.__dict__.pop("_agent_facts", None)  # as what keep_agent kept
        row = self.session.scalar(select(AgentRow).where(AgentRow.login == agent.login))
        values: dict[str, object] = dict(name=agent.name, role=agent.role, line=agent.line, email=agent.email)
        if agent.access is not None:
            values["access"] = agent.access
        if row is None:
            row = AgentRow(login=agent.login, active=True, **values)
            self.session.add(row)
            self.session.flush()
            if agent.queues:
                put_queue_rights(self.session, row.id, agent.queues)
            return "created"
        changed = [k for k, v in values.items() if getattr(row, k) != v]
        for key in changed:
            setattr(row, key, values[key])
        if agent.queues is not None and put_queue_rights(self.session, row.id, agent.queues):
            changed.append("queues")
        return "updated" if changed else "unchanged"

    @staticmethod
    def _agent(row: Any, queues: dict[str, str]) -> Agent:
        """The :class:`Agent` an agents-table row says (an ``AgentRow`` or a Core row with its
        columns), with ``queues`` as its queue rights."""
        return Agent(
            login=row.login,
            name=row.name,
            role=row.role,
            line=row.line,
            email=row.email,
            access=row.access,
            queues=queues,
        )

    def agent(self, login: str) -> Agent:
        kept = self.__dict__.get("_agent_facts", {}).get(login)
        if kept is not None:  # read with the API token (keep_agent): a copy, as below
            return attrs.evolve(kept[1], queues=dict(kept[1].queues or {}))
        row = self.agent_row(login)
        rights: dict[int, dict[str, str]] = self.__dict__.setdefault("_agent_rights", {})
        if row.id not in rights:  # read once per transaction (upsert_agent forgets them)
            rights[row.id] = queue_rights(self.session, [row.id])[row.id]
        return self._agent(row, dict(rights[row.id]))

    def list_agents(self) -> list[Agent]:
        rows = list(self.session.scalars(select(AgentRow).order_by(AgentRow.login)))
        rights = queue_rights(self.session, [r.id for r in rows])
        return [self._agent(r, rights[r.id]) for r in rows]

    def agent_addresses(self) -> frozenset[str]:
        """Every agent's e-mail address, stripped and in lower case (one column, no rows built)."""
        found = self.session.scalars(select(AgentRow.email).where(AgentRow.email.is_not(None)))
        return frozenset(mail.strip().lower() for mail in found if mail and mail.strip())

    # --- queues ------------------------------------------------------------
    def queue_row(self, name: str, *, create: bool = False) -> QueueRow:
        row = self.session.scalar(select(QueueRow).where(QueueRow.name == name))
        if row is None:
            if not create:
                raise NotFound(f"unknown queue '{name}'")
            # another process may create the same queue at the same moment (PostgreSQL): insert
            # unless it exists, then read whichever row won
            self.session.execute(
                dialect_insert(self.session)(QueueRow)
                .values(name=name, description="")
                .on_conflict_do_nothing(index_elements=["name"])
            )
            row = self.session.scalars(select(QueueRow).where(QueueRow.name == name)).one()
        return row

    def upsert_queue(self, queue: Queue) -> str:
        row = self.session.scalar(select(QueueRow).where(QueueRow.name == queue.name))
        if row is None:
            self.session.add(QueueRow(name=queue.name, description=queue.description))
            self.session.flush()
            return "created"
        if row.description != queue.description:
            row.description = queue.description
            return "updated"
        return "unchanged"

    def list_queues(
        self,
        *,
        queues: Collection[str] | None = None,
        customer: str | None = None,
        contact: str | None = None,
    ) -> list[tuple[Queue, int]]:
        """Queues with their open tickets' count; ``queues`` (unless None): only these queues;
        ``customer`` (a key) and ``contact`` (an e-mail): count only such tickets."""
        counts = counts_by_queue(
            self.session, state_types=("new", "open", "pending"), customer=customer, contact=contact
        )
        query = select(QueueRow).order_by(QueueRow.name)
        if queues is not None:
            query = query.where(QueueRow.name.in_(list(queues)))
        return [(Queue(r.name, r.description), counts.get(r.id, 0)) for r in self.session.scalars(query)]

    # --- contracts ---------------------------------------------------------
    def upsert_contract(self, contract: Contract) -> str:
        customer_id = self.customer_row(contract.customer).id
        values = dict(
            customer_id=customer_id,
            support_type=contract.support_type,
            sla=contract.sla,
            pricing=contract.pricing,
            params=dict(contract.params),
            channels=list(contract.channels),
            lines=list(contract.lines),
            start_date=contract.start,
            end_date=contract.end,
        )
        row = self.session.scalar(select(ContractRow).where(ContractRow.key == contract.key))
        if row is None:
            self.session.add(ContractRow(key=contract.key, **values))
            self.session.flush()
            return "created"
        changed = [k for k, v in values.items() if getattr(row, k) != v]
        for key in changed:
            setattr(row, key, values[key])
        return "updated" if changed else "unchanged"

    def contract_value(self, row: ContractRow) -> Contract:
        """The :class:`Contract` value of a contract row (its customer's key read through the session)."""
        customer = self.session.get_one(CustomerRow, row.customer_id)
        return Contract(
            key=row.key,
            customer=customer.key,
            support_type=row.support_type,
            sla=row.sla,
            pricing=row.pricing,
            params=dict(row.params or {}),
            channels=tuple(row.channels or ()),
            lines=tuple(row.lines or (1, 2, 3)),
            start=row.start_date,
            end=row.end_date,
        )

    def contract_row(self, key: str) -> ContractRow:
        row = self.session.scalar(select(ContractRow).where(ContractRow.key == key))
        if row is None:
            raise NotFound(f"unknown contract '{key}'")
        return row

    def contract_by_id(self, contract_id: int) -> Contract | None:
        row = self.session.get(ContractRow, contract_id)
        return self.contract_value(row) if row else None

    def contract(self, key: str) -> Contract:
        return self.contract_value(self.contract_row(key))

    def list_contracts(self, customer: str | None = None) -> list[Contract]:
        query = select(ContractRow).order_by(ContractRow.key)
        if customer:
            query = query.where(ContractRow.customer_id == self.customer_row(customer).id)
        return [self.contract_value(r) for r in self.session.scalars(query)]

    def active_contract(self, customer: str, on: dt.date | None = None) -> Contract | None:
        row = self.active_contract_row(customer, on)
        return self.contract_value(row) if row else None

    def active_contract_row(self, customer: str, on: dt.date | None = None) -> ContractRow | None:
        day = on or self.now.date()
        return self.session.scalar(
            select(ContractRow)
            .join(CustomerRow, ContractRow.customer_id == CustomerRow.id)
            .where(CustomerRow.key == customer)
            .where(or_(ContractRow.start_date.is_(None), ContractRow.start_date <= day))
            .where(or_(ContractRow.end_date.is_(None), ContractRow.end_date >= day))
            .order_by(ContractRow.start_date.desc(), ContractRow.id.desc())
            .limit(1)
        )
