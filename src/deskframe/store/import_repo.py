"""Batch import of another system's tickets: idempotent through the external-id map.

A batch costs a fixed number of statements, whatever its size: ``IN`` lookups of
the external ids already mapped and of the directory ids, then one executemany
per table (tickets, articles, attachments, history, time entries, blobs,
external ids). Row ids are taken up front (SQLite: after the largest id, under
the write lock every write transaction takes at BEGIN; PostgreSQL: from the
table's sequence), so no table needs a RETURNING round trip per row. Small raw
mails and attachments go into the ``blobs`` table in the same transaction
(see :class:`~deskframe.store.blobs.BlobStore`); no ORM object is built per row
(only for a contact or queue a batch has to create).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from ..importing import ImportCounts, ImportedArticle, ImportedTicket
from ..model import Contact
from .blobs import BlobStore, BlobTooLarge, insert_rows
from .rows import (
    AgentRow,
    ArticleRow,
    AttachmentRow,
    ContactRow,
    ContractRow,
    CustomerRow,
    ExternalIdRow,
    HistoryRow,
    QueueRow,
    TicketRow,
    TimeEntryRow,
    table_of,
)
from .search import index_articles

CHUNK = 500
#: Ticket columns an import run (re-)writes; a re-run compares them and updates what changed.
_TICKET_FIELDS = (
    "subject",
    "state",
    "state_type",
    "priority",
    "queue_id",
    "customer_id",
    "contact_id",
    "contract_id",
    "owner_id",
    "locked_by_id",
    "updated_at",
)


class _Batch:
    """What one batch is writing: ticket ids by external id, new external ids, blobs for the table."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.ticket_ids: dict[str, int] = {}
        self.new_ids: list[dict[str, Any]] = []
        self.blobs: dict[str, bytes] = {}

    def mapped(self, kind: str, external_id: str, local_id: Any) -> None:
        self.new_ids.append(
            {"namespace": self.namespace, "kind": kind, "external_id": external_id, "local_id": str(local_id)}
        )


