"""Reading tickets: ticket and article values, history, ticket lists with SLA due times, full-text search."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from typing import Any

from sqlalchemy import Row, and_, bindparam, func, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased

from ..errors import NotFound
from ..model import Article, Attachment, HistoryEntry, Ticket
from .core_reads import core_rows
from .rows import (
    AgentRow,
    ArticleRow,
    AttachmentRow,
    ContactRow,
    ContractRow,
    CustomerRow,
    HistoryRow,
    QueueRow,
    SlaClockRow,
    TicketRow,
)
from .search import scope_sql, ticket_ids
from .sla_repo import ClockValues
from .ticket_selects import LOCKER_AGENT, OWNER_AGENT, list_select


def _pick(column: Any, key: Any, name: str) -> Any:
    return select(column).where(key == bindparam(name)).scalar_subquery()


#: The parameters of :data:`_NAMES`, in the order of :meth:`TicketViewRepo._names`' ids.
_NAME_IDS = ("queue_id", "customer_id", "contact_id", "contract_id", "owner_id", "locked_by_id", "merged_into_id")
#: Queue, customer, contact e-mail and name, contract, owner, locker and merge target of a ticket
#: from its ids, in one query (built once, as the other constant SELECTs here: building a SELECT
#: costs more Python time than SQLite takes to run it).
_NAMES = select(
    _pick(QueueRow.name, QueueRow.id, "queue_id"),
    _pick(CustomerRow.key, CustomerRow.id, "customer_id"),
    _pick(ContactRow.email, ContactRow.id, "contact_id"),
    _pick(ContactRow.name, ContactRow.id, "contact_id"),
    _pick(ContractRow.key, ContractRow.id, "contract_id"),
    _pick(AgentRow.login, AgentRow.id, "owner_id"),
    _pick(AgentRow.login, AgentRow.id, "locked_by_id"),
    _pick(TicketRow.number, TicketRow.id, "merged_into_id"),
).execution_options(autoflush=False)
_ARTICLES = ArticleRow.__table__
_ATTACHMENTS = AttachmentRow.__table__
_HISTORY = HistoryRow.__table__
_ARTICLE_AGENT = AgentRow.__table__.alias("article_agent")
#: The articles of ticket ``ticket_id``, oldest first, as Core rows (the columns of
#: :class:`~.rows.ArticleRow` by the same names) with ``agent_login``, the writing agent's login,
#: and the article's attachments (``file_id``, ``file_name``, ``file_type``, ``file_size``,
#: ``file_sha256``; by id): one row per attachment, one with ``file_id`` None for an article
#: without any. One statement: an ORM entity, a look-up per agent and a query for the
#: attachments cost more Python time than SQLite takes to run it.
_ARTICLES_OF = (
    select(
        _ARTICLES,
        _ARTICLE_AGENT.c.login.label("agent_login"),
        _ATTACHMENTS.c.id.label("file_id"),
        _ATTACHMENTS.c.filename.label("file_name"),
        _ATTACHMENTS.c.content_type.label("file_type"),
        _ATTACHMENTS.c.size.label("file_size"),
        _ATTACHMENTS.c.sha256.label("file_sha256"),
    )
    .outerjoin(_ARTICLE_AGENT, _ARTICLE_AGENT.c.id == _ARTICLES.c.agent_id)
    .outerjoin(_ATTACHMENTS, _ATTACHMENTS.c.article_id == _ARTICLES.c.id)
    .where(_ARTICLES.c.ticket_id == bindparam("ticket_id"))
    .order_by(_ARTICLES.c.created_at, _ARTICLES.c.id, _ATTACHMENTS.c.id)
)
_MERGED_INTO = TicketRow.__table__.alias("merged_into")
_TICKETS = TicketRow.__table__
_CLOCKS = SlaClockRow.__table__
#: The names of the name columns of :data:`_TICKET_WITH_NAMES`, in :meth:`TicketViewRepo._names`' order.
_NAME_COLUMNS = ("n_queue", "n_customer", "n_email", "n_contact", "n_contract", "n_owner", "n_locker", "n_merged")
#: The ticket ``number`` as a Core row (the columns of :class:`~.rows.TicketRow` by the same
#: names; an ORM entity's result layer cost more than the statement) with the names
#: :meth:`TicketViewRepo._names` reads (:data:`_NAME_COLUMNS`) and, last, its SLA clocks' columns
#: (``clock_`` and the column's name): one row per clock, oldest first (one with None for a
#: ticket without clocks). One statement: a show read the clocks with a statement of their own.
_TICKET_WITH_NAMES = (
    select(
        _TICKETS,
        QueueRow.name.label("n_queue"),
        CustomerRow.key.label("n_customer"),
        ContactRow.email.label("n_email"),
        ContactRow.name.label("n_contact"),
        ContractRow.key.label("n_contract"),
        OWNER_AGENT.c.login.label("n_owner"),
        LOCKER_AGENT.c.login.label("n_locker"),
        _MERGED_INTO.c.number.label("n_merged"),
        *(column.label(f"clock_{column.name}") for column in _CLOCKS.columns),
    )
    .select_from(_TICKETS)
    .outerjoin(QueueRow, QueueRow.id == TicketRow.queue_id)
    .outerjoin(CustomerRow, CustomerRow.id == TicketRow.customer_id)
    .outerjoin(ContactRow, ContactRow.id == TicketRow.contact_id)
    .outerjoin(ContractRow, ContractRow.id == TicketRow.contract_id)
    .outerjoin(OWNER_AGENT, OWNER_AGENT.c.id == TicketRow.owner_id)
    .outerjoin(LOCKER_AGENT, LOCKER_AGENT.c.id == TicketRow.locked_by_id)
    .outerjoin(_MERGED_INTO, _MERGED_INTO.c.id == TicketRow.merged_into_id)
    .outerjoin(_CLOCKS, _CLOCKS.c.ticket_id == TicketRow.id)
    .where(TicketRow.number == bindparam("number"))
    .order_by(_CLOCKS.c.id)
)
#: The history of ticket ``ticket_id`` and of the tickets merged into it, oldest first, each
#: entry with the number of its ticket: one statement (it was one for the merged tickets and
#: one for their history).
_HISTORY_WITH_MERGED = (
    select(
        _HISTORY.c.at,
        _HISTORY.c.actor,
        _HISTORY.c.action,
        _HISTORY.c.old,
        _HISTORY.c.new,
        _HISTORY.c.reason,
        TicketRow.number,
    )
    .join(TicketRow, TicketRow.id == _HISTORY.c.ticket_id)
    .where(or_(TicketRow.id == bindparam("ticket_id"), TicketRow.merged_into_id == bindparam("ticket_id")))
    .order_by(_HISTORY.c.at, _HISTORY.c.id)
)

#: The earliest due time of the running SLA clocks of the tickets ``ids`` (an expanding parameter).
_NEXT_DUE = (
    select(SlaClockRow.ticket_id, type_coerce(func.min(SlaClockRow.due_at), SlaClockRow.due_at.type))
    .where(SlaClockRow.ticket_id.in_(bindparam("ids", expanding=True)), SlaClockRow.status == "running")
    .group_by(SlaClockRow.ticket_id)
)


def _name_ids(row: TicketRow | Row[Any]) -> tuple[int | None, ...]:
    """The ids of a ticket's names (:data:`_NAME_IDS`' order)."""
    return (
        row.queue_id,
        row.customer_id,
        row.contact_id,
        row.contract_id,
        row.owner_id,
        row.locked_by_id,
        row.merged_into_id,
    )


def _article(row: Any, agent: str | None, attachments: Iterable[Attachment]) -> Article:
    """The article value of an article row (ORM or Core: the columns of :class:`~.rows.ArticleRow`)
    written by ``agent`` (a login) with its ``attachments``."""
    return Article(
        id=row.id,
        direction=row.direction,
        channel=row.channel,
        sender=row.sender,
        recipients=tuple(row.recipients or ()),
        subject=row.subject,
        text=row.text,
        html=row.html,
        message_id=row.message_id,
        created_at=row.created_at,
        agent=agent,
        visible_to_customer=row.visible,
        raw_sha256=row.raw_sha256,
        attachments=tuple(attachments),
    )


#: The most tickets a ``text`` filter of :meth:`TicketViewRepo.list_tickets` matches.
MAX_TEXT_HITS = 10_000


class TicketViewRepo:
    """Ticket reads for :class:`deskframe.desk.Desk` (a part of :class:`deskframe.store.Repository`)."""

    session: Session
    now: dt.datetime
    search_languages: tuple[str, ...]

    #: from :class:`~.ticket_repo.TicketRepo`, the other half of the same Repository
    agent_login: Callable[[int | None], str | None]
    keep_queue_name: Callable[[int, str | None], None]
    #: from :class:`~.sla_repo.SlaRepo`, another part of the same Repository
    keep_clock_values: Callable[[int, list[ClockValues]], None]

    def article_view(
        self, row: ArticleRow, *, attachments: bool = True, files: Iterable[AttachmentRow] | None = None
    ) -> Article:
        """The article value of ``row``; ``files``: its attachment rows when already read, else
        they are read here unless ``attachments`` is False."""
        if files is None:
            files = (
                self.session.scalars(
                    select(AttachmentRow).where(AttachmentRow.article_id == row.id).order_by(AttachmentRow.id)
                )
                if attachments
                else ()
            )
        values = (Attachment(f.filename, f.content_type, f.size, f.sha256, f.id) for f in files)
        return _article(row, self.agent_login(row.agent_id), values)

    def _names(self, row: TicketRow | Row[Any]) -> tuple[Any, ...]:
        """Queue, customer, contact, contract, owner, locker and merge target of a ticket: one query
        (none when :meth:`ticket_row_with_names` read them in this transaction)."""
        ids = _name_ids(row)
        cache = self.__dict__.setdefault("_name_cache", {})
        if ids in cache:
            return cache[ids]

        found = self.session.execute(_NAMES, dict(zip(_NAME_IDS, ids))).first()
        cache[ids] = tuple(found) if found else ("",) + (None,) * 7
        return cache[ids]

    def ticket_row_with_names(self, number: str) -> Row[Any]:
        """The ticket ``number`` as a Core row with the columns of :class:`~.rows.TicketRow` by
        the same names (for reading only; :class:`NotFound` if there is none) and, in the same
        statement, what :meth:`ticket_view`, the policy and the SLA clocks' view look up by its
        ids: the names, kept for this transaction, its queue's name, kept for ``queue_name``,
        and its clocks, kept for ``clock_values``."""
        found = core_rows(self.session, _TICKET_WITH_NAMES, {"number": number})
        if not found:
            raise NotFound(f"unknown ticket '{number}'")
        row = found[0]
        names = tuple(getattr(row, name) for name in _NAME_COLUMNS)
        self.__dict__.setdefault("_name_cache", {})[_name_ids(row)] = names
        self.keep_queue_name(row.queue_id, names[0])
        first_clock = len(row) - len(ClockValues._fields)
        clocks = [ClockValues._make(r[first_clock:]) for r in found if r.clock_id is not None]
        self.keep_clock_values(row.id, clocks)
        return row

    def ticket_view(self, row: TicketRow | Row[Any], *, full: bool = False) -> Ticket:
        articles: tuple[Article, ...] = ()
        history: tuple[HistoryEntry, ...] = ()
        if full:
            files: dict[int, list[Attachment]] = {}
            rows = []
            for a in core_rows(self.session, _ARTICLES_OF, {"ticket_id": row.id}):
                if a.id not in files:
                    rows.append(a)
                    files[a.id] = []
                if a.file_id is not None:
                    files[a.id].append(Attachment(a.file_name, a.file_type, a.file_size, a.file_sha256, a.file_id))
            articles = tuple(_article(a, a.agent_login, files[a.id]) for a in rows)
            history = tuple(self.history_entries(row))
        queue, customer, email, contact_name, contract, owner, locked_by, merged = self._names(row)
        return Ticket(
            number=row.number,
            subject=row.subject,
            state=row.state,
            state_type=row.state_type,
            priority=row.priority,
            queue=queue or "",
            created_at=row.created_at,
            updated_at=row.updated_at,
            customer=customer,
            contact=email or contact_name,
            contract=contract,
            owner=owner,
            locked_by=locked_by,
            line=row.line,
            channel=row.channel,
            merged_into=merged,
            articles=articles,
            history=history,
        )

    def ticket_views_by_id(self, ids: Iterable[int]) -> dict[int, Ticket]:
        """Ticket values (no articles, no history) for many ids in one query."""
        wanted = list(ids)
        if not wanted:
            return {}
        owner_row, locker = aliased(AgentRow), aliased(AgentRow)
        out: dict[int, Ticket] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            query = (
                select(
                    TicketRow,
                    QueueRow.name,
                    CustomerRow.key,
                    ContactRow.email,
                    ContractRow.key,
                    owner_row.login,
                    locker.login,
                )
                .join(QueueRow, TicketRow.queue_id == QueueRow.id)
                .outerjoin(CustomerRow, TicketRow.customer_id == CustomerRow.id)
                .outerjoin(ContactRow, TicketRow.contact_id == ContactRow.id)
                .outerjoin(ContractRow, TicketRow.contract_id == ContractRow.id)
                .outerjoin(owner_row, TicketRow.owner_id == owner_row.id)
                .outerjoin(locker, TicketRow.locked_by_id == locker.id)
                .where(TicketRow.id.in_(chunk))
            )
            for row, queue, customer, contact, contract, owner, locked_by in self.session.execute(query):
                out[row.id] = Ticket(
                    number=row.number,
                    subject=row.subject,
                    state=row.state,
                    state_type=row.state_type,
                    priority=row.priority,
                    queue=queue,
                    created_at=row.created_at,
                    updated_at=row.updated_at,
                    customer=customer,
                    contact=contact,
                    contract=contract,
                    owner=owner,
                    locked_by=locked_by,
                    line=row.line,
                    channel=row.channel,
                )
        return out

    def history_entries(self, row: TicketRow | Row[Any]) -> list[HistoryEntry]:
        """History of the ticket and of every ticket merged into it, oldest first."""
        found = core_rows(self.session, _HISTORY_WITH_MERGED, {"ticket_id": row.id})
        return [
            HistoryEntry(at=at, actor=actor, action=action, old=old, new=new, reason=reason, ticket=number)
            for at, actor, action, old, new, reason, number in found
        ]

    def list_tickets(
        self,
        *,
        state: str | None = None,
        state_types: Iterable[str] | None = None,
        queue: str | None = None,
        owner: str | None = None,
        customer: str | None = None,
        limit: int | None = 100,
        sla: str | None = None,
        now: dt.datetime | None = None,
        queues: Collection[str] | None = None,
        contact: str | None = None,
        priority: str | None = None,
        line: int | None = None,
        text: str | None = None,
        after: tuple[dt.datetime, int] | None = None,
        keep_id: bool = False,
    ) -> list[dict[str, Any]]:
        """Summary rows, most recently changed first; ``due`` is the earliest due time of the
        ticket's running SLA clocks. ``sla``: only tickets with a clock in ``warning`` (running,
        past its warning point, not yet due) or ``breached`` (overdue, see
        :func:`~deskframe.store.sla_repo.clock_category`) as of ``now``. ``queues`` (unless
        ``None``): only tickets in these queues; ``contact`` (an e-mail): only tickets opened by that
        contact (what a contact that is not a customer admin may list). :mod:`deskframe.store.quick_list` runs the same
        query without SQLAlchemy: change both (tests/core/test_quick_list.py compares them).

        The API's filters (the quick listing has none of them): ``priority``, ``line``, ``text``
        (tickets with an article matching every word, as :meth:`search`, at most
        :data:`MAX_TEXT_HITS` of them); ``after`` ``(updated_at, id)``: only rows after that one
        in this order (a keyset cursor); ``keep_id``: rows keep their ``id``."""
        from .sla_repo import clock_category  # sla_repo's module imports nothing of this one

        types = None if state_types is None else list(state_types)
        filters: dict[str, Any] = {
            "state": state or None,
            "state_type": types[0] if types is not None and len(types) == 1 else None,
            "state_types": types if types is not None and len(types) != 1 else None,
            "queue": queue or None,
            "queues": None if queues is None else list(queues),
            "owner": owner or None,
            "customer": customer or None,
            "contact": None if contact is None else contact.strip().lower(),
            "priority": priority or None,
            "line": line,
            "text_ids": None if text is None else ticket_ids(self.session, text, self.search_languages, MAX_TEXT_HITS),
            "after_at": None if after is None else after[0],
            "after_id": None if after is None else after[1],
            "limit": limit or None,
        }
        values = {k: v for k, v in filters.items() if v is not None}
        query = list_select(frozenset(values))
        if sla is not None:
            at = now or self.now
            if sla == "warning":
                hit = and_(
                    SlaClockRow.status == "running",
                    SlaClockRow.warn_at <= at,
                    SlaClockRow.due_at > at,
                    SlaClockRow.breached_at.is_(None),
                )
            else:
                hit = clock_category(at) == "overdue"
            query = query.where(
                select(SlaClockRow.id).where(SlaClockRow.ticket_id == TicketRow.id, hit).correlate(TicketRow).exists()
            )
        found = self.session.connection().execute(query, values)  # Core rows: no ORM result layer
        keys = tuple(found.keys())
        # all() first: the driver's fetchall and one pass, not the result's row-by-row iteration
        # (about a tenth of the page's read: 0.21 -> 0.18 ms for 50 rows)
        rows = [dict(zip(keys, r)) for r in found.all()]
        due = self._next_due([r["id"] for r in rows])  # for the listed tickets only, after the limit
        for row in rows:
            row["due"] = due.get(row["id"] if keep_id else row.pop("id"))
        return rows

    def _next_due(self, ticket_ids: list[int]) -> dict[int, dt.datetime]:
        """The earliest due time of each ticket's running SLA clocks (tickets without one left out)."""
        out: dict[int, dt.datetime] = {}
        connection = self.session.connection()
        for start in range(0, len(ticket_ids), 500):
            found = connection.execute(_NEXT_DUE, {"ids": ticket_ids[start : start + 500]}).all()
            out.update((ticket_id, due) for ticket_id, due in found)
        return out

    def search(
        self,
        words: str,
        limit: int = 50,
        *,
        queues: Collection[str] | None = None,
        customer: str | None = None,
        contact: str | None = None,
        visible_only: bool = False,
    ) -> list[dict[str, Any]]:
        """Tickets with an article whose subject or text holds every word of ``words`` (as written,
        as a stem in the search languages, or as a prefix for ``word*``); most relevant first, then
        the one with the newest matching article. ``queues`` (unless None), ``customer`` and
        ``contact`` (an e-mail) keep only such tickets, ``visible_only`` only articles visible to
        the customer (what a contact may search)."""
        scope = scope_sql(queues=queues, customer=customer, contact=contact, visible_only=visible_only)
        ordered = ticket_ids(self.session, words, self.search_languages, limit, scope)
        if not ordered:
            return []
        query = (
            select(
                TicketRow.id,
                TicketRow.number,
                TicketRow.subject,
                TicketRow.state,
                TicketRow.priority,
                TicketRow.updated_at,
                CustomerRow.key.label("customer"),
            )
            .outerjoin(CustomerRow, TicketRow.customer_id == CustomerRow.id)
            .where(TicketRow.id.in_(ordered[:limit]))
        )
        rows = {r.id: r for r in self.session.execute(query)}
        return [{k: v for k, v in rows[i]._mapping.items() if k != "id"} for i in ordered[:limit] if i in rows]

    def count_tickets(self) -> int:
        return self.session.scalar(select(func.count(TicketRow.id))) or 0
