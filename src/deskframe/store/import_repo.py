"""Batch import of another system's tickets: idempotent through the external-id map."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..importing import ImportCounts, ImportedTicket
from ..model import Contact
from .rows import (
    AgentRow,
    ArticleRow,
    AttachmentRow,
    ContactRow,
    ContractRow,
    CustomerRow,
    ExternalIdRow,
    HistoryRow,
    TicketRow,
    TimeEntryRow,
)

CHUNK = 500


class ImportRepo:
    """Stores batches of :class:`~deskframe.importing.ImportedTicket`."""

    session: Session
    now: dt.datetime

    def _known(self, namespace: str, kind: str, ids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for start in range(0, len(ids), CHUNK):
            rows = self.session.execute(select(ExternalIdRow.external_id, ExternalIdRow.local_id).where(
                ExternalIdRow.namespace == namespace, ExternalIdRow.kind == kind,
                ExternalIdRow.external_id.in_(ids[start:start + CHUNK])))
            out.update(rows.all())
        return out

    def _ids(self, column: Any, key: Any, values: Iterable[str]) -> dict[str, int]:
        wanted = sorted({v for v in values if v})
        out: dict[str, int] = {}
        for start in range(0, len(wanted), CHUNK):
            out.update(self.session.execute(select(key, column).where(key.in_(wanted[start:start + CHUNK]))).all())
        return out

    def import_batch(self, tickets: list[ImportedTicket], namespace: str, *, state_types: dict[str, str],
                     put_blob: Callable[[bytes, bool], str | None], safe_name: Callable[[str], str]) -> ImportCounts:
        counts = ImportCounts()
        known_tickets = self._known(namespace, "ticket", [t.external_id for t in tickets])
        known_articles = self._known(namespace, "article", [a.external_id for t in tickets for a in t.articles])
        known_history = self._known(namespace, "history", [h.external_id for t in tickets for h in t.history])
        known_time = self._known(namespace, "time", [e.external_id for t in tickets for e in t.time])
        customers = self._ids(CustomerRow.id, CustomerRow.key, (t.customer for t in tickets))
        contracts = self._ids(ContractRow.id, ContractRow.key, (t.contract for t in tickets))
        agents = self._ids(AgentRow.id, AgentRow.login,
                           [t.owner for t in tickets] + [t.locked_by for t in tickets]
                           + [a.agent for t in tickets for a in t.articles] + [e.agent for t in tickets for e in t.time])
        contacts = self._ids(ContactRow.id, ContactRow.email, ((t.contact or "").lower() for t in tickets))
        numbers = self._ids(TicketRow.id, TicketRow.number, (t.number for t in tickets))
        queues = {name: self.queue_row(name, create=True).id for name in {t.queue for t in tickets}}  # type: ignore[attr-defined]
        new_ids: list[dict[str, Any]] = []
        rows: dict[str, TicketRow] = {}
        for t in tickets:
            contact_id = None
            if t.contact:
                email = t.contact.lower()
                if email not in contacts:
                    self.upsert_contact(Contact(name=email, email=email,  # type: ignore[attr-defined]
                                                customer=t.customer if t.customer in customers else None))
                    contacts[email] = self.contact_row_by_email(email).id  # type: ignore[attr-defined]
                contact_id = contacts[email]
            values = dict(subject=t.subject[:1000], state=t.state, state_type=state_types[t.state],
                          priority=t.priority, queue_id=queues[t.queue],
                          customer_id=customers.get(t.customer or ""), contact_id=contact_id,
                          contract_id=contracts.get(t.contract or ""),
                          owner_id=agents.get(t.owner or ""), locked_by_id=agents.get(t.locked_by or ""),
                          updated_at=t.updated_at)
            if t.external_id in known_tickets:
                row = self.session.get(TicketRow, int(known_tickets[t.external_id]))
                changed = [k for k, v in values.items() if getattr(row, k) != v]
                for key in changed:
                    setattr(row, key, values[key])
                counts.tickets_updated += bool(changed)
            else:
                if t.number in numbers:
                    counts.skipped.append((t.external_id, f"ticket number {t.number} already exists"))
                    continue
                row = TicketRow(number=t.number, created_at=t.created_at, line=1, channel=t.channel, **values)
                self.session.add(row)
                counts.tickets += 1
                numbers[t.number] = -1
            rows[t.external_id] = row
        self.session.flush()
        for t in tickets:
            row = rows.get(t.external_id)
            if row is not None and t.external_id not in known_tickets:
                new_ids.append(dict(namespace=namespace, kind="ticket", external_id=t.external_id, local_id=str(row.id)))
        self._import_articles(tickets, rows, namespace, counts, new_ids, known_articles, agents, put_blob, safe_name)
        self._import_history_and_time(tickets, rows, namespace, counts, new_ids, known_history, known_time, agents)
        for start in range(0, len(new_ids), 5000):
            self.session.execute(insert(ExternalIdRow), new_ids[start:start + 5000])
        self._link_merges(tickets, rows, namespace)
        return counts

    def _import_articles(self, tickets: list[ImportedTicket], rows: dict[str, TicketRow], namespace: str,
                         counts: ImportCounts, new_ids: list[dict[str, Any]], known: dict[str, str],
                         agents: dict[str, int], put_blob: Callable[[bytes, bool], str | None],
                         safe_name: Callable[[str], str]) -> None:
        values, pending = [], []
        for t in tickets:
            row = rows.get(t.external_id)
            if row is None:
                continue
            for a in t.articles:
                if a.external_id in known:
                    continue
                values.append(dict(ticket_id=row.id, direction=a.direction, channel=a.channel, sender=a.sender,
                                   recipients=list(a.recipients), subject=a.subject[:1000] or "(no subject)",
                                   text=a.text, html=a.html, message_id=a.message_id, references=list(a.references),
                                   agent_id=agents.get(a.agent or ""), visible=a.visible and a.direction != "internal",
                                   raw_sha256=put_blob(a.raw, False) if a.raw else None, created_at=a.created_at))
                pending.append(a)
        if not values:
            return
        table = ArticleRow.__table__
        ids = list(self.session.connection().execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), values).scalars())
        files = []
        for article_id, a in zip(ids, pending):
            new_ids.append(dict(namespace=namespace, kind="article", external_id=a.external_id, local_id=str(article_id)))
            for file in a.attachments:
                sha = put_blob(file.data, True)
                if sha is None:
                    counts.skipped.append((a.external_id, f"attachment {safe_name(file.filename)!r} over the size limit"))
                    continue
                files.append(dict(article_id=article_id, filename=safe_name(file.filename),
                                  content_type=file.content_type or "application/octet-stream", size=len(file.data),
                                  sha256=sha))
        if files:
            self.session.execute(insert(AttachmentRow), files)
        counts.articles += len(ids)
        counts.attachments += len(files)

    def _import_history_and_time(self, tickets: list[ImportedTicket], rows: dict[str, TicketRow], namespace: str,
                                 counts: ImportCounts, new_ids: list[dict[str, Any]], known_history: dict[str, str],
                                 known_time: dict[str, str], agents: dict[str, int]) -> None:
        history, entries, pending = [], [], []
        for t in tickets:
            row = rows.get(t.external_id)
            if row is None:
                continue
            for h in t.history:
                if h.external_id not in known_history:
                    history.append(dict(ticket_id=row.id, at=h.at, actor=h.actor, action=h.action, old=h.old,
                                        new=h.new, reason=h.reason))
                    new_ids.append(dict(namespace=namespace, kind="history", external_id=h.external_id,
                                        local_id=str(row.id)))
            for e in t.time:
                if e.external_id in known_time:
                    continue
                agent_id = agents.get(e.agent)
                if agent_id is None:
                    counts.skipped.append((e.external_id, f"time entry by unknown agent {e.agent!r}"))
                    continue
                entries.append(dict(ticket_id=row.id, agent_id=agent_id, minutes=e.minutes, work_date=e.work_date,
                                    note=e.note, billable=e.billable, created_at=self.now,
                                    billed_externally=e.already_billed))
                pending.append(e)
        if history:
            self.session.execute(insert(HistoryRow), history)
            counts.history += len(history)
        if entries:
            table = TimeEntryRow.__table__
            ids = self.session.connection().execute(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), entries).scalars()
            for entry_id, e in zip(ids, pending):
                new_ids.append(dict(namespace=namespace, kind="time", external_id=e.external_id, local_id=str(entry_id)))
                counts.time_entries += 1
                counts.minutes += e.minutes

    def _link_merges(self, tickets: list[ImportedTicket], rows: dict[str, TicketRow], namespace: str) -> None:
        """Point merged tickets at their targets; a target not imported yet is linked by a later batch."""
        from sqlalchemy import delete

        pending = [ExternalIdRow(namespace=namespace, kind="merge_pending", external_id=str(rows[t.external_id].id),
                                 local_id=t.merged_into)
                   for t in tickets if t.merged_into and t.external_id in rows]
        known = {p.external_id for p in self.session.scalars(select(ExternalIdRow).where(
            ExternalIdRow.namespace == namespace, ExternalIdRow.kind == "merge_pending"))}
        self.session.add_all(p for p in pending if p.external_id not in known)
        self.session.flush()
        waiting = list(self.session.scalars(select(ExternalIdRow).where(
            ExternalIdRow.namespace == namespace, ExternalIdRow.kind == "merge_pending")))
        targets = self._ids(TicketRow.id, TicketRow.number, (w.local_id for w in waiting))
        done = []
        for w in waiting:
            if w.local_id in targets:
                self.session.get(TicketRow, int(w.external_id)).merged_into_id = targets[w.local_id]
                done.append(w.id)
        if done:
            self.session.execute(delete(ExternalIdRow).where(ExternalIdRow.id.in_(done)))
