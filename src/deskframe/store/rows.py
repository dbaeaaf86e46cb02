"""SQLAlchemy 2 table rows. Only ``deskframe.store`` imports this module."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import processors
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class DecimalText(TypeDecorator[Decimal]):
    """Exact decimals stored as text (SQLite has no decimal type; floats are never used for money)."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("floats are not stored as money or quantities")
        return str(Decimal(value))

    def process_result_value(self, value: str | None, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)


class FreeText(TypeDecorator[str]):
    """Text of unbounded length from outside (senders, subjects, ids, file names); NUL removed.

    PostgreSQL text cannot hold NUL characters and SQLite keeps them; neither has a
    use for them, so the store drops them on the way in (and in queries, so lookups
    match what was stored).
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            return value.replace("\x00", "")
        return value


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC everywhere."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware datetime")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.timezone.utc)

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        """:meth:`process_result_value` after the dialect's own conversion, in one function.

        SQLite keeps datetimes as text, which SQLAlchemy reads with ``datetime.fromisoformat``
        (``processors.str_to_datetime``): the text with ``+00:00`` appended is read as the same
        instant already aware, in one call, where ``replace(tzinfo=...)`` costs about six times
        the parsing (a ticket list page reads 100 datetimes). Text that already names an offset
        fails that and takes the general way, as every other dialect does."""
        parse = self.impl_instance.result_processor(dialect, coltype)
        utc = dt.timezone.utc
        if parse is not processors.str_to_datetime:
            return super().result_processor(dialect, coltype)
        read = dt.datetime.fromisoformat

        def aware(value: Any) -> dt.datetime | None:
            if value is None:
                return None
            try:
                found = read(value + "+00:00")
            except (TypeError, ValueError):  # not plain ISO text without an offset
                found = None
            if found is None or found.tzinfo is not utc:  # e.g. a date alone: the offset is not read
                return parse(value).replace(tzinfo=utc)
            return found

        return aware


class Base(DeclarativeBase):
    """Declarative base of every deskframe table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


def table_of(row_type: type[Base]) -> Table:
    """The Core :class:`~sqlalchemy.Table` of a row class, for Core statements (``__table__`` is
    declared as a ``FromClause``; on a class mapped by ``__tablename__`` it is always a ``Table``)."""
    return cast(Table, row_type.__table__)


class CustomerRow(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(FreeText(), unique=True)
    name: Mapped[str] = mapped_column(FreeText())
    created_at: Mapped[dt.datetime]
    inn: Mapped[str | None] = mapped_column(String(12))
    kpp: Mapped[str | None] = mapped_column(String(9))
    address: Mapped[str | None] = mapped_column(Text)


class CustomerDomainRow(Base):
    __tablename__ = "customer_domains"
    domain: Mapped[str] = mapped_column(FreeText(), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)


class ContactRow(Base):
    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(FreeText())
    email: Mapped[str | None] = mapped_column(FreeText(), unique=True)
    phone: Mapped[str | None] = mapped_column(FreeText())
    phone_digits: Mapped[str | None] = mapped_column(FreeText(), index=True)
    created_at: Mapped[dt.datetime]
    #: Sees all of its customer's tickets in the portal, not only its own (migration 0015).
    customer_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: argon2 hash of the portal password; None: no portal login (migration 0015).
    password_hash: Mapped[str | None] = mapped_column(Text)
    #: The portal's language chosen by the contact (``en``, ``ru``); None: Accept-Language (migration 0025).
    language: Mapped[str | None] = mapped_column(String(8))


class AgentRow(Base):
    __tablename__ = "agents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(FreeText(), unique=True)
    name: Mapped[str] = mapped_column(FreeText())
    role: Mapped[str] = mapped_column(FreeText())
    line: Mapped[int] = mapped_column(Integer)
    email: Mapped[str | None] = mapped_column(FreeText())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: ``admin`` (everything) or ``agent`` (rights per queue); ``role`` above keys rate cards (migration 0015).
    access: Mapped[str] = mapped_column(String(10), default="agent", server_default="agent")
    #: argon2 hash of the login password; None: no password login (migration 0015).
    password_hash: Mapped[str | None] = mapped_column(Text)
    #: The pages' language chosen by the agent (``en``, ``ru``); None: Accept-Language (migration 0025).
    language: Mapped[str | None] = mapped_column(String(8))


class QueueRow(Base):
    __tablename__ = "queues"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(FreeText(), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")


class ContractRow(Base):
    __tablename__ = "contracts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    support_type: Mapped[str] = mapped_column(String(100))
    sla: Mapped[str | None] = mapped_column(String(100))
    pricing: Mapped[str | None] = mapped_column(String(100))
    params: Mapped[dict[str, Any]]
    channels: Mapped[list[Any]]
    lines: Mapped[list[Any]]
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class TicketRow(Base):
    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(FreeText(), unique=True)
    subject: Mapped[str] = mapped_column(FreeText())
    state: Mapped[str] = mapped_column(String(100), index=True)
    state_type: Mapped[str] = mapped_column(String(20), index=True)
    priority: Mapped[str] = mapped_column(String(4))
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    locked_at: Mapped[dt.datetime | None]
    line: Mapped[int] = mapped_column(Integer, default=1)
    channel: Mapped[str | None] = mapped_column(String(100))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class ArticleRow(Base):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    direction: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str | None] = mapped_column(String(100))
    sender: Mapped[str | None] = mapped_column(FreeText())
    recipients: Mapped[list[Any]]
    subject: Mapped[str] = mapped_column(FreeText())
    text: Mapped[str] = mapped_column(FreeText())
    html: Mapped[str | None] = mapped_column(FreeText())
    message_id: Mapped[str | None] = mapped_column(FreeText())  # hash index on PostgreSQL (see below)
    references: Mapped[list[Any]]
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    visible: Mapped[bool] = mapped_column(Boolean, default=True)
    raw_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]


