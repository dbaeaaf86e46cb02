"""The ``email`` delivery: outbox messages over SMTP (``smtplib``), one connection per channel and session.

A message's bytes are built by :func:`compose` from what was fixed at enqueue (:mod:`.outbound`):
its Message-ID, recipients, subject, body, ``Date``, threading headers and attachments (read
from the desk's blobs by their references). The outbox calls it
once, when the message is enqueued, and stores the bytes with the message; a delivery then only
sends them, so every attempt sends the same bytes. (A message stored without them - enqueued
before they were kept, or whose composing failed then - is composed when it is sent.) The SMTP
server is the one of the message's ``channel`` (an ``email`` channel), else of the first
``email`` channel with an ``smtp`` URL.

Errors: a 5xx answer (recipient refused, authentication failed) or a channel without SMTP is
permanent (the message becomes ``failed``; ``deskframe outbox retry`` after the fix); anything
else (connection refused, timeout, 4xx) is temporary and retried with back-off.
"""

from __future__ import annotations

import contextlib
import email.utils
import re
import smtplib
import socket
from collections.abc import Callable, Iterator
from typing import Any, cast

from deskframe.outbound import BlobReader, DeliveryError, OutboundMessage

from .compose import compose_reply
from .network import login_user, tls_context
from .settings import TYPE, EmailSettings, parse_settings, password

#: Headers the composer sets from the message itself rather than copying them.
_THREADING = {"in-reply-to", "references", "date", "auto-submitted", "x-auto-response-suppress", "x-loop"}
#: The fields compose_reply sets itself from the message in every case.
_OWN = {"in-reply-to", "references", "date"}


def settings_for(config: Any, message: OutboundMessage) -> EmailSettings:
    """The e-mail channel (of the desk's ``config``) that sends ``message`` (permanent
    :class:`DeliveryError` if none can)."""
    tables = [config.channel(message.channel)] if message.channel else []
    tables += [t for t in config.channels if t.get("type") == TYPE and t.get("smtp")]
    for table in tables:
        if table is not None and table.get("type") == TYPE:
            settings = parse_settings(table, base_dir=getattr(config, "base_dir", None))
            if settings.smtp is not None:
                return settings
    raise DeliveryError(f"no e-mail channel with an smtp server for channel {message.channel!r}", permanent=True)


def _attachments(message: OutboundMessage, blob: BlobReader | None) -> list[tuple[str, str, bytes]]:
    found = []
    for attachment in message.attachments:
        data = blob(attachment.sha256) if blob is not None else None
        if data is None:
            raise DeliveryError(f"attachment {attachment.filename!r}: blob {attachment.sha256} is not stored")
        found.append((attachment.filename, attachment.content_type, data))
    return found


def message_bytes(
    message: OutboundMessage, settings: EmailSettings, subject_hook: str, blob: BlobReader | None = None
) -> bytes:
    """The RFC 5322 bytes of ``message`` (the same on every attempt); ``blob(sha256)`` reads its
    attachments (a missing one is a temporary :class:`DeliveryError`)."""
    names = message.data.get("names") or {}
    date = message.header("Date")
    auto = (message.header("Auto-Submitted") or "").lower() == "auto-replied"
    references = (message.header("References") or "").split()
    try:
        return compose_reply(
            from_addr=(str(message.data.get("from_name") or ""), message.sender or settings.address),
            to_addrs=[(str(names.get(r, "")), r) for r in message.recipients],
            subject=message.subject,
            body=message.text,
            html=message.html,
            ticket_number=message.ticket,
            subject_hook=subject_hook,
            in_reply_to=message.header("In-Reply-To"),
            references=references,
            message_id_domain=settings.domain,
            auto=auto,
            loop_address=message.header("X-Loop") if auto else None,
            message_id=message.message_id,
            date=email.utils.parsedate_to_datetime(date) if date else None,
            # an automatic message that is not an auto-reply (a notification: Auto-Submitted:
            # auto-generated) keeps its own Auto-Submitted, X-Auto-Response-Suppress and X-Loop
            extra_headers=[(k, v) for k, v in message.headers if k.lower() not in (_THREADING if auto else _OWN)],
            attachments=_attachments(message, blob),
        )
    except ValueError as exc:  # an address or Message-ID that cannot be sent: retrying will not help
        raise DeliveryError(f"cannot compose: {exc}", permanent=True) from None


