"""Frozen domain values: what the core and plugins pass around.

These are plain values with no database behind them. Serialization lives in
:mod:`deskframe.serialize`, storage in :mod:`deskframe.store`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

#: The state types every configured state maps to.
STATE_TYPES = ("new", "open", "pending", "resolved", "closed", "merged")
#: Canonical priority levels; their display names are configurable.
PRIORITY_LEVELS = ("P1", "P2", "P3", "P4")
#: Directions of an article.
DIRECTIONS = ("in", "out", "internal")


def _tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value or ())


@attrs.frozen
class Customer:
    """An organization the vendor supports (``key`` is the CLI handle).

    ``inn``, ``kpp`` and ``address`` are the buyer's details printed on invoices (optional).
    """

    key: str
    name: str
    domains: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    inn: str | None = None
    kpp: str | None = None
    address: str | None = None


@attrs.frozen
class Contact:
    """A person at a customer (or, for unknown senders, at no customer yet).

    ``customer_admin`` lets the contact see all of its customer's tickets in the portal (not
    only its own); None when not stated: an update then keeps the stored value (new: false).
    """

    name: str
    email: str | None = None
    phone: str | None = None
    customer: str | None = None
    customer_admin: bool | None = None


@attrs.frozen
class Agent:
    """A vendor's support engineer; ``role`` keys rate cards, ``line`` is 1, 2 or 3.

    ``access`` is ``admin`` (may do everything) or ``agent`` (rights per queue);
    ``queues`` maps queue names to ``read`` or ``write``. None when not stated: an
    update then keeps the stored values (new agents: ``agent`` without queue rights).
    """

    login: str
    name: str
    role: str = "engineer"
    line: int = 1
    email: str | None = None
    access: str | None = None
    queues: dict[str, str] | None = None


@attrs.frozen
class Queue:
    """A named work queue tickets sit in."""

    name: str
    description: str = ""


@attrs.frozen
class Contract:
    """What a customer bought: support type, SLA policy, pricing model and its inputs."""

    key: str
    customer: str
    support_type: str
    sla: str | None = None
    pricing: str | None = None
    params: dict[str, Any] = attrs.field(factory=dict)
    channels: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    lines: tuple[int, ...] = attrs.field(default=(1, 2, 3), converter=_tuple)
    start: dt.date | None = None
    end: dt.date | None = None

    def active_on(self, day: dt.date) -> bool:
        """True if the contract runs on ``day``."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@attrs.frozen
class Attachment:
    """A file attached to an article, stored in the content-addressed blob store; ``id``
    names it for download (``GET /api/v1/attachments/{id}``)."""

    filename: str
    content_type: str
    size: int
    sha256: str
    id: int | None = None


@attrs.frozen
class Article:
    """One message of a ticket's correspondence (or an internal note)."""

    id: int
    direction: str
    channel: str | None
    sender: str | None
    recipients: tuple[str, ...]
    subject: str
    text: str
    html: str | None
    message_id: str | None
    created_at: dt.datetime
    agent: str | None = None
    visible_to_customer: bool = True
    raw_sha256: str | None = None
    attachments: tuple[Attachment, ...] = ()


@attrs.frozen
class HistoryEntry:
    """One change to a ticket: who did what when, with old and new values."""

    at: dt.datetime
    actor: str | None
    action: str
    old: str | None = None
    new: str | None = None
    reason: str | None = None
    ticket: str | None = None


@attrs.frozen
class Ticket:
    """A request and its whole correspondence."""

    number: str
    subject: str
    state: str
    state_type: str
    priority: str
    queue: str
    created_at: dt.datetime
    updated_at: dt.datetime
    customer: str | None = None
    contact: str | None = None
    contract: str | None = None
    owner: str | None = None
    locked_by: str | None = None
    line: int = 1
    channel: str | None = None
    merged_into: str | None = None
    articles: tuple[Article, ...] = ()
    history: tuple[HistoryEntry, ...] = ()


