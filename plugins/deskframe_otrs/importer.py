"""The import run: directory first, then tickets in id order, one transaction per batch.

* Directory rows (``customer_company``, ``customer_user``, ``users``, ``queue``) go
  through ``desk.add_*`` only when new or different, so a re-run writes nothing.
* Tickets are read in keyset pages of ``batch`` ids with their articles, raw mail,
  attachments, history and time, mapped to :class:`~deskframe.importing.ImportedTicket`
  and stored with :meth:`Desk.import_tickets` (one transaction, idempotent through the
  external-id map). The batch's last OTRS ticket id is kept as a cursor in that same
  transaction, so a run killed midway continues after the last committed batch.
  A batch's source queries share one connection (:meth:`Source.batch`).
* ``--since`` re-reads every ticket changed (or given an article, history row or time
  entry) since a date, whatever the cursor says; the core adds only what is new and
  updates the ticket's state, owner, queue ...
* A row that cannot be mapped is reported with its OTRS id and reason; a ticket the
  core refuses is isolated by splitting its batch and reported; the run goes on.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import re
import time as _time
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from deskframe import Agent, Contact, Customer, InboundAttachment, Queue
from deskframe.errors import StorageError
from deskframe.importing import ImportCounts, ImportedArticle, ImportedHistory, ImportedTicket, ImportedTime
from deskframe.text import clean_line, clean_text

from . import limits, mail, mapping, sla
from .options import Options
from .source import Layout, Source, detect

#: Test hook: seconds to sleep after each committed batch (lets a test kill a run midway).
PAUSE_ENV = "DESKFRAME_OTRS_BATCH_PAUSE"
#: How many skipped rows / warnings are kept with their ids (all are counted).
KEEP = 1000
_HTML_BODY_NAME = re.compile(r"^file-\d+(\.html?)?$", re.IGNORECASE)
_FS_SIDECARS = (".content_type", ".content_id", ".content_alternative", ".disposition")


def _clean(text: str | None) -> str:
    """Text a database will take: no NUL characters (PostgreSQL refuses them)."""
    return (text or "").replace("\x00", "")


@attrs.define
class Report:
    """Rows not imported (``skipped``) and rows imported with a repair (``warnings``)."""

    skipped: list[tuple[str, str, str]] = attrs.field(factory=list)
    warnings: list[tuple[str, str, str]] = attrs.field(factory=list)
    skipped_total: int = 0
    warnings_total: int = 0
    reasons: collections.Counter = attrs.field(factory=collections.Counter)
    #: implausible time entries: (otrs id, ticket number, units, minutes, reason)
    implausible: list[tuple[str, str, str, int, str]] = attrs.field(factory=list)
    implausible_total: int = 0

    def skip(self, kind: str, ident: Any, reason: str) -> None:
        self.skipped_total += 1
        self.reasons[f"skipped {kind}"] += 1
        if len(self.skipped) < KEEP:
            self.skipped.append((kind, str(ident), reason))

    def warn(self, kind: str, ident: Any, reason: str) -> None:
        self.warnings_total += 1
        if len(self.warnings) < KEEP:
            self.warnings.append((kind, str(ident), reason))

    def implausible_time(self, ident: Any, ticket: str, units: Any, minutes: int, reason: str) -> None:
        self.implausible_total += 1
        if len(self.implausible) < KEEP:
            self.implausible.append((str(ident), ticket, str(units), minutes, reason))


@attrs.define
class Summary:
    """What one run did (or, with ``dry_run``, would do)."""

    source: str
    layout: str
    dry_run: bool
    since: dt.datetime | None
    directory: dict[str, collections.Counter]
    counts: ImportCounts
    tickets_seen: int = 0
    tickets_known: int = 0
    report: Report = attrs.field(factory=Report)
    sla_path: str | None = None
    sla_policies: int = 0
    sla_text: str | None = None
    unthreaded: int = 0
    unthreaded_example: str | None = None
    system_id: str | None = None
    resumed_after: int = 0

    def as_dict(self) -> dict[str, Any]:
        c = self.counts
        return {
            "source": self.source,
            "layout": self.layout,
            "dry_run": self.dry_run,
            "since": self.since.isoformat() if self.since else None,
            "resumed_after_ticket_id": self.resumed_after,
            "directory": {k: dict(v) for k, v in self.directory.items()},
            "tickets": {
                "read": self.tickets_seen,
                "new": c.tickets,
                "updated": c.tickets_updated,
                "already_imported": self.tickets_known,
            },
            "articles": c.articles,
            "attachments": c.attachments,
            "history": c.history,
            "time_entries": c.time_entries,
            "minutes": c.minutes,
            "skipped_total": self.report.skipped_total,
            "skipped": [{"kind": k, "otrs_id": i, "reason": r} for k, i, r in self.report.skipped],
            "warnings_total": self.report.warnings_total,
            "warnings": [{"kind": k, "otrs_id": i, "reason": r} for k, i, r in self.report.warnings],
            "unthreaded_numbers": self.unthreaded,
            "otrs_system_id": self.system_id,
            "sla_suggestions": self.sla_policies,
            "sla_file": self.sla_path,
            "implausible_time_total": self.report.implausible_total,
            "implausible_time": [
                {"otrs_id": i, "ticket": t, "units": u, "minutes": m, "reason": r}
                for i, t, u, m, r in self.report.implausible
            ],
        }


def _is_fatal(exc: BaseException) -> bool:
    """The target database itself failed (not one ticket): stop rather than skip everything."""
    return isinstance(exc, StorageError)


def _core_skip_kind(reason: str) -> str:
    if reason.startswith("ticket number"):
        return "ticket"
    if reason.startswith("attachment"):
        return "article"
    if reason.startswith("time entry"):
        return "time_accounting"
    return "row"


class OtrsImport:
    """One run of ``deskframe import otrs`` against an opened source database."""

    def __init__(
        self,
        desk: Any,
        db: Any,
        options: Options,
        *,
        dry_run: bool = False,
        since: dt.datetime | None = None,
        progress: Callable[[int], Any] | None = None,
        progress_total: Callable[[int], Any] | None = None,
        pause: float | None = None,
    ):
        self.desk = desk
        self.db = db
        self.opts = options
        self.dry_run = dry_run
        self.since = since
        self.zone = ZoneInfo(options.source_timezone)
        self.ns = options.namespace
        self.layout: Layout = detect(db)
        registry = getattr(getattr(desk, "plugins", None), "registry", None)
        channels = getattr(getattr(desk, "config", None), "channels", ()) or ()
        # intake's limits: a message's size (the e-mail channel's max_bytes), an attachment's (the desk's)
        attachment_bytes = (
            getattr(getattr(desk, "blobs", None), "max_bytes", None)
            or getattr(getattr(desk, "config", None), "attachment_max_bytes", None)
            or 25 * 1024 * 1024
        )
        self.max_bytes = mail.size_limit(registry, channels, attachment_bytes)
        self.src = Source(db, self.layout, body_bytes=self.max_bytes, attachment_bytes=attachment_bytes)
        self.report = Report()
        parser = mail.email_parser(registry, channels)
        self.parser = parser.parse
        if parser.note:
            self.report.warn("import", "-", parser.note)
        self.progress = progress or (lambda n: None)
        self.progress_total = progress_total or (lambda n: None)
        self.pause = float(os.environ.get(PAUSE_ENV, "0") or 0) if pause is None else pause
        self.directory: dict[str, collections.Counter] = {
            k: collections.Counter() for k in ("customers", "contacts", "agents", "queues")
        }
        self.counts = ImportCounts()
        self.tickets_seen = 0
        self.tickets_known = 0
        self.unthreaded = 0
        self.unthreaded_example: str | None = None
        self._warned: set[str] = set()
        self._pending_directory: list[Any] = []
        self._named_contacts: set[tuple[str, str, str | None]] = set()
        self._company_keys: set[str] = set()
        self._known: dict[str, set[str]] = {}

    # --- the run ------------------------------------------------------------------------
    def run(self) -> Summary:
        self._lookups()
        self._sync_directory()
        resumed_after = self._import_tickets()
        self._orphans()
        slas = self.src.slas()
        text, policies = sla.snippet(slas, self._queue_rows)
        system_id = self.opts.system_id or self.src.system_id()
        return Summary(
            source=self.db.url,
            layout=self.layout.label,
            dry_run=self.dry_run,
            since=self.since,
            directory=self.directory,
            counts=self.counts,
            tickets_seen=self.tickets_seen,
            tickets_known=self.tickets_known,
            report=self.report,
            sla_policies=policies,
            sla_text=text,
            unthreaded=self.unthreaded,
            unthreaded_example=self.unthreaded_example,
            system_id=system_id,
            resumed_after=resumed_after,
        )

    def _lookups(self) -> None:
        src = self.src
        self.states = src.states()
        self.priorities = {k: v["name"] for k, v in src.lookup("ticket_priority").items()}
        self.locks = {k: v["name"] for k, v in src.lookup("ticket_lock_type").items()}
        self.sender_types = {k: v["name"] for k, v in src.lookup("article_sender_type").items()}
        self.channels = {k: v["name"] for k, v in src.lookup("communication_channel").items()}
        self.article_types = {k: v["name"] for k, v in src.lookup("article_type").items()}
        self.history_types = {k: v["name"] for k, v in src.lookup("ticket_history_type").items()}
        self._queue_rows = src.queues()
        self.queue_names = {q["id"]: mapping.text_of(q["name"]) for q in self._queue_rows}
        self._user_rows = src.users()
        self.logins = {u["id"]: mapping.text_of(u["login"]) for u in self._user_rows}
        self.user_emails = {k: mapping.address(mapping.text_of(v)) for k, v in src.user_emails().items()}

    def _once(self, key: str, kind: str, ident: Any, reason: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.report.warn(kind, ident, reason)

    # --- directory ----------------------------------------------------------------------
    def _put(self, kind: str, current: Any, wanted: Any) -> None:
        if current == wanted:
            self.directory[kind]["unchanged"] += 1
            return
        self.directory[kind]["created" if current is None else "updated"] += 1
        if not self.dry_run:
            self._pending_directory.append(wanted)

    def _flush_directory(self) -> None:
        """Write the directory changes collected so far in one transaction."""
        if self._pending_directory:
            self.desk.upsert_directory(self._pending_directory)
            self._pending_directory = []

    def _sync_directory(self) -> None:
        desk = self.desk
        customers = {c.key: c for c in desk.customers()}
        for rows in self.src.companies(500):
            for r in rows:
                key = _clean(mapping.text_of(r["customer_id"])).strip()
                if not key:
                    self.report.skip("customer_company", repr(r["customer_id"]), "empty customer_id")
                    continue
                self._company_keys.add(key)
                name = _clean(mapping.text_of(r.get("name"))).strip() or key
                current = customers.get(key)
                wanted = Customer(key=key, name=name, domains=current.domains if current else ())
                self._put("customers", current, wanted)
        del customers
        self._flush_directory()  # contacts refer to these customers

        contacts = desk.contacts()
        by_email = {c.email: c for c in contacts if c.email}
        self._named_contacts = {("named", c.name, c.customer) for c in contacts if not c.email}
        del contacts
        owners: dict[str, str] = {}
        for rows in self.src.customer_users(500):
            for r in rows:
                self._contact(r, by_email, owners)
            self._flush_directory()
        del by_email, owners

        agents = {a.login: a for a in desk.agents()}
        for u in self._user_rows:
            login = _clean(mapping.text_of(u["login"])).strip()
            if not login:
                self.report.skip("users", u["id"], "empty login")
                continue
            name = (
                _clean(
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
            email = self.user_emails.get(u["id"]) or (current.email if current else None)
            wanted = Agent(
                login=login,
                name=name,
                role=current.role if current else "engineer",
                line=current.line if current else 1,
                email=email,
                access=current.access if current else None,  # rights are deskframe's, not OTRS's: kept
                queues=current.queues if current else None,
            )
            self._put("agents", current, wanted)

        queues = {q.name: q for q, _ in desk.queues()}
        for q in self._queue_rows:
            name = _clean(self.queue_names[q["id"]]).strip()
            if not name:
                self.report.skip("queue", q["id"], "empty queue name")
                continue
            wanted = Queue(name=name, description=_clean(mapping.text_of(q.get("comments"))).strip())
            self._put("queues", queues.get(name), wanted)
        self._flush_directory()

    def _contact(self, r: dict[str, Any], by_email: dict[str, Contact], owners: dict[str, str]) -> None:
        login = _clean(mapping.text_of(r["login"])).strip()
        if not login:
            self.report.skip("customer_user", r.get("id", "?"), "empty login")
            return
        company = _clean(mapping.text_of(r.get("customer_id"))).strip()
        customer = company if company in self._company_keys else None
        name = (
            _clean(
                " ".join(
                    p
                    for p in (mapping.text_of(r.get("first_name")).strip(), mapping.text_of(r.get("last_name")).strip())
                    if p
                )
            )
            or login
        )
        phone = _clean(mapping.text_of(r.get("phone")).strip() or mapping.text_of(r.get("mobile")).strip()) or None
        email = mapping.address(_clean(mapping.text_of(r.get("email"))))
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
            admin = current.customer_admin if current is not None else None  # deskframe's own: kept
            wanted = Contact(name=name, email=email, phone=phone, customer=customer, customer_admin=admin)
            self._put("contacts", current, wanted)
            return
        key = ("named", name, customer)
        if key in self._named_contacts:
            self.directory["contacts"]["unchanged"] += 1
            return
        self._remember(key)
        self._put("contacts", None, Contact(name=name, phone=phone, customer=customer))

    # --- tickets ------------------------------------------------------------------------
    def _pages(self) -> tuple[int, Iterator[list[dict[str, Any]]], int]:
        """(total, pages of ticket rows, cursor the run starts after)."""
        batch = self.opts.batch
        if self.since is not None:
            local_since = self.since.astimezone(self.zone).replace(tzinfo=None)
            ids = self.src.changed_ticket_ids(local_since)

            def by_ids() -> Iterator[list[dict[str, Any]]]:
                for start in range(0, len(ids), batch):
                    yield self.src.tickets_by_id(ids[start : start + batch])

            return len(ids), by_ids(), 0
        cursor = int(self.desk.external_ids.get(self.ns, "cursor", "ticket") or 0)
        return self.src.count_tickets(cursor), self.src.ticket_batches(cursor, batch), cursor

    def _import_tickets(self) -> int:
        if self.dry_run:
            self._known = {
                kind: set(self.desk.external_ids.mapping(self.ns, kind))
                for kind in ("ticket", "article", "history", "time")
            }
        total, pages, cursor = self._pages()
        self.progress_total(total)
        for rows in pages:
            # the resume point commits with the batch (a --since or dry run moves no cursor)
            after = str(rows[-1]["id"]) if self.since is None and not self.dry_run else None
            counts = self._store(self._build(rows), after)
            for ext, reason in counts.skipped:  # the core's reasons, reported as they come (bounded memory)
                self.report.skip(_core_skip_kind(reason), ext, reason)
            counts.skipped = []
            self.counts.add(counts)
            self.tickets_seen += len(rows)
            self.progress(len(rows))
            if self.pause:
                _time.sleep(self.pause)
        self._known = {}
        return cursor

    def _store(self, tickets: list[ImportedTicket], after: str | None = None) -> ImportCounts:
        """Store one batch; ``after`` is the OTRS ticket id the run resumes after once it is stored."""
        if self.dry_run:
            return self._would_store(tickets)
        if not tickets:
            counts = ImportCounts()
        else:
            try:
                return self.desk.import_tickets(
                    tickets, namespace=self.ns, cursor=("ticket", after) if after is not None else None
                )
            except Exception as exc:
                if _is_fatal(exc):
                    raise
                if len(tickets) == 1:
                    self.report.skip(
                        "ticket",
                        tickets[0].external_id,
                        f"ticket {tickets[0].number} not stored: {type(exc).__name__}: {exc}",
                    )
                    counts = ImportCounts()
                else:  # isolate the ticket the core refuses; the rest of the batch is stored
                    half = len(tickets) // 2
                    counts = self._store(tickets[:half])
                    counts.add(self._store(tickets[half:]))
        if after is not None:
            self.desk.external_ids.set(self.ns, "cursor", "ticket", after)
        return counts

    def _would_store(self, tickets: list[ImportedTicket]) -> ImportCounts:
        counts = ImportCounts()
        known = self._known
        for t in tickets:
            if t.external_id in known["ticket"]:
                self.tickets_known += 1
            else:
                counts.tickets += 1
            for a in t.articles:
                if a.external_id not in known["article"]:
                    counts.articles += 1
                    counts.attachments += len(a.attachments)
            counts.history += sum(1 for h in t.history if h.external_id not in known["history"])
            for e in t.time:
                if e.external_id not in known["time"]:
                    counts.time_entries += 1
                    counts.minutes += e.minutes
        return counts

    def _build(self, rows: list[dict[str, Any]]) -> list[ImportedTicket]:
        src = self.src
        ids = [r["id"] for r in rows]
        articles: dict[Any, list[dict[str, Any]]] = collections.defaultdict(list)
        history: dict[Any, list[dict[str, Any]]] = collections.defaultdict(list)
        times: dict[Any, list[dict[str, Any]]] = collections.defaultdict(list)
        logins = sorted({mapping.text_of(r.get("customer_user_id")).strip() for r in rows} - {""})
        with src.batch():  # the batch's queries on one source connection
            for a in src.articles(ids):
                articles[a["ticket_id"]].append(a)
            plains = src.plains(ids)
            attachments = src.attachments(ids)
            chats = src.chats(ids)
            for h in src.history(ids):
                history[h["ticket_id"]].append(h)
            for x in src.time(ids):
                times[x["ticket_id"]].append(x)
            customer_users = src.customer_users_by_login(logins)
        out = []
        for r in rows:
            try:
                ticket = self._ticket(
                    r,
                    articles.get(r["id"], []),
                    plains,
                    attachments,
                    chats,
                    history.get(r["id"], []),
                    times.get(r["id"], []),
                    customer_users,
                )
            except Exception as exc:  # one bad row never stops the run
                self.report.skip("ticket", r["id"], f"cannot be mapped: {type(exc).__name__}: {exc}")
                continue
            if ticket is not None:
                out.append(ticket)
        return out

    def _ticket(
        self,
        r: dict[str, Any],
        article_rows: list[dict[str, Any]],
        plains: dict[Any, Any],
        attachments: dict[Any, list[dict[str, Any]]],
        chats: dict[Any, list[dict[str, Any]]],
        history_rows: list[dict[str, Any]],
        time_rows: list[dict[str, Any]],
        customer_users: dict[str, dict[str, Any]],
    ) -> ImportedTicket | None:
        tid = r["id"]
        number = _clean(mapping.text_of(r.get("tn"))).strip()
        if not number:
            self.report.skip("ticket", tid, "empty ticket number (tn)")
            return None
        settings = self.desk.settings
        if not mapping.number_threads(settings.number_layout, settings.system_id, number):
            self.unthreaded += 1
            self.unthreaded_example = self.unthreaded_example or number

        state_row = self.states.get(r["ticket_state_id"]) or {}
        state, note = mapping.state_for(
            state_row.get("type_name"), state_row.get("name"), settings.states, self.opts.state_map
        )
        if note:
            self._once(f"state:{r['ticket_state_id']}", "ticket_state", r["ticket_state_id"], note)
        priority = self._priority(r.get("ticket_priority_id"))
        queue = self.queue_names.get(r.get("queue_id"))
        if not queue:
            queue = settings.default_queue
            self.report.warn("ticket", tid, f"unknown queue id {r.get('queue_id')}; put in {queue!r}")

        owner_id = r.get("user_id")
        owner = self.logins.get(owner_id)
        locked = (self.locks.get(r.get("ticket_lock_id")) or "").lower() in ("lock", "tmp_lock")
        if owner_id is not None and owner is None:
            self.report.warn("ticket", tid, f"owner user id {owner_id} does not exist; imported without owner")
        if owner_id == self.opts.system_user_id and not locked:
            owner = None
        locked_by = owner if locked else None

        company = _clean(mapping.text_of(r.get("customer_id"))).strip()
        customer = company if company in self._company_keys else None

        articles = []
        for a in article_rows:
            try:
                article = self._article(a, plains.pop(a["id"], None), attachments.get(a["id"], []), chats.get(a["id"]))
            except Exception as exc:
                self.report.skip("article", a["id"], f"cannot be mapped: {type(exc).__name__}: {exc}")
                continue
            if article is not None:
                articles.append(article)
        contact = self._ticket_contact(tid, r, customer, customer_users, articles)

        history = []
        types = []
        for h in history_rows:
            type_name = self.history_types.get(h["history_type_id"])
            name = _clean(mapping.text_of(h.get("name")))
            types.append((type_name, name))
            action, old, new, reason = mapping.history_entry(type_name, name)
            history.append(
                ImportedHistory(
                    external_id=str(h["id"]),
                    at=self._utc(h["create_time"]),
                    action=action,
                    actor=self.logins.get(h.get("create_by")),
                    old=old,
                    new=new,
                    reason=reason,
                )
            )
        merged_into = None
        if settings.states.get(state) == "merged":
            merged_into = mapping.merge_target(types, number)
            if merged_into is None:
                self.report.warn(
                    "ticket",
                    tid,
                    "merged ticket without a 'Merged' history entry; imported as merged without a link to its target",
                )

        subjects = {a.external_id: a.subject for a in articles}
        entries = []
        for x in time_rows:
            entry = self._time(x, subjects, number)
            if entry is not None:
                entries.append(entry)

        subject = (
            clean_line(mapping.text_of(r.get("title")) or "").strip()
            or (articles[0].subject if articles else "")
            or "(no subject)"
        )
        return ImportedTicket(
            external_id=str(tid),
            number=number,
            subject=subject,
            state=state,
            priority=priority,
            queue=queue,
            created_at=self._utc(r["create_time"]),
            updated_at=self._utc(r["change_time"]),
            customer=customer,
            contact=contact,
            owner=owner,
            locked_by=locked_by,
            channel=articles[0].channel if articles else None,
            merged_into=merged_into,
            articles=articles,
            history=history,
            time=entries,
        )

    def _utc(self, value: Any) -> dt.datetime:
        return mapping.local_to_utc(value, self.zone)

    def _priority(self, priority_id: Any) -> str:
        settings = self.desk.settings
        name = self.priorities.get(priority_id)
        target, note = mapping.priority_for(name, self.opts.priority_map)
        level = settings.priority_level(target) if target else None
        if level is None:
            level = settings.default_priority
        if note:
            self._once(
                f"priority:{priority_id}", "ticket_priority", priority_id, note if target else f"{note} ({level})"
            )
        return level

    def _ticket_contact(
        self,
        tid: Any,
        r: dict[str, Any],
        customer: str | None,
        customer_users: dict[str, dict[str, Any]],
        articles: Sequence[ImportedArticle],
    ) -> str | None:
        """The ticket's contact e-mail; a login that names no customer user is kept as a named contact."""
        login = _clean(mapping.text_of(r.get("customer_user_id"))).strip()
        if not login:
            return None
        row = customer_users.get(login)
        if row is not None:
            email = mapping.address(_clean(mapping.text_of(row.get("email"))))
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
            key = ("sender", login, email)
            if key not in self._named_contacts:
                with self.desk.lookup() as lookup:
                    exists = lookup.contact_by_email(email) is not None
                if not exists:
                    if not self.dry_run:
                        self.desk.add_contact(Contact(name=login, email=email, customer=customer))
                    self.directory["contacts"]["created"] += 1
                self._remember(key)
            return email
        key = ("named", login, customer)
        if key not in self._named_contacts:
            if not self.dry_run:
                self.desk.add_contact(Contact(name=login, customer=customer))
            self.directory["contacts"]["created"] += 1
            self._remember(key)
        self.report.warn(
            "ticket",
            tid,
            f"customer user {login!r} is not in customer_user and has no e-mail; "
            "kept as a named contact, not linked to the ticket",
        )
        return None

    def _remember(self, key: tuple[str, str, str | None]) -> None:
        if len(self._named_contacts) > 100_000:  # bounded memory on pathological sources
            self._named_contacts.clear()
        self._named_contacts.add(key)

    # --- articles -----------------------------------------------------------------------
    def _article(
        self,
        a: dict[str, Any],
        plain: Any,
        attachment_rows: list[dict[str, Any]],
        chat_rows: list[dict[str, Any]] | None,
    ) -> ImportedArticle | None:
        aid = a["id"]
        sender_type = self.sender_types.get(a.get("article_sender_type_id"))
        if self.layout.generation == "otrs6":
            channel = mapping.channel_for(self.channels.get(a.get("communication_channel_id")))
            visible = bool(a.get("is_visible_for_customer", 1))
        else:
            channel, visible = mapping.otrs5_type(self.article_types.get(a.get("article_type_id")))
        if sender_type not in ("agent", "customer", "system"):
            self._once(
                f"sender:{a.get('article_sender_type_id')}",
                "article_sender_type",
                a.get("article_sender_type_id"),
                f"unknown sender type {sender_type!r}; imported as internal",
            )
        direction, visible = mapping.direction_for(sender_type, visible)

        raw = mapping.stored_bytes(plain) if plain is not None else None
        del plain  # (the caller popped it) a large raw source is held once, as bytes
        fs_dir = self._fs_dir(a)
        if raw is None and fs_dir is not None and (fs_dir / "plain.txt").is_file():
            raw = (fs_dir / "plain.txt").read_bytes()
        if a.get("mime_id") is None and raw is None and not chat_rows:
            self.report.skip("article", aid, "article has no content (no article_data_mime row, no raw source)")
            return None

        body = _clean(mapping.text_of(a.get("a_body")))
        clean_body = bool(body.strip()) and "\ufffd" not in body
        html_part = any(self._is_html_body(x) for x in attachment_rows)
        if raw is not None and len(raw) > self.max_bytes:
            self.report.warn(
                "article",
                aid,
                f"raw source of {len(raw)} bytes is over the size limit of intake "
                f"({self.max_bytes} bytes): kept whole, not parsed",
            )
        reparse = (
            raw is not None
            and len(raw) <= self.max_bytes
            and (
                self.opts.reparse == "always"
                or a.get("mime_id") is None
                or not clean_body
                or (html_part and self.parser is not None)
            )
        )
        parsed = mail.parse(raw, self.parser) if reparse else None
        clean_parse = parsed is not None and bool((parsed.text or "").strip()) and not parsed.problem
        if chat_rows:
            text = "\n".join(
                f"[{c.get('create_time')}] {mapping.text_of(c.get('chat_participant_name'))}: "
                f"{mapping.text_of(c.get('message_text'))}"
                for c in chat_rows
            )
        elif clean_parse and (not clean_body or self.opts.reparse == "always"):
            text = (parsed.text or "").replace("\r\n", "\n")
            if body.strip() and not clean_body:
                self.report.warn(
                    "article", aid, "OTRS's body had undecodable characters; text decoded again from the raw source"
                )
        elif body.strip():
            text = body
            if parsed is not None and parsed.problem:
                self.report.warn("article", aid, f"{parsed.problem}; kept the body OTRS decoded")
            elif not clean_body and raw is None:
                self.report.warn(
                    "article",
                    aid,
                    "OTRS's body has undecodable characters and there is no raw "
                    "source to decode again; imported as it is",
                )
        elif parsed is not None and parsed.text:
            text = parsed.text.replace("\r\n", "\n")
            self.report.warn("article", aid, f"{parsed.problem}; imported with replacement characters")
        else:
            text = body
            if parsed is not None and parsed.problem:
                self.report.warn("article", aid, f"{parsed.problem}; imported without text")
        html = parsed.html if parsed is not None and self.parser is not None else None
        read_chars = a.get("a_body_chars") if text is body else None
        text, cut = limits.cut_text(text, self.max_bytes, read_chars, raw_kept=raw is not None)
        if cut:
            self.report.warn("article", aid, f"{cut} (as intake does)")

        a_from = _clean(mapping.text_of(a.get("a_from"))).strip()
        sender = mapping.address(a_from) or (parsed.sender if parsed else None)
        if not a_from and not sender and not chat_rows:
            self.report.warn(
                "article",
                aid,
                "empty sender"
                + (" (merge article)" if self._is_merge_note(body) else "")
                + "; imported without a sender",
            )
        recipients = mapping.addresses(mapping.text_of(a.get("a_to")), mapping.text_of(a.get("a_cc"))) or (
            parsed.recipients if parsed else ()
        )
        subject = _clean(mapping.text_of(a.get("a_subject"))).strip() or (parsed.subject if parsed else None) or ""
        message_id = next(iter(mapping.message_ids(mapping.text_of(a.get("a_message_id")))), None) or (
            parsed.message_id if parsed else None
        )
        references = mapping.message_ids(
            mapping.text_of(a.get("a_references")), mapping.text_of(a.get("a_in_reply_to"))
        ) or (parsed.references if parsed else ())
        files = self._attachments(aid, attachment_rows, fs_dir, has_html=bool(html), raw_kept=raw is not None)
        agent = self.logins.get(a.get("create_by")) if sender_type == "agent" else None
        return ImportedArticle(
            external_id=str(aid),
            direction=direction,
            created_at=self._utc(a["create_time"]),
            subject=clean_line(subject),
            text=clean_text(text),
            sender=clean_line(sender or "") or None,
            recipients=recipients,
            channel=channel,
            visible=visible,
            message_id=message_id,
            references=references,
            html=_clean(html) or None,
            raw=raw,
            agent=agent,
            attachments=files,
        )

    @staticmethod
    def _is_html_body(x: dict[str, Any]) -> bool:
        """OTRS keeps an HTML mail's body as an inline ``file-N`` text/html attachment."""
        filename = mapping.text_of(x.get("filename")).strip()
        ctype = mapping.text_of(x.get("content_type")).strip().lower()
        disposition = mapping.text_of(x.get("disposition")).strip().lower()
        return (
            ctype.startswith("text/html")
            and _HTML_BODY_NAME.match(filename) is not None
            and disposition in ("", "inline")
        )

    @staticmethod
    def _is_merge_note(body: str) -> bool:
        return "merged" in body.lower()[:300]

    def _fs_dir(self, a: dict[str, Any]) -> Path | None:
        base = self.opts.article_dir
        path = mapping.text_of(a.get("content_path")).strip().strip("/")
        if not base or not path or ".." in path.split("/"):
            return None
        return Path(base) / path / str(a["id"])

    def _attachments(
        self, aid: Any, rows: list[dict[str, Any]], fs_dir: Path | None, has_html: bool, raw_kept: bool = False
    ) -> list[InboundAttachment]:
        out = []
        for x in rows:
            filename = _clean(mapping.text_of(x.get("filename"))).strip() or f"attachment-{x['id']}"
            if x.get("content") is None and (x.get("content_length") or 0) > 0:  # left unread: over the limit
                size = mapping.text_of(x.get("content_size")).strip()
                size = size if size.isdigit() else f"about {x['content_length']}"
                self.report.warn(
                    "article",
                    aid,
                    f"attachment {filename!r} of {size} bytes is over the size limit "
                    f"of intake: not imported" + ("; the raw source keeps it" if raw_kept else ""),
                )
                continue
            ctype = _clean(mapping.text_of(x.get("content_type"))).strip() or "application/octet-stream"
            html_body = self._is_html_body(x)
            if html_body and has_html:
                continue  # the HTML body, already the article's html
            if html_body and "." not in filename:
                filename += ".html"
            data = mapping.stored_bytes(x.get("content"))
            out.append(InboundAttachment(filename=filename, content_type=ctype, data=data or b""))
        if not rows and fs_dir is not None and fs_dir.is_dir():
            for path in sorted(fs_dir.iterdir()):
                if path.name == "plain.txt" or path.name.endswith(_FS_SIDECARS) or not path.is_file():
                    continue
                side = path.with_name(path.name + ".content_type")
                ctype = side.read_text("utf-8", "replace").strip() if side.is_file() else "application/octet-stream"
                out.append(
                    InboundAttachment(
                        filename=path.name, content_type=ctype or "application/octet-stream", data=path.read_bytes()
                    )
                )
        return out

    # --- time -------------------------------------------------------------------------
    def _time(self, x: dict[str, Any], subjects: dict[str, str], number: str = "") -> ImportedTime | None:
        units = Decimal(str(x["time_unit"]))
        minutes = mapping.minutes_for(units, self.opts.unit_minutes)
        if not limits.storable(minutes):
            self.report.skip(
                "time_accounting", x["id"], f"{units} unit(s) = {minutes} minutes: more than one time entry can hold"
            )
            return None
        if minutes == 0:
            self.report.skip(
                "time_accounting", x["id"], f"{units} unit(s) is 0 minutes (unit_minutes = {self.opts.unit_minutes})"
            )
            return None
        agent = self.logins.get(x.get("create_by"))
        if agent is None:
            self.report.skip("time_accounting", x["id"], f"booked by unknown user id {x.get('create_by')}")
            return None
        problem = limits.time_problem(minutes)
        if problem:
            self.report.implausible_time(x["id"], number, units, minutes, f"{problem}; imported as is")
        when = self._utc(x["create_time"]).astimezone(self.zone)
        note = subjects.get(str(x.get("article_id")), "") if x.get("article_id") is not None else ""
        return ImportedTime(
            external_id=str(x["id"]),
            agent=agent,
            minutes=minutes,
            work_date=when.date(),
            note=_clean(note)[:500],
            billable=True,
            already_billed=self.opts.already_billed,
        )

    # --- rows of no ticket --------------------------------------------------------------
    def _orphans(self) -> None:
        for a in self.src.orphan_articles():
            self.report.skip("article", a["id"], f"orphan article: ticket {a['ticket_id']} does not exist")
        for x in self.src.orphan_time():
            self.report.skip(
                "time_accounting",
                x["id"],
                f"orphan time ({x['time_unit']} units): ticket {x['ticket_id']} does not exist",
            )