def compose(message: OutboundMessage, config: Any, blob: BlobReader) -> bytes:
    """The delivery's ``compose``: ``message``'s bytes, made once when it is enqueued."""
    return message_bytes(message, settings_for(config, message), config.tickets.subject_hook, blob)


#: A line of a message that starts with a dot, which SMTP's DATA doubles (RFC 5321, 4.5.2).
_LEADING_DOT = re.compile(rb"(?m)^\.")


#: An address smtplib's ``quoteaddr`` would return as it is, in angle brackets (a dot-atom local
#: part and domain): quoted here without its RFC 2822 parser, which cost more CPU than the rest of
#: ``MAIL`` and ``RCPT`` together.
_PLAIN_ADDRESS = re.compile(
    r"(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+\.)*[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9-]+\.)*[A-Za-z0-9-]+\Z"
)


def quote_address(address: str) -> str:
    """``<address>`` for ``MAIL FROM``/``RCPT TO``, as :func:`smtplib.quoteaddr` makes it."""
    return f"<{address}>" if _PLAIN_ADDRESS.match(address) else smtplib.quoteaddr(address)


class _Gated:
    """An SMTP client whose ``DATA`` waits at the gate: once the server answered 354 and the
    message's bytes are out, and before the dot that ends them (after which the server may accept
    the message), it calls ``gate()``. ``MAIL`` and ``RCPT`` quote a plain address without
    smtplib's address parser (:func:`quote_address`)."""

    gate: Callable[[], None] | None = None

    def mail(self, sender: str, options: Any = ()) -> tuple[int, bytes]:
        client = cast("smtplib.SMTP", self)
        optionlist = ""
        if options and client.does_esmtp:
            if any(x.lower() == "smtputf8" for x in options):
                return smtplib.SMTP.mail(client, sender, options)  # its checks and encoding
            optionlist = " " + " ".join(options)
        client.putcmd("mail", f"FROM:{quote_address(sender)}{optionlist}")
        return client.getreply()

    def rcpt(self, recip: str, options: Any = ()) -> tuple[int, bytes]:
        client = cast("smtplib.SMTP", self)
        optionlist = " " + " ".join(options) if options and client.does_esmtp else ""
        client.putcmd("rcpt", f"TO:{quote_address(recip)}{optionlist}")
        return client.getreply()

    def data(self, msg: Any) -> tuple[int, bytes]:
        gate = self.gate
        client = cast("smtplib.SMTP", self)
        if gate is None or not isinstance(msg, bytes):
            return smtplib.SMTP.data(client, msg)
        client.putcmd("data")
        code, reply = client.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        quoted = _LEADING_DOT.sub(b"..", msg)
        if not quoted.endswith(b"\r\n"):
            quoted += b"\r\n"
        client.send(quoted)  # without the final dot the server cannot accept anything yet
        gate()
        client.send(b".\r\n")
        return client.getreply()


class GatedSMTP(_Gated, smtplib.SMTP):
    """:class:`smtplib.SMTP` with the gate before a message's bytes."""


class GatedSMTPSSL(_Gated, smtplib.SMTP_SSL):
    """:class:`smtplib.SMTP_SSL` with the gate before a message's bytes."""


