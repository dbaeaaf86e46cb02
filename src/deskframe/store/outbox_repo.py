"""The outbox's SQL: enqueue, list, claim due messages (``FOR UPDATE SKIP LOCKED`` on PostgreSQL),
record outcomes, requeue. The rules (back-off, attempts) are the service's (services/outbox.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from ..outbound import OutboundAttachment, OutboundMessage, OutboxEntry
from .blobs import BlobRow
from .outbox_rows import OutboxRow
from .rows import table_of


def _framed(recipients: Iterable[str]) -> str:
    return "\n" + "".join(f"{r.strip().lower()}\n" for r in recipients)


def _entry(row: OutboxRow) -> OutboxEntry:
    message = OutboundMessage(
        kind=row.kind,
        recipients=tuple(row.recipients_json or ()),
        subject=row.subject,
        text=row.body_text,
        html=row.body_html,
        headers=[tuple(pair) for pair in row.headers or ()],
        message_id=row.message_id,
        sender=row.sender,
        channel=row.channel,
        ticket=row.ticket_number,
        article_id=row.article_id,
        attachments=[OutboundAttachment(**a) for a in row.attachments or ()],
        dedupe_key=row.dedupe_key,
        topic=row.topic,
        data=dict(row.data or {}),
        raw=bytes(row.raw) if row.raw is not None else None,
    )
    return OutboxEntry(
        id=row.id,
        message=message,
        state=row.state,
        attempts=row.attempts,
        enqueued_at=row.enqueued_at,
        next_attempt_at=row.next_attempt_at,
        sent_at=row.sent_at,
        last_error=row.last_error,
        claimed_by=row.claimed_by,
        lease_until=row.lease_until,
    )


def _finish(names: tuple[str, ...]) -> Any:
    table = table_of(OutboxRow)
    return (
        update(table)
        .where(
            table.c.id == bindparam("entry_id"), table.c.state == "sending", table.c.claimed_by == bindparam("worker")
        )
        .values(claimed_by=None, lease_until=None, **{name: bindparam(f"v_{name}") for name in names})
    )


#: The values of a ``sent`` outcome, and its statement, built once (it runs once per message sent).
_SENT_NAMES = ("last_error", "sent_at", "state")
_SENT = _finish(_SENT_NAMES)


def finish_statement(entry_id: int, worker: str, values: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The UPDATE recording an outcome of ``worker``'s claim of ``entry_id`` (see
    :meth:`OutboxRepo.finish_outbox`) and its parameters. A Core statement with bound values,
    not the ORM's bulk UPDATE: one runs per message delivered, and the ORM's work around it (and
    building the statement anew) cost several times the statement itself."""
    names = tuple(sorted(values))
    statement = _SENT if names == _SENT_NAMES else _finish(names)
    params = {"entry_id": entry_id, "worker": worker, **{f"v_{k}": v for k, v in values.items()}}
    return statement, params