@attrs.frozen
class TimeEntry:
    """Time an agent spent on a ticket; billing reads these."""

    id: int
    ticket: str
    agent: str
    minutes: int
    work_date: dt.date
    note: str = ""
    billable: bool = True
    customer: str | None = None
    created_at: dt.datetime | None = None
    edited_at: dt.datetime | None = None
    edited_by: str | None = None
    voided_at: dt.datetime | None = None
    voided_by: str | None = None
    void_reason: str | None = None


@attrs.frozen
class InboundAttachment:
    """An attachment as a channel hands it over, before it is stored."""

    filename: str
    content_type: str
    data: bytes


@attrs.frozen
class InboundMessage:
    """What a channel yields for each message it fetched.

    ``external_id`` identifies the message within its channel (an IMAP UID, a
    Message-ID, a chat message id); intake deduplicates on (channel, external_id).
    ``references`` lists message ids this one answers (In-Reply-To, References).
    ``headers`` carries the source's control headers (lower-cased names). Only when
    the channel sets ``trusted`` does intake honour ``x-deskframe-queue`` and
    ``x-deskframe-priority`` there for a new ticket. ``received_at`` (aware) is when
    the source received the message (Maildir delivery, IMAP INTERNALDATE, the Date
    header); the article keeps it unless it lies after the desk's clock, which wins then.
    """

    channel: str
    external_id: str
    received_at: dt.datetime
    sender: str
    subject: str
    text: str
    html: str | None = None
    sender_name: str | None = None
    recipients: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    message_id: str | None = None
    references: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    attachments: tuple[InboundAttachment, ...] = attrs.field(default=(), converter=_tuple)
    raw: bytes | None = None
    headers: dict[str, str] = attrs.field(factory=dict)
    ticket_number: str | None = None
    trusted: bool = False


@attrs.frozen
class Unparseable:
    """What a channel yields for a message it could not parse: kept raw in quarantine.

    The core stores ``raw`` with ``reason`` and then acknowledges the message, so
    the loop goes on with the next one and nothing is lost.
    """

    channel: str
    external_id: str
    raw: bytes
    reason: str


@attrs.frozen
class Route:
    """Where an inbound message goes: the answer of the ``route_message`` hook.

    Any field left ``None`` is filled by the core's defaults.
    """

    customer: str | None = None
    contact_email: str | None = None
    contact_name: str | None = None
    contract: str | None = None
    queue: str | None = None
    priority: str | None = None
    contact_phone: str | None = None


@attrs.frozen
class IntakeResult:
    """The outcome of :meth:`deskframe.services.intake.IntakeService.receive` for one message."""

    ticket: str
    article_id: int | None
    created: bool
    duplicate: bool = False


@attrs.frozen
class ApiToken:
    """An API token as listed (the secret itself is shown once, at creation, and never stored).

    Exactly one of ``agent`` (a login) and ``contact`` (an e-mail address) is set.
    """

    id: int
    name: str
    created_at: dt.datetime
    agent: str | None = None
    contact: str | None = None
    expires_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None

    def state(self, now: dt.datetime) -> str:
        """``active``, ``expired`` or ``revoked`` at ``now``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


@attrs.frozen
class AuditEntry:
    """One audit record: ``kind`` (``login``, ``login_failed``, ``token_created`` ...), who, from where."""

    id: int
    at: dt.datetime
    kind: str
    actor_kind: str | None = None
    actor: str | None = None
    address: str | None = None
    detail: str | None = None


@attrs.frozen
class PluginRecord:
    """One record a plugin keeps in the core's store (``desk.records(plugin)``, docs/plugins.md).

    ``data`` is the JSON object the plugin stored; ``created_by`` / ``updated_by`` name the
    actor of the first and the last write (``agent:kate``, ``operator``, ``plugin:name``).
    """

    plugin: str
    kind: str
    key: str
    data: dict[str, Any]
    created_at: dt.datetime
    created_by: str
    updated_at: dt.datetime
    updated_by: str