class ImportRepo:
    """Stores batches of :class:`~deskframe.importing.ImportedTicket`."""

    session: Session
    now: dt.datetime
    search_languages: tuple[str, ...]

    if TYPE_CHECKING:  # DirectoryRepo's, beside this class in Repository

        def upsert_contact(self, contact: Contact) -> str: ...
        def contact_row_by_email(self, email: str) -> ContactRow | None: ...
        def queue_row(self, name: str, *, create: bool = False) -> QueueRow: ...

    # --- lookups ----------------------------------------------------------------
    def _known(self, namespace: str, kind: str, ids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for start in range(0, len(ids), CHUNK):
            rows = self.session.execute(
                select(ExternalIdRow.external_id, ExternalIdRow.local_id).where(
                    ExternalIdRow.namespace == namespace,
                    ExternalIdRow.kind == kind,
                    ExternalIdRow.external_id.in_(ids[start : start + CHUNK]),
                )
            )
            out.update(rows.all())
        return out

    def _ids(self, column: Any, key: Any, values: Iterable[str | None]) -> dict[str, int]:
        wanted = sorted({v for v in values if v})
        out: dict[str, int] = {}
        for start in range(0, len(wanted), CHUNK):
            out.update(self.session.execute(select(key, column).where(key.in_(wanted[start : start + CHUNK]))).all())
        return out

    def _new_ids(self, table: Table, n: int) -> list[int] | None:
        """``n`` fresh primary keys of ``table``, or None where the dialect needs RETURNING."""
        conn = self.session.connection()
        dialect = conn.dialect.name
        if dialect == "sqlite":  # the write transaction holds the database's write lock since BEGIN IMMEDIATE
            start = conn.execute(select(func.max(table.c.id))).scalar() or 0
            return list(range(start + 1, start + n + 1))
        if dialect == "postgresql":
            return list(
                conn.execute(
                    text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
                    {"table": table.name, "n": n},
                ).scalars()
            )
        return None  # pragma: no cover - deskframe stores on SQLite or PostgreSQL

    def _insert(self, table: Table, rows: list[dict[str, Any]]) -> list[int]:
        """Insert ``rows`` with one executemany; their new ids in order."""
        if not rows:
            return []
        conn = self.session.connection()
        ids = self._new_ids(table, len(rows))
        if ids is None:  # pragma: no cover
            return list(conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars())
        for row, new_id in zip(rows, ids):
            row["id"] = new_id
        conn.execute(insert(table), rows)
        return ids

    # --- the batch --------------------------------------------------------------
    def import_batch(
        self,
        tickets: list[ImportedTicket],
        namespace: str,
        *,
        state_types: dict[str, str],
        blobs: BlobStore,
        safe_name: Callable[[str], str],
    ) -> ImportCounts:
        """Store ``tickets`` (what is not in the external-id map yet) in the current transaction."""
        counts = ImportCounts()
        batch = _Batch(namespace)
        known_tickets = self._known(namespace, "ticket", [t.external_id for t in tickets])
        agents = self._ids(
            AgentRow.id,
            AgentRow.login,
            [t.owner for t in tickets]
            + [t.locked_by for t in tickets]
            + [a.agent for t in tickets for a in t.articles]
            + [e.agent for t in tickets for e in t.time],
        )
        self._import_tickets(tickets, batch, counts, known_tickets, agents, state_types)
        self._import_articles(tickets, batch, counts, agents, blobs, safe_name)
        self._import_history_and_time(tickets, batch, counts, agents)
        conn = self.session.connection()
        insert_rows(conn, batch.blobs)
        for start in range(0, len(batch.new_ids), 5000):
            conn.execute(insert(table_of(ExternalIdRow)), batch.new_ids[start : start + 5000])
        self._link_merges(tickets, batch)
        return counts

    def _ticket_values(
        self, tickets: list[ImportedTicket], state_types: dict[str, str], agents: dict[str, int]
    ) -> dict[str, dict[str, Any]]:
        """The stored column values of each ticket, by external id (contacts created as needed)."""
        customers = self._ids(CustomerRow.id, CustomerRow.key, (t.customer for t in tickets))
        contracts = self._ids(ContractRow.id, ContractRow.key, (t.contract for t in tickets))
        contacts = self._ids(ContactRow.id, ContactRow.email, ((t.contact or "").lower() for t in tickets))
        queues = self._ids(QueueRow.id, QueueRow.name, (t.queue for t in tickets))
        out = {}
        for t in tickets:
            contact_id = None
            if t.contact:
                email = t.contact.lower()
                if email not in contacts:
                    self.upsert_contact(
                        Contact(name=email, email=email, customer=t.customer if t.customer in customers else None)
                    )
                    created = self.contact_row_by_email(email)
                    assert created is not None  # upserted just above
                    contacts[email] = created.id
                contact_id = contacts[email]
            if t.queue not in queues:
                queues[t.queue] = self.queue_row(t.queue, create=True).id
            out[t.external_id] = dict(
                subject=t.subject[:1000],
                state=t.state,
                state_type=state_types[t.state],
                priority=t.priority,
                queue_id=queues[t.queue],
                customer_id=customers.get(t.customer or ""),
                contact_id=contact_id,
                contract_id=contracts.get(t.contract or ""),
                owner_id=agents.get(t.owner or ""),
                locked_by_id=agents.get(t.locked_by or ""),
                updated_at=t.updated_at,
            )
        self.session.flush()  # contacts and queues made above, before the Core statements below
        return out

    def _import_tickets(
        self,
        tickets: list[ImportedTicket],
        batch: _Batch,
        counts: ImportCounts,
        known: dict[str, str],
        agents: dict[str, int],
        state_types: dict[str, str],
    ) -> None:
        values = self._ticket_values(tickets, state_types, agents)
        numbers = self._ids(TicketRow.id, TicketRow.number, (t.number for t in tickets if t.external_id not in known))
        table = table_of(TicketRow)
        conn = self.session.connection()
        current: dict[int, tuple[Any, ...]] = {}
        if known:
            ids = [int(v) for v in known.values()]
            for start in range(0, len(ids), CHUNK):
                current.update(
                    (r[0], r[1:])
                    for r in conn.execute(
                        select(table.c.id, *(table.c[k] for k in _TICKET_FIELDS)).where(
                            table.c.id.in_(ids[start : start + CHUNK])
                        )
                    )
                )
        new, pending = [], []
        for t in tickets:
            wanted = values[t.external_id]
            if t.external_id in known:
                ticket_id = int(known[t.external_id])
                stored = current.get(ticket_id)
                if stored is None:
                    counts.skipped.append(
                        (t.external_id, f"ticket number {t.number} was imported before but its row is gone")
                    )
                    continue
                changed = {k: wanted[k] for k, old in zip(_TICKET_FIELDS, stored) if old != wanted[k]}
                if changed:
                    conn.execute(update(table).where(table.c.id == ticket_id).values(**changed))
                    counts.tickets_updated += 1
                batch.ticket_ids[t.external_id] = ticket_id
                continue
            if t.number in numbers:
                counts.skipped.append((t.external_id, f"ticket number {t.number} already exists"))
                continue
            numbers[t.number] = -1
            new.append(
                dict(
                    number=t.number,
                    created_at=t.created_at,
                    line=1,
                    channel=t.channel,
                    locked_at=None,
                    merged_into_id=None,
                    **wanted,
                )
            )
            pending.append(t.external_id)
        for external_id, ticket_id in zip(pending, self._insert(table, new)):
            batch.ticket_ids[external_id] = ticket_id
            batch.mapped("ticket", external_id, ticket_id)
        counts.tickets += len(new)

    def _import_articles(
        self,
        tickets: list[ImportedTicket],
        batch: _Batch,
        counts: ImportCounts,
        agents: dict[str, int],
        blobs: BlobStore,
        safe_name: Callable[[str], str],
    ) -> None:
        known = self._known(batch.namespace, "article", [a.external_id for t in tickets for a in t.articles])
        values: list[dict[str, Any]] = []
        pending: list[ImportedArticle] = []
        for t in tickets:
            ticket_id = batch.ticket_ids.get(t.external_id)
            if ticket_id is None:
                continue
            for a in t.articles:
                if a.external_id in known:
                    continue
                raw = blobs.put_in_transaction(a.raw, batch.blobs, limit=False) if a.raw else None
                values.append(
                    dict(
                        ticket_id=ticket_id,
                        direction=a.direction,
                        channel=a.channel,
                        sender=a.sender,
                        recipients=list(a.recipients),
                        subject=a.subject[:1000] or "(no subject)",
                        text=a.text,
                        html=a.html,
                        message_id=a.message_id,
                        references=list(a.references),
                        agent_id=agents.get(a.agent or ""),
                        visible=a.visible and a.direction != "internal",
                        raw_sha256=raw,
                        created_at=a.created_at,
                    )
                )
                pending.append(a)
        if not values:
            return
        ids = self._insert(table_of(ArticleRow), values)
        index_articles(self.session, [(i, v["subject"], v["text"]) for i, v in zip(ids, values)], self.search_languages)
        files = []
        for article_id, a in zip(ids, pending):
            batch.mapped("article", a.external_id, article_id)
            for file in a.attachments:
                name = safe_name(file.filename)
                try:
                    sha = blobs.put_in_transaction(file.data, batch.blobs)
                except BlobTooLarge:
                    counts.skipped.append((a.external_id, f"attachment {name!r} over the size limit"))
                    continue
                files.append(
                    dict(
                        article_id=article_id,
                        filename=name,
                        content_type=file.content_type or "application/octet-stream",
                        size=len(file.data),
                        sha256=sha,
                    )
                )
        if files:
            self.session.connection().execute(insert(table_of(AttachmentRow)), files)
        counts.articles += len(ids)
        counts.attachments += len(files)

    def _import_history_and_time(
        self, tickets: list[ImportedTicket], batch: _Batch, counts: ImportCounts, agents: dict[str, int]
    ) -> None:
        ns = batch.namespace
        known_history = self._known(ns, "history", [h.external_id for t in tickets for h in t.history])
        known_time = self._known(ns, "time", [e.external_id for t in tickets for e in t.time])
        history, entries, pending = [], [], []
        for t in tickets:
            ticket_id = batch.ticket_ids.get(t.external_id)
            if ticket_id is None:
                continue
            for h in t.history:
                if h.external_id not in known_history:
                    history.append(
                        dict(
                            ticket_id=ticket_id,
                            at=h.at,
                            actor=h.actor,
                            action=h.action,
                            old=h.old,
                            new=h.new,
                            reason=h.reason,
                        )
                    )
                    batch.mapped("history", h.external_id, ticket_id)
            for e in t.time:
                if e.external_id in known_time:
                    continue
                agent_id = agents.get(e.agent)
                if agent_id is None:
                    counts.skipped.append((e.external_id, f"time entry by unknown agent {e.agent!r}"))
                    continue
                entries.append(
                    dict(
                        ticket_id=ticket_id,
                        agent_id=agent_id,
                        minutes=e.minutes,
                        work_date=e.work_date,
                        note=e.note,
                        billable=e.billable,
                        created_at=self.now,
                        billed_externally=e.already_billed,
                    )
                )
                pending.append(e)
        if history:
            self.session.connection().execute(insert(table_of(HistoryRow)), history)
            counts.history += len(history)
        for entry_id, e in zip(self._insert(table_of(TimeEntryRow), entries), pending):
            batch.mapped("time", e.external_id, entry_id)
            counts.time_entries += 1
            counts.minutes += e.minutes

    def _link_merges(self, tickets: list[ImportedTicket], batch: _Batch) -> None:
        """Point merged tickets at their targets; a target not imported yet is linked by a later batch."""
        ext = table_of(ExternalIdRow)
        conn = self.session.connection()
        mine = (ext.c.namespace == batch.namespace) & (ext.c.kind == "merge_pending")
        waiting = {
            r.external_id: (r.id, r.local_id)
            for r in conn.execute(select(ext.c.id, ext.c.external_id, ext.c.local_id).where(mine))
        }
        for t in tickets:  # (local ticket id -> number of the target)
            if t.merged_into and t.external_id in batch.ticket_ids:
                waiting.setdefault(str(batch.ticket_ids[t.external_id]), (None, t.merged_into))
        if not waiting:
            return
        targets = self._ids(TicketRow.id, TicketRow.number, (number for _, number in waiting.values()))
        table = table_of(TicketRow)
        done, still = [], []
        for ticket_id, (row_id, number) in waiting.items():
            if number in targets:
                conn.execute(update(table).where(table.c.id == int(ticket_id)).values(merged_into_id=targets[number]))
                if row_id is not None:
                    done.append(row_id)
            elif row_id is None:
                still.append(
                    dict(namespace=batch.namespace, kind="merge_pending", external_id=ticket_id, local_id=number)
                )
        if done:
            conn.execute(delete(ext).where(ext.c.id.in_(done)))
        if still:
            conn.execute(insert(ext), still)
