"""The values of the outbox: what a plugin asks to send, how a channel delivers it, and what a
plugin may read while the change that causes a message is still open.

* :class:`OutboundMessage` - one message, fixed when it is enqueued (its Message-ID,
  recipients and bodies never change afterwards: a retry sends the same message);
* :class:`OutboundAttachment` - an attachment by blob reference (``sha256`` of the desk's
  blob store), so the outbox row stays small;
* :class:`Delivery` - what a channel plugin registers (``register_deliveries``) for one kind
  of message (``email``, ``chat``, ``file`` ...): how to send it, and optionally how to compose
  its bytes once at enqueue; the outbox itself knows no transport;
* :class:`DeliveryError` - a delivery that did not happen, temporary (retried with back-off)
  or permanent (the message becomes ``failed`` at once);
* :class:`ChangeView` - the read access the ``outbound_messages`` hook gets, inside the
  change's own transaction (it sees the change's uncommitted rows, also on SQLite);
* :class:`OutboxEntry` - one row of the outbox as ``desk.outbox`` lists and shows it.

See docs/outbox.md.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Protocol

import attrs

from .actors import Actor
from .directory import DirectoryView
from .model import Agent, Contact, Ticket

#: The states of an outbox message, in the order it passes them.
STATES = ("queued", "sending", "sent", "failed")
#: The domain of Message-IDs the outbox makes when a message has none and no sender domain.
FALLBACK_DOMAIN = "deskframe.invalid"


def _tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value)


def _headers(value: Any) -> tuple[tuple[str, str], ...]:
    items = value.items() if isinstance(value, dict) else value
    return tuple((str(k), str(v)) for k, v in items)


@attrs.frozen
class OutboundAttachment:
    """An attachment of an outgoing message, stored in the desk's blob store under ``sha256``."""

    sha256: str
    filename: str
    content_type: str = "application/octet-stream"


