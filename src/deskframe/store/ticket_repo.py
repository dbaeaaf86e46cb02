"""Writing tickets: numbers, bulk inserts, tickets, locks, history, articles, merges and intake dedupe keys.

Reading them back as values, lists and search results is :mod:`.ticket_views_repo`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached

from .. import numbering
from ..errors import NotFound, StorageError, TicketLocked
from .blobs import insert_rows as insert_blob_rows
from .rows import (
    AgentRow,
    ArticleRow,
    AttachmentRow,
    ContactRow,
    CustomerRow,
    HistoryRow,
    IntakeKeyRow,
    QueueRow,
    TicketCounterRow,
    TicketRow,
    table_of,
)
from .search import index_articles
from .sql_values import rowcount

#: The ticket row of ``number`` (built once: every read of a ticket by number runs it).
_TICKET_BY_NUMBER = select(TicketRow).where(TicketRow.number == bindparam("number"))


def dialect_insert(session: Session) -> Any:
    """The INSERT construct of the session's dialect (for ON CONFLICT clauses)."""
    name = session.get_bind().dialect.name
    if name == "sqlite":
        return sqlite.insert
    if name == "postgresql":
        return postgresql.insert
    raise StorageError(f"unsupported database dialect {name!r} (use SQLite or PostgreSQL)")


def intake_key_hash(key: str) -> str:
    """The stored form of an intake dedupe key: SHA-256 hex of its UTF-8 (any length fits)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _with_defaults(row_type: Any, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` completed with every other column's scalar default (or None), id left out."""
    full = {}
    for column in row_type.__table__.columns:
        if column.key == "id":
            continue
        if column.key in values:
            full[column.key] = values[column.key]
        else:
            default = column.default
            full[column.key] = default.arg if default is not None and default.is_scalar else None
    return full


