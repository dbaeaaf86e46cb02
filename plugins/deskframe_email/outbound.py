"""Outgoing mail: agents' replies and automatic acknowledgements, sent over SMTP (``smtplib``).

* :func:`deliver` (``article_added`` / ``ticket_opened`` with an outbound article):
  a visible ``out`` article whose channel (else its ticket's channel) is an
  ``email`` channel goes to the ticket's contact, with ``[Ticket#N]`` in the
  subject, a new Message-ID and In-Reply-To/References taken from the ticket's
  articles. Success is recorded with ``desk.tickets.mark_sent`` (so answers thread by
  References); a failure with a ``email_delivery_failed`` history entry. The
  reply itself is never rolled back.
* :func:`acknowledge` (``ticket_opened`` by an e-mail channel with ``autoreply``):
  the canned response, with ``{{ due }}`` set to the earliest running SLA clock's
  due time in the desk's time zone, goes to the sender with
  ``Auto-Submitted: auto-replied`` and ``X-Loop``; never to automatic mail
  (:func:`.autoreply.is_automatic`), never to our own address, and at most
  ``cap_per_day`` times per recipient within 24 hours. What was sent or skipped is
  in the ticket's history (``email_autoreply`` / ``email_autoreply_skipped``); the
  acknowledgement is not stored as an article.

All header values pass through :func:`.compose.compose_reply`, which keeps
ticket data (subjects, names) from adding header fields.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import smtplib
from email import policy
from email.parser import BytesParser
from typing import Any
from zoneinfo import ZoneInfo

from deskframe import canned
from deskframe.actors import Actor
from deskframe.model import Article, Ticket

from .autoreply import ReplyBudget, is_automatic
from .channel import parse_raw
from .compose import compose_reply
from .network import login_user, tls_context
from .parse import PLACEHOLDER_SENDER
from .settings import TYPE, EmailSettings, parse_settings, password

#: Who this plugin acts as in the ticket history.
ACTOR = Actor.plugin("deskframe_email")

log = logging.getLogger("deskframe.email")
AUTOREPLY_PREFIX = "autoreply:"
DELIVERY_FAILED = "email_delivery_failed"


class DeliveryError(Exception):
    """Mail could not be handed to the SMTP server."""


def channel_settings(desk: Any, name: str | None) -> EmailSettings | None:
    """The settings of ``name`` if it is a configured ``email`` channel."""
    table = desk.config.channel(name) if name else None
    if table is None or table.get("type") != TYPE:
        return None
    return parse_settings(table, base_dir=getattr(desk.config, "base_dir", None))


def send(settings: EmailSettings, recipients: list[str], data: bytes) -> None:
    """Hand ``data`` to the channel's SMTP server (TLS and login as its URL says)."""
    server = settings.smtp
    if server is None:
        raise DeliveryError(f"channel {settings.name} has no smtp server configured")
    secret = password(settings)
    try:
        context = tls_context(settings)
        if server.tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                server.host, server.port, local_hostname=settings.domain, timeout=settings.timeout, context=context
            )
        else:
            client = smtplib.SMTP(server.host, server.port, local_hostname=settings.domain, timeout=settings.timeout)
        with client:
            if server.tls == "starttls":
                client.starttls(context=context)
                client.ehlo()
            client.ehlo_or_helo_if_needed()
            if secret is not None and client.has_extn("auth"):
                client.login(login_user(settings, server), secret)
            client.sendmail(settings.address, recipients, data)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{server.display()}: {type(exc).__name__}: {exc}") from None


def _contact_name(desk: Any, address: str) -> str:
    with desk.directory.lookup() as lookup:
        contact = lookup.contact_by_email(address)
    name = contact.name if contact else ""
    return "" if not name or name.strip().lower() == address.lower() else name


def _new_message_id(settings: EmailSettings, number: str) -> str:
    return email.utils.make_msgid(idstring=f"deskframe.{number}", domain=settings.domain).strip("<>")


def _failed(desk: Any, number: str, article_id: int | None, reason: str) -> None:
    log.warning("ticket %s: e-mail not delivered: %s", number, reason)
    desk.tickets.annotate(
        number, DELIVERY_FAILED, new=str(article_id) if article_id else None, reason=reason[:500], actor=ACTOR
    )


def deliver(ticket: Ticket, article: Article, desk: Any) -> None:
    """Send an outbound article by e-mail if it belongs to an e-mail channel (see the module docstring)."""
    if article.direction != "out" or not article.visible_to_customer or article.message_id:
        return
    settings = channel_settings(desk, article.channel or ticket.channel)
    if settings is None:
        return
    number = ticket.number
    recipient = (ticket.contact or "").strip()
    if "@" not in recipient or recipient.lower() == PLACEHOLDER_SENDER:
        _failed(desk, number, article.id, f"ticket has no contact e-mail address (contact: {recipient or 'none'})")
        return
    full = desk.tickets.get(number)
    others = [a for a in full.articles if a.id != article.id]
    parent = next((a.message_id for a in reversed(others) if a.direction == "in" and a.message_id), None)
    references = [a.message_id for a in others if a.message_id]
    message_id = _new_message_id(settings, number)
    try:
        data = compose_reply(
            from_addr=(settings.from_name or "", settings.address),
            to_addrs=[(_contact_name(desk, recipient), recipient)],
            subject=article.subject or full.subject,
            body=article.text,
            ticket_number=number,
            subject_hook=desk.settings.subject_hook,
            in_reply_to=parent,
            references=references,
            message_id_domain=settings.domain,
            message_id=message_id,
            date=desk.clock(),
        )
        send(settings, [recipient], data)
    except (DeliveryError, ValueError) as exc:
        _failed(desk, number, article.id, str(exc))
        return
    except Exception as exc:  # ConfigError (password variable unset) and the like: record, never raise
        _failed(desk, number, article.id, f"{type(exc).__name__}: {exc}")
        return
    desk.tickets.mark_sent(
        article.id, message_id=message_id, recipients=(recipient,), channel=settings.name, actor=ACTOR
    )