class AttachmentRow(Base):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    filename: Mapped[str] = mapped_column(FreeText())
    content_type: Mapped[str] = mapped_column(FreeText())
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))


class HistoryRow(Base):
    __tablename__ = "history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[dt.datetime]
    actor: Mapped[str | None] = mapped_column(FreeText())
    action: Mapped[str] = mapped_column(String(50))
    old: Mapped[str | None] = mapped_column(FreeText())
    new: Mapped[str | None] = mapped_column(FreeText())
    reason: Mapped[str | None] = mapped_column(FreeText())


class TimeEntryRow(Base):
    __tablename__ = "time_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    minutes: Mapped[int] = mapped_column(Integer)
    work_date: Mapped[dt.date] = mapped_column(Date, index=True)
    note: Mapped[str] = mapped_column(FreeText(), default="")
    billable: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime]
    billed_externally: Mapped[bool] = mapped_column(Boolean, default=False)
    edited_at: Mapped[dt.datetime | None]
    edited_by: Mapped[str | None] = mapped_column(String(100))
    voided_at: Mapped[dt.datetime | None]
    voided_by: Mapped[str | None] = mapped_column(String(100))
    void_reason: Mapped[str | None] = mapped_column(Text)


class TicketCounterRow(Base):
    __tablename__ = "ticket_counters"
    key: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class ChannelCursorRow(Base):
    __tablename__ = "channel_cursors"
    channel: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(FreeText(), primary_key=True)
    value: Mapped[str] = mapped_column(FreeText())
    updated_at: Mapped[dt.datetime]


class ExternalIdRow(Base):
    __tablename__ = "external_ids"
    __table_args__ = (UniqueConstraint("namespace", "kind", "external_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    namespace: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(50))
    external_id: Mapped[str] = mapped_column(FreeText())
    local_id: Mapped[str] = mapped_column(FreeText())


class IntakeKeyRow(Base):
    """Which (channel, external id) has become which article: the dedupe table.

    The external id (``key``) is whatever the source says, of any length; the primary
    key holds its SHA-256 (:func:`deskframe.store.ticket_repo.intake_key_hash`).
    """

    __tablename__ = "intake_keys"
    channel: Mapped[str] = mapped_column(String(100), primary_key=True)
    key_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(FreeText())
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))


class QuarantineRow(Base):
    """A message intake could not store: raw bytes kept (in the blob store) with the reason."""

    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(100), index=True)
    external_id: Mapped[str] = mapped_column(FreeText())
    reason: Mapped[str] = mapped_column(FreeText())
    raw_sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(20), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    ticket_number: Mapped[str | None] = mapped_column(FreeText())
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class SlaClockRow(Base):
    """One SLA clock of a ticket: due times, pause credit, and warning/breach marks set once."""

    __tablename__ = "sla_clocks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(50))
    policy: Mapped[str] = mapped_column(String(100))
    calendar: Mapped[str] = mapped_column(String(100))
    stop_on: Mapped[str] = mapped_column(String(20))
    pause_on: Mapped[list[Any]]
    escalate_to: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[dt.datetime]
    due_base: Mapped[dt.datetime]
    warn_base: Mapped[dt.datetime | None]
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    warn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    paused_at: Mapped[dt.datetime | None]
    paused_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    stopped_at: Mapped[dt.datetime | None]
    warned_at: Mapped[dt.datetime | None]
    breached_at: Mapped[dt.datetime | None]
    #: Working microseconds from ``started_at`` to ``stopped_at`` in the clock's calendar (pause
    #: credit not subtracted), set when the clock stops; None while it runs and for clocks
    #: stopped before migration 0026 (readers compute those from the calendar).
    business_us: Mapped[int | None] = mapped_column(BigInteger)
    #: Working microseconds from ``started_at`` to ``due_base`` in the clock's calendar (its
    #: target), set when the clock starts; None for clocks started before migration 0027.
    target_us: Mapped[int | None] = mapped_column(BigInteger)