def connect(settings: EmailSettings) -> GatedSMTP | GatedSMTPSSL:
    """An open, greeted and (if the URL says so) TLS-secured and logged-in SMTP connection."""
    server = settings.smtp
    if server is None:
        raise DeliveryError(f"channel {settings.name} has no smtp server configured", permanent=True)
    secret = password(settings)
    context = tls_context(settings) if server.tls in ("ssl", "starttls") else None  # loading the CAs is slow
    if server.tls == "ssl":
        client: GatedSMTP | GatedSMTPSSL = GatedSMTPSSL(
            server.host, server.port, local_hostname=settings.domain, timeout=settings.timeout, context=context
        )
    else:
        client = GatedSMTP(server.host, server.port, local_hostname=settings.domain, timeout=settings.timeout)
    try:
        # the message's bytes and its final dot are two writes (the gate is between them): without
        # this, Nagle's algorithm holds the dot back until the server acknowledges the bytes, which
        # it may delay (up to 40 ms on Linux)
        if client.sock is not None:
            with contextlib.suppress(OSError):
                client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if server.tls == "starttls":
            client.starttls(context=context)
            client.ehlo()
        client.ehlo_or_helo_if_needed()
        if secret is not None and client.has_extn("auth"):
            client.login(login_user(settings, server), secret)
    except BaseException:
        client.close()
        raise
    return client


def _error(settings: EmailSettings, exc: Exception) -> DeliveryError:
    where = settings.smtp.display() if settings.smtp else settings.name
    if isinstance(exc, DeliveryError):
        return exc
    permanent = False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        permanent = bool(codes) and all(code >= 500 for code in codes)
    elif isinstance(exc, smtplib.SMTPResponseException):
        permanent = exc.smtp_code >= 500
    return DeliveryError(f"{where}: {type(exc).__name__}: {exc}", permanent=permanent)


class SmtpSession:
    """SMTP connections of one session of a delivery pass, one per channel, opened on first use (a
    pass may run several sessions side by side, each in a thread of its own: ``[outbox] sessions``)."""

    def __init__(self, desk: Any):
        self.desk = desk
        self.clients: dict[str, GatedSMTP | GatedSMTPSSL] = {}
        #: The settings by message channel, parsed once per pass (the configuration does not change in it).
        self.settings: dict[str | None, EmailSettings] = {}

    def blob(self, sha256: str) -> bytes | None:
        """An attachment's bytes from the desk's blob store (None if it has none)."""
        blobs = getattr(self.desk, "blobs", None)
        try:
            return blobs.get(sha256) if blobs is not None else None
        except (OSError, ValueError):
            return None

    def send(self, message: OutboundMessage, ready: Callable[[], None] | None = None) -> None:
        """Send ``message`` over its channel's connection (:class:`DeliveryError` if it was not
        accepted). ``ready()`` is called once the server answered ``DATA`` and the message's bytes
        are out, before the dot that ends them (the outbox's gate: ``Delivery.pipelined``)."""
        settings = self.settings.get(message.channel)
        if settings is None:
            settings = self.settings[message.channel] = settings_for(self.desk.config, message)
        data = message.raw
        if data is None:
            data = message_bytes(message, settings, self.desk.config.tickets.subject_hook, self.blob)
        client = None
        try:
            client = self.clients.get(settings.name)
            if client is None:
                client = self.clients[settings.name] = connect(settings)
            client.gate = ready
            client.sendmail(message.sender or settings.address, list(message.recipients), data)
        except DeliveryError:
            raise
        except Exception as exc:  # smtplib and socket errors, an unset password variable ...
            self.drop(settings.name)
            raise _error(settings, exc) from None
        except BaseException:  # the gate gave up (the pass stops) mid-DATA: the connection cannot be reused
            self.drop(settings.name)
            raise
        finally:
            if client is not None:
                client.gate = None

    def drop(self, name: str) -> None:
        client = self.clients.pop(name, None)
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()

    def close(self) -> None:
        for name in list(self.clients):
            client = self.clients[name]
            with contextlib.suppress(Exception):
                client.quit()
            self.drop(name)


@contextlib.contextmanager
def session(desk: Any) -> Iterator[Callable[..., None]]:
    """The delivery's batch context: one connection per channel for the session."""
    smtp = SmtpSession(desk)
    try:
        yield smtp.send
    finally:
        smtp.close()


def deliver(message: OutboundMessage, desk: Any) -> None:
    """Send one message on a connection of its own."""
    with session(desk) as send:
        send(message)