class TicketRepo:
    """Ticket data access for :class:`deskframe.desk.Desk`."""

    session: Session
    now: dt.datetime
    search_languages: tuple[str, ...]
    _deferred_history: list[dict[str, Any]] | None = None

    # --- numbers -----------------------------------------------------------
    def draw_counter(self, key: str, step: int = 1) -> int:
        """Add ``step`` to counter ``key`` and return its new value, in one statement; atomic
        across processes (the values ``new - step + 1 .. new`` are the caller's)."""
        insert = dialect_insert(self.session)
        stmt = insert(TicketCounterRow).values(key=key, value=step)
        stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={"value": TicketCounterRow.value + step})
        return self.session.execute(stmt.returning(TicketCounterRow.value)).scalar_one()

    def draw_numbers(self, layout: str, system_id: str, day: dt.date, count: int) -> list[str]:
        """``count`` new ticket numbers in a few statements, skipping numbers already taken
        (an imported system's tickets keep their numbers)."""
        key = numbering.counter_key(layout, day)
        numbers: list[str] = []
        while len(numbers) < count:
            need = count - len(numbers)
            top = self.draw_counter(key, need)
            fresh = [numbering.format_number(layout, system_id, day, value) for value in range(top - need + 1, top + 1)]
            taken = set(self.session.scalars(select(TicketRow.number).where(TicketRow.number.in_(fresh))))
            numbers += [number for number in fresh if number not in taken]
        return numbers

    def insert_contacts(self, rows: list[dict[str, Any]]) -> list[ContactRow]:
        """New contacts (values by column name), in order; see :meth:`_insert_rows`."""
        return self._insert_rows(ContactRow, rows)

    def insert_tickets(self, rows: list[dict[str, Any]]) -> list[TicketRow]:
        """New tickets (values by column name, numbers drawn), in order."""
        return self._insert_rows(TicketRow, rows)

    def insert_articles(self, rows: list[dict[str, Any]]) -> list[ArticleRow]:
        """New articles (values by column name), in order, added to the full-text index."""
        articles = self._insert_rows(ArticleRow, rows)
        index_articles(self.session, [(a.id, a.subject, a.text) for a in articles], self.search_languages)
        return articles

    def insert_attachments(self, rows: list[dict[str, Any]]) -> None:
        """Attachment rows (``article_id``, ``filename``, ``content_type``, ``size``, ``sha256``)."""
        if rows:
            self.session.execute(insert(AttachmentRow), rows)

    def insert_blobs(self, blobs: dict[str, bytes]) -> None:
        """Small blobs (digest -> bytes) into the blobs table, in this transaction."""
        insert_blob_rows(self.session.connection(), blobs)

    def _insert_rows(self, row_type: Any, rows: list[dict[str, Any]]) -> list[Any]:
        """Insert many rows of one table (other columns get their defaults) in one executemany with
        RETURNING; returns their ORM rows, in order, without a unit-of-work flush."""
        if not rows:
            return []
        table = row_type.__table__
        full = [_with_defaults(row_type, values) for values in rows]
        ids = (
            self.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), full)
            .scalars()
            .all()
        )
        return [self._adopt(row_type, new_id, values) for new_id, values in zip(ids, full)]

    # --- tickets -----------------------------------------------------------
    def ticket_row(self, number: str, *, for_update: bool = False) -> TicketRow:
        query = _TICKET_BY_NUMBER.with_for_update() if for_update else _TICKET_BY_NUMBER
        row = self.session.scalar(query, {"number": number})
        if row is None:
            raise NotFound(f"unknown ticket '{number}'")
        return row

    def ticket_row_or_none(self, number: str) -> TicketRow | None:
        return self.session.scalar(select(TicketRow).where(TicketRow.number == number))

    def ticket_row_by_id(self, ticket_id: int) -> TicketRow:
        row = self.session.get(TicketRow, ticket_id)
        if row is None:
            raise NotFound(f"unknown ticket id {ticket_id}")
        return row

    def article_row(self, article_id: int) -> ArticleRow:
        row = self.session.get(ArticleRow, article_id)
        if row is None:
            raise NotFound(f"unknown article {article_id}")
        return row

    def attachment_rows(self, attachment_id: int) -> tuple[AttachmentRow, ArticleRow, TicketRow]:
        """An attachment with its article and ticket; NotFound for an unknown id."""
        found = self.session.get(AttachmentRow, attachment_id)
        if found is None:
            raise NotFound(f"unknown attachment {attachment_id}")
        article = self.article_row(found.article_id)
        return found, article, self.ticket_row_by_id(article.ticket_id)

    def create_numbered_ticket(self, layout: str, system_id: str, day: dt.date, **values: Any) -> TicketRow:
        """A new ticket with the next free number of ``layout`` (numbers taken by imports are skipped)."""
        number = self.draw_numbers(layout, system_id, day, 1)[0]
        return self.insert_tickets([dict(values, number=number, created_at=self.now, updated_at=self.now)])[0]

    def _adopt(self, row_type: Any, new_id: int, values: dict[str, Any]) -> Any:
        """The ORM row for a row just inserted with Core, without a unit-of-work flush or a reload."""
        row = row_type(id=new_id, **values)
        make_transient_to_detached(row)
        self.session.add(row)
        return row

    def touch(self, row: TicketRow) -> None:
        row.updated_at = self.now

    def history(
        self,
        row: TicketRow,
        actor: str | None,
        action: str,
        old: Any = None,
        new: Any = None,
        reason: str | None = None,
    ) -> None:
        values = dict(
            ticket_id=row.id,
            at=self.now,
            actor=actor,
            action=action,
            old=None if old is None else str(old),
            new=None if new is None else str(new),
            reason=reason,
        )
        if self._deferred_history is not None:
            self._deferred_history.append(values)
        else:
            self.session.add(HistoryRow(**values))

    @contextlib.contextmanager
    def deferred_history(self) -> Iterator[None]:
        """Inside the block, history rows are kept and written in one executemany at its end.

        For bulk paths (a batch of inbound mail) that never read a ticket's history
        back inside the block.
        """
        self._deferred_history = []
        try:
            yield
            if self._deferred_history:
                self.session.execute(insert(HistoryRow), self._deferred_history)
        finally:
            self._deferred_history = None

    def lock(self, row: TicketRow, agent: AgentRow) -> bool:
        """Take the lock for ``agent``; True if newly taken. Raises naming the holder."""
        if row.locked_by_id == agent.id:
            return False
        result = self.session.execute(
            update(TicketRow)
            .where(TicketRow.id == row.id, or_(TicketRow.locked_by_id.is_(None), TicketRow.locked_by_id == agent.id))
            .values(locked_by_id=agent.id, locked_at=self.now)
            .execution_options(synchronize_session=False)
        )
        self.session.refresh(row)
        if rowcount(result) != 1:
            holder = self.session.get(AgentRow, row.locked_by_id)
            raise TicketLocked(row.number, holder.login if holder else "another agent")
        return True

    def _key(self, row_type: Any, row_id: int | None, attr: str) -> str | None:
        if row_id is None:
            return None
        row = self.session.get(row_type, row_id)
        return getattr(row, attr) if row else None

    def queue_name(self, queue_id: int | None) -> str | None:
        """The name of queue ``queue_id`` (None for None or an unknown id); one kept by
        :meth:`keep_queue_name` in this transaction is not read again."""
        kept = self.__dict__.get("_queue_names")
        if kept is not None and queue_id in kept:
            return kept[queue_id]
        return self._key(QueueRow, queue_id, "name")

    def keep_queue_name(self, queue_id: int, name: str | None) -> None:
        """Keep queue ``queue_id``'s name, read in this transaction by another statement (the
        ticket's, in :meth:`~.ticket_views_repo.TicketViewRepo.ticket_row_with_names`), for
        :meth:`queue_name` in this transaction (the policy asks for a ticket's queue)."""
        self.__dict__.setdefault("_queue_names", {})[queue_id] = name

    def customer_key(self, customer_id: int | None) -> str | None:
        return self._key(CustomerRow, customer_id, "key")

    def agent_login(self, agent_id: int | None) -> str | None:
        if agent_id is None:
            return None
        row = self.session.get(AgentRow, agent_id)
        return row.login if row else None

    # --- articles ----------------------------------------------------------
    def add_article(
        self,
        ticket: TicketRow,
        *,
        direction: str,
        channel: str | None,
        sender: str | None,
        recipients: Iterable[str],
        subject: str,
        text: str,
        html: str | None,
        message_id: str | None,
        references: Iterable[str],
        agent_id: int | None,
        visible: bool,
        raw_sha256: str | None,
        attachments: Iterable[tuple[str, str, int, str]] = (),
        created_at: dt.datetime | None = None,
    ) -> ArticleRow:
        values = dict(
            ticket_id=ticket.id,
            direction=direction,
            channel=channel,
            sender=sender,
            recipients=list(recipients),
            subject=subject,
            text=text,
            html=html,
            message_id=message_id,
            references=list(references),
            agent_id=agent_id,
            visible=visible,
            raw_sha256=raw_sha256,
            created_at=created_at or self.now,
        )
        table = table_of(ArticleRow)
        row = self._adopt(
            ArticleRow, self.session.execute(insert(table).returning(table.c.id), values).scalar_one(), values
        )
        index_articles(self.session, [(row.id, subject, text)], self.search_languages)
        files = [
            dict(article_id=row.id, filename=filename, content_type=content_type, size=size, sha256=sha)
            for filename, content_type, size, sha in attachments
        ]
        if files:
            self.session.execute(insert(AttachmentRow), files)
        return row

    def follow_merges(self, row: TicketRow) -> TicketRow:
        seen = set()
        while row.merged_into_id and row.id not in seen:
            seen.add(row.id)
            target = self.session.get(TicketRow, row.merged_into_id)
            if target is None:  # merged_into_id is a foreign key to tickets
                raise StorageError(
                    f"ticket {row.number} is merged into ticket id {row.merged_into_id}, which is missing"
                )
            row = target
        return row

    def move_articles(self, source: TicketRow, target: TicketRow) -> int:
        result = self.session.execute(
            update(ArticleRow)
            .where(ArticleRow.ticket_id == source.id)
            .values(ticket_id=target.id)
            .execution_options(synchronize_session=False)
        )
        return rowcount(result)

    def has_agent_reply(self, row: TicketRow) -> bool:
        return (
            self.session.scalar(
                select(ArticleRow.id).where(ArticleRow.ticket_id == row.id, ArticleRow.direction == "out").limit(1)
            )
            is not None
        )

    # --- intake dedupe -----------------------------------------------------
    def add_intake_keys(self, rows: list[dict[str, Any]]) -> None:
        """Many intake keys (``channel``, ``key``, ``ticket_id``, ``article_id``) in one executemany."""
        if rows:
            self.session.execute(
                insert(IntakeKeyRow), [dict(row, key_sha256=intake_key_hash(row["key"])) for row in rows]
            )

    def intake_keys_in(self, channel: str, keys: Iterable[str]) -> dict[str, tuple[int, int | None]]:
        """The already-recorded ``keys`` of ``channel``: key -> (ticket id, article id), in few queries."""
        by_hash = {intake_key_hash(key): key for key in set(keys)}
        wanted = sorted(by_hash)
        found: dict[str, tuple[int, int | None]] = {}
        for start in range(0, len(wanted), 500):
            rows = self.session.execute(
                select(IntakeKeyRow.key_sha256, IntakeKeyRow.ticket_id, IntakeKeyRow.article_id).where(
                    IntakeKeyRow.channel == channel, IntakeKeyRow.key_sha256.in_(wanted[start : start + 500])
                )
            )
            found.update((by_hash[digest], (ticket_id, article_id)) for digest, ticket_id, article_id in rows)
        return found

    def message_id_index(self, message_ids: Iterable[str], *, with_direction: bool = False) -> dict[str, list[Any]]:
        """Stored articles carrying these Message-IDs: id -> [(article id, ticket id)], oldest first.

        ``with_direction=True`` adds the article's direction: (article id, ticket id, direction).
        """
        wanted = sorted({m for m in message_ids if m})
        found: dict[str, list[Any]] = {}
        for start in range(0, len(wanted), 500):
            rows = self.session.execute(
                select(ArticleRow.message_id, ArticleRow.id, ArticleRow.ticket_id, ArticleRow.direction)
                .where(ArticleRow.message_id.in_(wanted[start : start + 500]))
                .order_by(ArticleRow.id)
            )
            for message_id, article_id, ticket_id, direction in rows:
                if message_id is None:  # not matched by IN (...); the column is nullable
                    continue
                found.setdefault(message_id, []).append(
                    (article_id, ticket_id, direction) if with_direction else (article_id, ticket_id)
                )
        return found

    def ticket_correspondents(self, ticket_id: int) -> set[str]:
        """Addresses that wrote into the ticket (inbound senders) or that an agent wrote to
        (recipients of outbound articles), lower-cased."""
        found: set[str] = set()
        rows = self.session.execute(
            select(ArticleRow.direction, ArticleRow.sender, ArticleRow.recipients).where(
                ArticleRow.ticket_id == ticket_id, ArticleRow.direction.in_(("in", "out"))
            )
        )
        for direction, sender, recipients in rows:
            if direction == "in":
                found.add((sender or "").strip().lower())
            else:
                found.update(str(r).strip().lower() for r in recipients or ())
        found.discard("")
        return found