class EstimateRow(Base):
    """The agreed estimate of a ticket's work."""

    __tablename__ = "estimates"
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    hours: Mapped[Decimal] = mapped_column(DecimalText())
    approved_at: Mapped[dt.datetime | None]
    approved_by: Mapped[str | None] = mapped_column(FreeText())
    updated_at: Mapped[dt.datetime]


class InvoiceRow(Base):
    """An invoice or credit note; immutable once issued."""

    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[Decimal] = mapped_column(DecimalText())
    tax_rate: Mapped[Decimal] = mapped_column(DecimalText())
    tax: Mapped[Decimal] = mapped_column(DecimalText())
    total: Mapped[Decimal] = mapped_column(DecimalText())
    held: Mapped[list[Any]]
    vendor: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]
    issued_at: Mapped[dt.datetime | None]
    credit_for_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    link_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    buyer: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class InvoiceLineRow(Base):
    """A line of an invoice; :class:`InvoiceLineEntryRow` links it to the time entries it bills."""

    __tablename__ = "invoice_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal] = mapped_column(DecimalText())
    unit: Mapped[str] = mapped_column(String(20))
    unit_price: Mapped[Decimal] = mapped_column(DecimalText())
    amount: Mapped[Decimal] = mapped_column(DecimalText())
    ticket: Mapped[str | None] = mapped_column(FreeText())
    agent: Mapped[str | None] = mapped_column(FreeText())
    work_date: Mapped[dt.date | None] = mapped_column(Date)
    original_date: Mapped[dt.date | None] = mapped_column(Date)
    estimate_hours: Mapped[Decimal | None] = mapped_column(DecimalText())
    details: Mapped[dict[str, Any]]


class InvoiceLineEntryRow(Base):
    """A time entry billed by an invoice line: at most one line per entry (the primary key).

    A table of its own rather than a column of ``time_entries``: an invoice run writes
    one row per billed entry, appended in entry order, instead of rewriting the pages of
    the time entries table; an unbilled entry is one without a row here.

    ``entry_id`` has no foreign key on purpose: time entries are never deleted (merging
    tickets moves them), the ledger links only entries it has just read in the same
    transaction, and the check would cost a look-up in ``time_entries`` per billed
    entry - about a third of an invoice run's linking time on SQLite.
    """

    __tablename__ = "invoice_line_entries"
    entry_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    line_id: Mapped[int] = mapped_column(ForeignKey("invoice_lines.id", ondelete="CASCADE"), index=True)


class PaymentRow(Base):
    """Money received against an issued invoice; several partial payments add up."""

    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", name="fk_payments_invoice_id"), index=True)
    amount: Mapped[Decimal] = mapped_column(DecimalText())
    paid_on: Mapped[dt.date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(200))
    actor: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime]


class TicketCountRow(Base):
    """Tickets per queue and state type: ``n`` summed over a key's rows (one row per key on
    SQLite, delta rows compacted now and then on PostgreSQL). Kept by triggers on ``tickets``
    (migration 0021), never written by the application."""

    __tablename__ = "ticket_counts"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    queue_id: Mapped[int] = mapped_column(Integer)
    state_type: Mapped[str] = mapped_column(String(20))
    n: Mapped[int] = mapped_column(BigInteger)


class InvoiceSeriesRow(Base):
    """The last number issued in a series: numbers are drawn in the issuing transaction, so gapless."""

    __tablename__ = "invoice_series"
    series: Mapped[str] = mapped_column(String(40), primary_key=True)
    last: Mapped[int] = mapped_column(BigInteger)


Index("ix_sla_clocks_status_due", SlaClockRow.status, SlaClockRow.due_at)
Index("ix_tickets_state_updated", TicketRow.state, TicketRow.updated_at)
Index("ix_tickets_queue_owner_updated", TicketRow.queue_id, TicketRow.owner_id, TicketRow.updated_at)
Index("ix_tickets_contact_customer_updated", TicketRow.contact_id, TicketRow.customer_id, TicketRow.updated_at)  # 0028
Index("ix_tickets_state_type_queue", TicketRow.state_type, TicketRow.queue_id)  # the pages' queue counts
Index("ix_tickets_merged_into_id", TicketRow.merged_into_id)
Index("ix_ticket_counts_key", TicketCountRow.state_type, TicketCountRow.queue_id, TicketCountRow.n)
Index("ix_articles_ticket_created", ArticleRow.ticket_id, ArticleRow.created_at)
Index("ix_history_ticket_at", HistoryRow.ticket_id, HistoryRow.at)
# a period's time of a customer's tickets (reports), not every entry the tickets ever had, summed
# from the index alone (it covers every column the sums read: migration 0026)
Index(
    "ix_time_entries_ticket_work_date_cover",
    TimeEntryRow.ticket_id,
    TimeEntryRow.work_date,
    TimeEntryRow.agent_id,
    TimeEntryRow.billable,
    TimeEntryRow.minutes,
    TimeEntryRow.voided_at,
)
# a B-tree entry is at most ~2.7 kB on PostgreSQL: Message-IDs of any length get a hash index there
Index("ix_articles_message_id", ArticleRow.message_id, postgresql_using="hash")