class OutboxRepo:
    """Rows of the ``outbox`` table as :class:`~deskframe.outbound.OutboxEntry` values."""

    session: Session
    now: dt.datetime

    def outbox_ids_by_dedupe(self, keys: Iterable[str]) -> dict[str, int]:
        """The ids of the messages already enqueued under these dedupe keys."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        rows = self.session.execute(select(OutboxRow.dedupe_key, OutboxRow.id).where(OutboxRow.dedupe_key.in_(wanted)))
        return {str(k): int(i) for k, i in rows}

    def insert_outbox(self, messages: Sequence[OutboundMessage]) -> list[int]:
        """Store ``messages`` (each with its Message-ID set) as ``queued``, due now; their ids."""
        rows = [
            OutboxRow(
                kind=m.kind,
                state="queued",
                topic=m.topic,
                message_id=m.message_id or "",
                dedupe_key=m.dedupe_key,
                recipients=_framed(m.recipients),
                recipients_json=list(m.recipients),
                sender=m.sender,
                channel=m.channel,
                ticket_number=m.ticket,
                article_id=m.article_id,
                subject=m.subject,
                body_text=m.text,
                body_html=m.html,
                headers=[list(pair) for pair in m.headers],
                attachments=[
                    {"sha256": a.sha256, "filename": a.filename, "content_type": a.content_type} for a in m.attachments
                ],
                data=dict(m.data),
                raw=m.raw,
                attempts=0,
                enqueued_at=self.now,
                next_attempt_at=self.now,
            )
            for m in messages
        ]
        self.session.add_all(rows)
        self.session.flush()
        return [r.id for r in rows]

    def stored_blob(self, sha256: str) -> bytes | None:
        """A blob's bytes kept in the database (this transaction's included), or None."""
        table = table_of(BlobRow)
        data = self.session.execute(select(table.c.data).where(table.c.sha256 == sha256)).scalar()
        return None if data is None else bytes(data)

    def outbox_entry(self, entry_id: int) -> OutboxEntry | None:
        row = self.session.get(OutboxRow, entry_id)
        return _entry(row) if row is not None else None

    def outbox_entries(
        self,
        *,
        state: str | None = None,
        ticket: str | None = None,
        limit: int | None = None,
        newest_first: bool = True,
    ) -> list[OutboxEntry]:
        query = select(OutboxRow)
        if state is not None:
            query = query.where(OutboxRow.state == state)
        if ticket is not None:
            query = query.where(OutboxRow.ticket_number == ticket)
        query = query.order_by(OutboxRow.id.desc() if newest_first else OutboxRow.id)
        if limit is not None:
            query = query.limit(limit)
        return [_entry(r) for r in self.session.scalars(query)]

    def outbox_counts(self) -> dict[str, int]:
        rows = self.session.execute(select(OutboxRow.state, func.count()).group_by(OutboxRow.state))
        return {str(s): int(n) for s, n in rows}

    def count_outbox_to(self, recipient: str, *, since: dt.datetime, topic: str | None = None) -> int:
        query = (
            select(func.count())
            .select_from(OutboxRow)
            .where(OutboxRow.enqueued_at >= since)
            .where(OutboxRow.recipients.contains(f"\n{recipient.strip().lower()}\n", autoescape=True))
        )
        if topic is not None:
            query = query.where(OutboxRow.topic == topic)
        return int(self.session.scalar(query) or 0)

    def claim_outbox(self, worker: str, *, lease_until: dt.datetime, limit: int) -> list[OutboxEntry]:
        """Claim up to ``limit`` due messages for ``worker``: queued ones whose time has come and
        sending ones whose lease expired. PostgreSQL skips rows another transaction holds."""
        due = or_(
            and_(OutboxRow.state == "queued", OutboxRow.next_attempt_at <= self.now),
            and_(OutboxRow.state == "sending", OutboxRow.lease_until < self.now),
        )
        query = (
            select(OutboxRow.id)
            .where(due)
            .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # ignored by SQLite, where the write transaction is the lock
        )
        ids = list(self.session.scalars(query))
        if not ids:
            return []
        self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(ids))
            .values(state="sending", claimed_by=worker, lease_until=lease_until, attempts=OutboxRow.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        rows = self.session.scalars(
            select(OutboxRow).where(OutboxRow.id.in_(ids)).order_by(OutboxRow.next_attempt_at, OutboxRow.id)
        )
        return [_entry(r) for r in rows]

    def finish_outbox(self, entry_id: int, worker: str, **values: Any) -> bool:
        """Record the outcome of ``worker``'s claim (``state``, ``sent_at``, ``next_attempt_at``,
        ``last_error``); False if the claim is no longer its own (its lease expired and was taken)."""
        statement, params = finish_statement(entry_id, worker, values)
        return bool(getattr(self.session.execute(statement, params), "rowcount", 0))

    def release_outbox(self, ids: Sequence[int], worker: str) -> int:
        """Give ``worker``'s unsent claims back: queued, due now, the attempt the claim counted undone."""
        result = self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(list(ids)), OutboxRow.state == "sending", OutboxRow.claimed_by == worker)
            .values(
                state="queued",
                claimed_by=None,
                lease_until=None,
                next_attempt_at=self.now,
                attempts=OutboxRow.attempts - 1,
            )
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0))

    def requeue_outbox(self, ids: Iterable[int] | None = None, *, states: Sequence[str] = ("failed",)) -> list[int]:
        """Make messages of ``states`` (by ``ids``, else all of them) queued and due now, attempts reset."""
        query = select(OutboxRow.id).where(OutboxRow.state.in_(list(states)))
        if ids is not None:
            query = query.where(OutboxRow.id.in_(list(ids)))
        chosen = list(self.session.scalars(query.with_for_update()))
        if chosen:
            self.session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(chosen))
                .values(state="queued", attempts=0, next_attempt_at=self.now, claimed_by=None, lease_until=None)
                .execution_options(synchronize_session=False)
            )
        return chosen
