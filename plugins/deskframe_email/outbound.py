"""Outgoing mail, decided inside the change that causes it (the ``outbound_messages`` hook).

Nothing is sent here: each function returns :class:`deskframe.OutboundMessage` values that the
core writes to the outbox in the change's own transaction; the ``email`` delivery
(:mod:`.smtp`) sends them later. Everything a retry needs is fixed now: the Message-ID, the
recipients, the tagged subject, the body, the ``Date`` and the threading headers.

* :func:`reply` (``article_added`` / ``ticket_opened`` with an outbound article): a visible
  ``out`` article whose channel (else its ticket's channel) is an ``email`` channel goes to
  the ticket's contact, with ``[Ticket#N]`` in the subject, a new Message-ID and
  In-Reply-To/References taken from the ticket's articles. Once it is sent, the core records
  the Message-ID on the article (so answers thread by References) and a ``sent`` history line.
  A ticket without a usable contact address gets an ``email_delivery_failed`` history line.
* :func:`acknowledge` (``ticket_opened`` by an e-mail channel with ``autoreply``): the
  canned response, with ``{{ due }}`` set to the earliest running SLA clock's due time in the
  desk's time zone, goes to the sender with ``Auto-Submitted: auto-replied`` and ``X-Loop``;
  never to automatic mail (:func:`.autoreply.is_automatic`), never to our own address, and at
  most ``cap_per_day`` times per recipient within 24 hours (counted in the outbox, in the same
  transaction, so two intake processes cannot both spend the last one). What was enqueued or
  skipped is in the ticket's history (``email_autoreply`` / ``email_autoreply_skipped``).

All header values pass through :func:`.compose.compose_reply` when the message is sent, which
keeps ticket data (subjects, names) from adding header fields.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from email import policy
from email.parser import BytesParser
from typing import Any
from zoneinfo import ZoneInfo

from deskframe import canned
from deskframe.actors import Actor
from deskframe.model import Article, Ticket
from deskframe.numbering import tag_subject
from deskframe.outbound import ChangeView, OutboundMessage

from .autoreply import is_automatic
from .channel import parse_raw
from .compose import header_text, new_message_id
from .parse import PLACEHOLDER_SENDER
from .settings import TYPE, EmailSettings, parse_settings

#: Who this plugin acts as in the ticket history.
ACTOR = Actor.plugin("deskframe_email")
DELIVERY_FAILED = "email_delivery_failed"
#: The outbox topic of automatic acknowledgements (the daily cap counts these).
AUTOREPLY = "autoreply"


def channel_settings(view: ChangeView, name: str | None) -> EmailSettings | None:
    """The settings of ``name`` if it is a configured ``email`` channel."""
    table = view.config.channel(name) if name else None
    if table is None or table.get("type") != TYPE:
        return None
    return parse_settings(table, base_dir=getattr(view.config, "base_dir", None))


def _contact_name(view: ChangeView, address: str) -> str:
    contact = view.contact_by_email(address)
    name = contact.name if contact else ""
    return "" if not name or name.strip().lower() == address.lower() else name


def _new_message_id(settings: EmailSettings, number: str) -> str:
    return new_message_id(settings.domain, tag=number)


def _subject(view: ChangeView, number: str, subject: str) -> str:
    return tag_subject(header_text(view.config.tickets.subject_hook, max_chars=40), number, header_text(subject))


def reply(ticket: Ticket, article: Article, view: ChangeView) -> list[OutboundMessage]:
    """The e-mail of an outbound article on an e-mail channel (see the module docstring)."""
    if article.direction != "out" or not article.visible_to_customer or article.message_id:
        return []
    settings = channel_settings(view, article.channel or ticket.channel)
    if settings is None:
        return []
    number = ticket.number
    recipient = (ticket.contact or "").strip()
    if "@" not in recipient or recipient.lower() == PLACEHOLDER_SENDER:
        reason = f"ticket has no contact e-mail address (contact: {recipient or 'none'})"
        view.note(number, DELIVERY_FAILED, new=str(article.id), reason=reason, actor=ACTOR)
        return []
    full = view.ticket(number, full=True)
    others = [a for a in (full.articles if full else ()) if a.id != article.id]
    parent = next((a.message_id for a in reversed(others) if a.direction == "in" and a.message_id), None)
    references = [a.message_id for a in others if a.message_id]
    headers = [("Date", email.utils.format_datetime(view.now))]
    if parent:
        headers.append(("In-Reply-To", f"<{parent}>"))
    chain = [*references, *([parent] if parent else [])]
    if chain:
        headers.append(("References", " ".join(f"<{i}>" for i in dict.fromkeys(chain))))
    return [
        OutboundMessage(
            kind="email",
            recipients=(recipient,),
            subject=_subject(view, number, article.subject or (full.subject if full else ticket.subject)),
            text=article.text,
            headers=headers,
            message_id=_new_message_id(settings, number),
            sender=settings.address,
            channel=settings.name,
            ticket=number,
            article_id=article.id,
            topic="reply",
            data={"from_name": settings.from_name or "", "names": {recipient: _contact_name(view, recipient)}},
        )
    ]


# --- automatic acknowledgement ----------------------------------------------------------------


def _automatic(view: ChangeView, article: Article, settings: EmailSettings) -> str | None:
    raw = view.blob(article.raw_sha256) if article.raw_sha256 else None
    if not raw:
        return None
    try:
        return is_automatic(parse_raw(raw, settings), loop_address=settings.address)
    except Exception:  # fall back to the header alone
        headers = BytesParser(policy=policy.compat32).parsebytes(raw[: 256 * 1024], headersonly=True)
        return is_automatic(headers, loop_address=settings.address)


def due_text(view: ChangeView, number: str) -> str:
    """The earliest running SLA clock's due time in the desk's time zone, or ``""``."""
    due = view.next_due(number)
    if due is None:
        return ""
    zone = view.config.timezone
    return f"{due.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} ({zone})"


def _values(view: ChangeView, ticket: Ticket, due: str) -> dict[str, Any]:
    customer = view.customer(ticket.customer) if ticket.customer else None
    contact = view.contact_by_email(ticket.contact) if ticket.contact else None
    contact_name = contact.name if contact else (ticket.contact or "")
    return {
        "customer": customer.name if customer else contact_name,
        "contact": ticket.contact,
        "number": ticket.number,
        "subject": ticket.subject,
        "agent": "",
        "due": due,
        "queue": ticket.queue,
        "priority": view.config.tickets.priority_names.get(ticket.priority, ticket.priority),
    }


def acknowledge(ticket: Ticket, article: Article | None, view: ChangeView) -> list[OutboundMessage]:
    """The automatic acknowledgement of a ticket opened by e-mail (see the module docstring)."""
    if article is None or article.direction != "in":
        return []
    settings = channel_settings(view, article.channel or ticket.channel)
    if settings is None or settings.autoreply is None:
        return []
    number = ticket.number
    recipient = (article.sender or "").strip().lower()
    why = None
    if "@" not in recipient or recipient == PLACEHOLDER_SENDER:
        why = "no usable sender address"
    elif recipient == settings.address.lower():
        why = "the sender is our own address"
    else:
        why = _automatic(view, article, settings)
    cap = settings.autoreply.cap_per_day
    if why is None and view.messages_to(recipient, since=view.now - dt.timedelta(hours=24), topic=AUTOREPLY) >= cap:
        why = f"daily cap of {cap} automatic replies to {recipient} reached"
    if why is not None:
        view.note(number, "email_autoreply_skipped", reason=why[:500], actor=ACTOR)
        return []
    body = view.config.canned.get(settings.autoreply.canned)
    if body is None:
        reason = f"automatic reply: unknown canned response {settings.autoreply.canned!r}"
        view.note(number, DELIVERY_FAILED, reason=reason, actor=ACTOR)
        return []
    message_id = _new_message_id(settings, number)
    try:
        text = canned.render(body, _values(view, ticket, due_text(view, number)))
    except Exception as exc:
        view.note(number, DELIVERY_FAILED, reason=f"automatic reply: {type(exc).__name__}: {exc}"[:500], actor=ACTOR)
        return []
    headers = [("Date", email.utils.format_datetime(view.now)), ("Auto-Submitted", "auto-replied")]
    headers += [("X-Auto-Response-Suppress", "All"), ("X-Loop", settings.address)]
    if article.message_id:
        headers += [("In-Reply-To", f"<{article.message_id}>"), ("References", f"<{article.message_id}>")]
    view.note(number, "email_autoreply", new=message_id, reason=f"to {recipient}", actor=ACTOR)
    return [
        OutboundMessage(
            kind="email",
            recipients=(recipient,),
            subject=_subject(view, number, ticket.subject),
            text=text,
            headers=headers,
            message_id=message_id,
            sender=settings.address,
            channel=settings.name,
            ticket=number,
            topic=AUTOREPLY,
            data={"from_name": settings.from_name or ""},
        )
    ]