@attrs.frozen
class OutboundMessage:
    """One outgoing message, decided when it is enqueued.

    * ``kind`` - which registered :class:`Delivery` sends it (``email``, ``chat``, ``file`` ...);
    * ``recipients`` - addresses in the kind's own form (e-mail addresses, a chat conversation id);
    * ``subject``, ``text`` and ``html`` - the bodies (``html`` optional);
    * ``headers`` - extra header fields as (name, value) pairs (``In-Reply-To``, ``References``,
      ``Auto-Submitted`` ...); a dict is accepted and kept in order;
    * ``message_id`` - without angle brackets; ``None`` lets the outbox make one at enqueue
      (``<uuid>@<domain of sender, else deskframe.invalid>``); either way it is fixed from then on;
    * ``sender`` - the From address (``None``: the delivery's default, e.g. the channel's address);
    * ``channel`` - the configured channel whose settings deliver it (an ``email`` channel's SMTP
      server, a chat channel's callback URL);
    * ``ticket`` - the ticket number it belongs to, if any; ``article_id`` - the article it
      delivers, if any (the e-mail plugin marks that article sent once it is);
    * ``attachments`` - :class:`OutboundAttachment` values (blob references);
    * ``dedupe_key`` - a second message with the same key is not enqueued (``enqueue`` returns
      the first one's id): at most one message per key, ever;
    * ``topic`` - what it is (``reply``, ``autoreply``, ``notify.sla_breached`` ...): shown by
      ``outbox list`` and counted by :meth:`ChangeView.messages_to` (rate limits, daily caps);
    * ``data`` - small JSON-able values the delivery needs (a chat payload's fields);
    * ``raw`` - the message's bytes as its delivery sends them (an e-mail's RFC 5322 bytes),
      composed once when it is enqueued by its delivery's :attr:`Delivery.compose`; ``None``:
      the delivery composes it from the fields above at each attempt. A plugin leaves it
      ``None``: the outbox fills it in.
    """

    kind: str
    recipients: tuple[str, ...] = attrs.field(converter=_tuple)
    subject: str = ""
    text: str = ""
    html: str | None = None
    headers: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_headers)
    message_id: str | None = None
    sender: str | None = None
    channel: str | None = None
    ticket: str | None = None
    article_id: int | None = None
    attachments: tuple[OutboundAttachment, ...] = attrs.field(default=(), converter=_tuple)
    dedupe_key: str | None = None
    topic: str = ""
    data: dict[str, Any] = attrs.field(factory=dict)
    raw: bytes | None = attrs.field(default=None, repr=False)

    def header(self, name: str) -> str | None:
        """The value of extra header ``name`` (case-insensitive), or ``None``."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)


def _clean_recipient(value: str) -> str:
    text = str(value).strip()
    if not text or any(c in text for c in "\r\n\x00"):
        raise ValueError(f"not a recipient: {value!r}")
    return text


def fixed(message: OutboundMessage) -> OutboundMessage:
    """``message`` checked and with its Message-ID fixed (made here if it has none)."""
    if not isinstance(message, OutboundMessage):
        raise ValueError(f"not an OutboundMessage: {message!r}")
    if not message.kind.strip():
        raise ValueError("an outbound message needs a kind")
    for field, most in (("kind", 50), ("topic", 100), ("channel", 100), ("dedupe_key", 200), ("ticket", 40)):
        if len(getattr(message, field) or "") > most:
            raise ValueError(f"an outbound message's {field} is longer than {most} characters")
    recipients = tuple(_clean_recipient(r) for r in message.recipients)
    if not recipients:
        raise ValueError(f"an outbound message ({message.kind}, {message.subject[:60]!r}) needs a recipient")
    message_id = (message.message_id or "").strip().strip("<>").strip()
    if not message_id or any(c in message_id for c in " \t\r\n<>"):
        sender = message.sender or ""
        domain = sender.rsplit("@", 1)[1].strip("> ") if "@" in sender else ""
        message_id = f"{uuid.uuid4().hex}@{domain or FALLBACK_DOMAIN}"
    return attrs.evolve(message, recipients=recipients, message_id=message_id)


class DeliveryError(Exception):
    """A message was not delivered.

    ``permanent=False`` (the default): worth retrying (server down, timeout, 4xx); the outbox
    tries again with exponential back-off up to ``[outbox] max_attempts``. ``permanent=True``:
    retrying cannot help (address refused with 5xx, channel not configured); the message is
    ``failed`` at once (``deskframe outbox retry`` requeues it after a fix).
    """

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


#: Sends one message; returns when the far side accepted it, raises :class:`DeliveryError` otherwise.
Send = Callable[[OutboundMessage], None]
#: Reads a blob of the desk by its SHA-256 (``None`` if there is none): what ``compose`` gets.
BlobReader = Callable[[str], bytes | None]
#: Composes a message's bytes at enqueue (see :attr:`Delivery.compose`).
Compose = Callable[[OutboundMessage, Any, BlobReader], bytes | None]


@attrs.frozen
class Delivery:
    """How messages of one ``kind`` are delivered (registered with ``register_deliveries``).

    ``deliver(message, desk)`` sends one message and returns once the far side accepted it; it
    raises :class:`DeliveryError` (any other exception counts as a temporary error). It is called
    outside any transaction and must not write to the desk (the outbox records the outcome).

    ``session(desk)``, optional, opens a context for a batch (one SMTP connection for many
    messages): ``with session(desk) as send: send(message)``; a delivery pass uses it when given,
    else calls ``deliver`` once per message. Errors raised by ``send`` count per message; an error
    on entering the session counts for every message of the batch.

    ``compose(message, config, blob)``, optional, builds the message's bytes once, when it is
    enqueued (``config`` is the desk's :class:`~deskframe.config.Config`, ``blob(sha256)`` reads
    an attachment's bytes in the enqueuing transaction); the outbox stores them with the message
    (:attr:`OutboundMessage.raw`), and ``deliver``/``send`` then send those bytes instead of
    composing the message on every attempt. It runs inside the enqueuing change: it must only
    compute, never write or reach the network. If it raises (or returns ``None``), the message
    is stored without bytes and composed at delivery, where the error is reported as usual.

    ``pipelined=True`` (with a ``session``): its ``send(message, ready)`` takes a second argument
    and calls ``ready()`` once, right before the step after which the far side may accept the
    message (SMTP: the dot that ends the message's bytes, sent after the server's 354 answer to
    ``DATA`` and the bytes themselves). ``ready()`` returns once no other message of the pass is
    accepted but not yet recorded (the outbox records outcomes in a thread of its own meanwhile):
    the commit's round trips overlap the new message's first steps, and a crash still leaves at
    most one message accepted but not recorded. If ``ready()`` raises, ``send`` lets the exception
    through (it is not the message's error) and must not reuse the connection.

    ``parallel=True`` (with ``pipelined``): the outbox may open up to ``[outbox] sessions``
    sessions of a pass at once, each entered and used by a thread of its own (so a session must
    not share unlocked state with the others); they share the one gate, ``ready()``, so the crash
    window stays one message wide per worker. Without it a pass uses one session.
    """

    kind: str
    deliver: Callable[[OutboundMessage, Any], None]
    session: Callable[[Any], AbstractContextManager[Callable[..., None]]] | None = None
    description: str = ""
    compose: Compose | None = None
    pipelined: bool = False
    parallel: bool = False

    @property
    def name(self) -> str:
        """The registry name: the kind."""
        return self.kind


@attrs.frozen
class OutboxEntry:
    """One message in the outbox and where it stands.

    ``state`` is one of :data:`STATES`; ``attempts`` counts deliveries begun; ``next_attempt_at``
    is when a queued message is due; ``claimed_by`` and ``lease_until`` name the worker holding a
    ``sending`` message and until when (an expired lease is claimed again); ``last_error`` is the
    last delivery error.
    """

    id: int
    message: OutboundMessage
    state: str
    attempts: int
    enqueued_at: dt.datetime
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None = None
    last_error: str | None = None
    claimed_by: str | None = None
    lease_until: dt.datetime | None = None


class ChangeView(DirectoryView, Protocol):
    """Read access inside the transaction of a change, for ``outbound_messages``.

    It sees the change's own uncommitted rows (the new ticket, its first article, a clock just
    started), which a second connection would not (on SQLite it would even wait for the write
    lock). Its one write is :meth:`note` (a history line); never call ``desk`` services from the
    hook.
    """

    @property
    def now(self) -> dt.datetime:
        """The change's clock reading (aware UTC)."""

    @property
    def config(self) -> Any:
        """The desk's :class:`~deskframe.config.Config` (channels, canned responses, sections)."""

    def ticket(self, number: str, *, full: bool = False) -> Ticket | None:
        """The ticket as of this change; ``full=True`` adds its articles and history."""

    def contacts(self, customer: str) -> list[Contact]:
        """The contacts of a customer."""

    def agent(self, login: str) -> Agent | None:
        """The agent with this login."""

    def agents(self) -> list[Agent]:
        """Every agent."""

    def queue_agents(self, queue: str) -> list[Agent]:
        """The agents whose queue access (``Agent.queues``) names ``queue`` (its watchers)."""

    def next_due(self, number: str) -> dt.datetime | None:
        """The earliest due time of the ticket's running SLA clocks."""

    def cursor(self, channel: str, key: str) -> str | None:
        """A value of the channel cursor store (``desk.cursors``) as of this transaction: the
        plugin state a channel keeps (a chat conversation of a ticket, say)."""

    def blob(self, sha256: str) -> bytes | None:
        """The stored bytes of a blob (an article's raw message, an attachment)."""

    def account_language(self, address: str) -> str | None:
        """The language the agent or customer contact with this e-mail address chose for its pages
        (``en``, ``ru``; docs/web.md), or None when it chose none or there is no such account."""

    def messages_to(self, recipient: str, *, since: dt.datetime, topic: str | None = None) -> int:
        """How many outbox messages (any state, this change's included) were enqueued for
        ``recipient`` since ``since``, of ``topic`` if given: daily caps and rate limits."""

    def entries(self, ticket: str) -> Iterator[OutboxEntry]:
        """The outbox messages of a ticket, oldest first (this change's included)."""

    def note(
        self, number: str, action: str, *, actor: Actor, new: str | None = None, reason: str | None = None
    ) -> None:
        """Add a line to ticket ``number``'s history in this change (why a message was not
        enqueued, say): the view's one write. ``actor`` names the plugin (``Actor.plugin(...)``)."""