# --- automatic acknowledgement ----------------------------------------------------------------


def _automatic(desk: Any, article: Article, settings: EmailSettings) -> str | None:
    raw = desk.blobs.get(article.raw_sha256) if article.raw_sha256 else None
    if not raw:
        return None
    try:
        return is_automatic(parse_raw(raw, settings), loop_address=settings.address)
    except Exception:  # fall back to the header alone
        headers = BytesParser(policy=policy.compat32).parsebytes(raw[: 256 * 1024], headersonly=True)
        return is_automatic(headers, loop_address=settings.address)


def _budget_key(recipient: str) -> str:
    if len(recipient) <= 180:
        return AUTOREPLY_PREFIX + recipient
    import hashlib

    return AUTOREPLY_PREFIX + "sha256:" + hashlib.sha256(recipient.encode()).hexdigest()


def _claim(desk: Any, settings: EmailSettings, recipient: str, now: dt.datetime) -> bool:
    """Count one automatic reply to ``recipient`` if the daily cap allows it."""
    assert settings.autoreply is not None
    budget = ReplyBudget(cap=settings.autoreply.cap_per_day, window=dt.timedelta(hours=24))

    def take(current: str | None) -> tuple[str | None, bool]:
        try:
            sent = [dt.datetime.fromisoformat(t) for t in json.loads(current or "[]")]
        except (ValueError, TypeError):
            sent = []
        if not budget.allows(sent, now):
            return None, False
        kept = [t for t in sent if now - t < budget.window] + [now]
        return json.dumps([t.isoformat() for t in kept]), True

    # atomic, so two intake processes cannot both spend the last reply of the day
    return desk.cursors.update(settings.name, _budget_key(recipient), take)


def due_text(desk: Any, number: str) -> str:
    """The earliest running SLA clock's due time in the desk's time zone, or ``""``."""
    due = desk.sla.next_due(number)
    if due is None:
        return ""
    zone = desk.config.timezone
    return f"{due.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} ({zone})"


def _values(desk: Any, ticket: Ticket, due: str) -> dict[str, Any]:
    customer = None
    contact = None
    with desk.directory.lookup() as lookup:
        if ticket.customer:
            customer = lookup.customer(ticket.customer)
        if ticket.contact:
            contact = lookup.contact_by_email(ticket.contact)
    contact_name = contact.name if contact else (ticket.contact or "")
    return {
        "customer": customer.name if customer else contact_name,
        "contact": ticket.contact,
        "number": ticket.number,
        "subject": ticket.subject,
        "agent": "",
        "due": due,
        "queue": ticket.queue,
        "priority": desk.settings.priority_names.get(ticket.priority, ticket.priority),
    }


def acknowledge(ticket: Ticket, article: Article | None, desk: Any) -> None:
    """Send the automatic acknowledgement of a ticket opened by e-mail (see the module docstring)."""
    if article is None or article.direction != "in":
        return
    settings = channel_settings(desk, article.channel or ticket.channel)
    if settings is None or settings.autoreply is None:
        return
    number = ticket.number
    recipient = (article.sender or "").strip().lower()
    why = None
    if "@" not in recipient or recipient == PLACEHOLDER_SENDER:
        why = "no usable sender address"
    elif recipient == settings.address.lower():
        why = "the sender is our own address"
    else:
        why = _automatic(desk, article, settings)
    if why is None and not _claim(desk, settings, recipient, desk.clock()):
        why = f"daily cap of {settings.autoreply.cap_per_day} automatic replies to {recipient} reached"
    if why is not None:
        desk.tickets.annotate(number, "email_autoreply_skipped", reason=why[:500], actor=ACTOR)
        return
    body = desk.config.canned.get(settings.autoreply.canned)
    if body is None:
        _failed(desk, number, None, f"automatic reply: unknown canned response {settings.autoreply.canned!r}")
        return
    message_id = _new_message_id(settings, number)
    try:
        text = canned.render(body, _values(desk, ticket, due_text(desk, number)))
        data = compose_reply(
            from_addr=(settings.from_name or "", settings.address),
            to_addrs=[("", recipient)],
            subject=ticket.subject,
            body=text,
            ticket_number=number,
            subject_hook=desk.settings.subject_hook,
            in_reply_to=article.message_id,
            message_id_domain=settings.domain,
            auto=True,
            loop_address=settings.address,
            message_id=message_id,
            date=desk.clock(),
        )
        send(settings, [recipient], data)
    except Exception as exc:
        _failed(desk, number, None, f"automatic reply: {type(exc).__name__}: {exc}")
        return
    desk.tickets.annotate(number, "email_autoreply", new=message_id, reason=f"to {recipient}", actor=ACTOR)
