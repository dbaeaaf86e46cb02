"""The directory step of a run: OTRS companies, customer users, users and queues as deskframe's directory.

Rows go through ``desk.upsert_directory`` only when new or different, so a re-run writes nothing.
A ticket's customer user that is not in ``customer_user`` becomes a contact here too
(:meth:`DirectorySync.ticket_contact`).
"""

from __future__ import annotations

import collections
from collections.abc import Sequence
from typing import Any

from deskframe import Agent, Contact, Customer, Queue
from deskframe.importing import ImportedArticle

from . import mapping
from .acting import ACTOR
from .lookups import Lookups
from .report import Report, strip_nul
from .source import Source

#: a contact created by name in this run: ``("named", name, customer key or None)``, or
#: ``("sender", login, e-mail)`` for a login no customer user has, kept under its sender's address
ContactKey = tuple[str, str, str | None]


class DirectorySync:
    """Customers, contacts, agents and queues of one run; ``counts`` says what was created, updated, unchanged."""

    def __init__(self, desk: Any, src: Source, report: Report, *, dry_run: bool) -> None:
        self.desk = desk
        self.src = src
        self.report = report
        self.dry_run = dry_run
        self.counts: dict[str, collections.Counter] = {
            k: collections.Counter() for k in ("customers", "contacts", "agents", "queues")
        }
        #: the OTRS ``customer_id`` values that are customers here (a ticket's customer is one of them or none)
        self.company_keys: set[str] = set()
        self._pending: list[Any] = []
        self._named_contacts: set[ContactKey] = set()

    def _put(self, kind: str, current: Any, wanted: Any) -> None:
        if current == wanted:
            self.counts[kind]["unchanged"] += 1
            return
        self.counts[kind]["created" if current is None else "updated"] += 1
        if not self.dry_run:
            self._pending.append(wanted)

    def _flush_directory(self) -> None:
        """Write the directory changes collected so far in one transaction."""
        if self._pending:
            self.desk.directory.upsert(self._pending, actor=ACTOR)
            self._pending = []

    def sync(self, lookups: Lookups) -> None:
        """Write the source's companies, customer users, users and queues that are new or changed."""
        desk = self.desk
        customers = {c.key: c for c in desk.directory.customers()}
        for rows in self.src.companies(500):
            for r in rows:
                key = strip_nul(mapping.text_of(r["customer_id"])).strip()
                if not key:
                    self.report.skip("customer_company", repr(r["customer_id"]), "empty customer_id")
                    continue
                self.company_keys.add(key)
                name = strip_nul(mapping.text_of(r.get("name"))).strip() or key
                current = customers.get(key)
                wanted = Customer(key=key, name=name, domains=current.domains if current else ())
                self._put("customers", current, wanted)
        del customers
        self._flush_directory()  # contacts refer to these customers

        contacts = desk.directory.contacts()
        by_email = {c.email: c for c in contacts if c.email}
        self._named_contacts = {("named", c.name, c.customer) for c in contacts if not c.email}
        del contacts
        owners: dict[str, str] = {}
        for rows in self.src.customer_users(500):
            for r in rows:
                self._contact(r, by_email, owners)
            self._flush_directory()
        del by_email, owners

        agents = {a.login: a for a in desk.directory.agents()}
        for u in lookups.user_rows:
            login = strip_nul(mapping.text_of(u["login"])).strip()
            if not login:
                self.report.skip("users", u["id"], "empty login")
                continue
            name = (
                strip_nul(
                    " ".join(
                        p
                        for p in (
                            mapping.text_of(u.get("first_name")).strip(),
                            mapping.text_of(u.get("last_name")).strip(),
                        )
                        if p
                    )
                )
                or login
            )
            current = agents.get(login)
            email = lookups.user_emails.get(u["id"]) or (current.email if current else None)
            agent = Agent(
                login=login,
                name=name,
                role=current.role if current else "engineer",
                line=current.line if current else 1,
                email=email,
            )
            self._put("agents", current, agent)

        queues = {q.name: q for q, _ in desk.directory.queues()}
        for q in lookups.queue_rows:
            name = strip_nul(lookups.queue_names[q["id"]]).strip()
            if not name:
                self.report.skip("queue", q["id"], "empty queue name")
                continue
            queue = Queue(name=name, description=strip_nul(mapping.text_of(q.get("comments"))).strip())
            self._put("queues", queues.get(name), queue)
        self._flush_directory()

    def _contact(self, r: dict[str, Any], by_email: dict[str, Contact], owners: dict[str, str]) -> None:
        login = strip_nul(mapping.text_of(r["login"])).strip()
        if not login:
            self.report.skip("customer_user", r.get("id", "?"), "empty login")
            return
        company = strip_nul(mapping.text_of(r.get("customer_id"))).strip()
        customer = company if company in self.company_keys else None
        name = (
            strip_nul(
                " ".join(
                    p
                    for p in (mapping.text_of(r.get("first_name")).strip(), mapping.text_of(r.get("last_name")).strip())
                    if p
                )
            )
            or login
        )
        phone = strip_nul(mapping.text_of(r.get("phone")).strip() or mapping.text_of(r.get("mobile")).strip()) or None
        email = mapping.address(strip_nul(mapping.text_of(r.get("email"))))
        if email:
            email = email.lower()
            if email in owners and owners[email] != login:
                self.report.warn(
                    "customer_user",
                    login,
                    f"shares the e-mail {email} with customer user "
                    f"{owners[email]!r}; both are the one contact of that address",
                )
                return
            owners[email] = login
            current = by_email.get(email)
            if current is not None:  # keep what was set here and OTRS does not know
                phone = phone or current.phone
                customer = customer or current.customer
            wanted = Contact(name=name, email=email, phone=phone, customer=customer)
            self._put("contacts", current, wanted)
            return
        key = ("named", name, customer)
        if key in self._named_contacts:
            self.counts["contacts"]["unchanged"] += 1
            return
        self._remember(key)
        self._put("contacts", None, Contact(name=name, phone=phone, customer=customer))

    def ticket_contact(
        self,
        tid: Any,
        r: dict[str, Any],
        customer: str | None,
        customer_users: dict[str, dict[str, Any]],
        articles: Sequence[ImportedArticle],
    ) -> str | None:
        """The ticket's contact e-mail; a login that names no customer user is kept as a named contact."""
        login = strip_nul(mapping.text_of(r.get("customer_user_id"))).strip()
        if not login:
            return None
        row = customer_users.get(login)
        if row is not None:
            email = mapping.address(strip_nul(mapping.text_of(row.get("email"))))
            if email:
                return email.lower()
            return None  # a contact without e-mail: created by name in the directory step
        as_address = mapping.address(login)
        if as_address:
            return as_address.lower()
        # a login no customer_user has: keep it as a contact named after it
        sender = next((a.sender for a in articles if a.direction == "in" and a.sender), None)
        if sender:
            email = sender.lower()
            key: ContactKey = ("sender", login, email)
            if key not in self._named_contacts:
                with self.desk.directory.lookup() as lookup:
                    exists = lookup.contact_by_email(email) is not None
                if not exists:
                    if not self.dry_run:
                        self.desk.directory.add_contact(
                            Contact(name=login, email=email, customer=customer), actor=ACTOR
                        )
                    self.counts["contacts"]["created"] += 1
                self._remember(key)
            return email
        key = ("named", login, customer)
        if key not in self._named_contacts:
            if not self.dry_run:
                self.desk.directory.add_contact(Contact(name=login, customer=customer), actor=ACTOR)
            self.counts["contacts"]["created"] += 1
            self._remember(key)
        self.report.warn(
            "ticket",
            tid,
            f"customer user {login!r} is not in customer_user and has no e-mail; "
            "kept as a named contact, not linked to the ticket",
        )
        return None

    def _remember(self, key: ContactKey) -> None:
        if len(self._named_contacts) > 100_000:  # bounded memory on pathological sources
            self._named_contacts.clear()
        self._named_contacts.add(key)
