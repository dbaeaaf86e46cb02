"""A validated chat message -> ``desk.intake.receive``: one open ticket per conversation.

State kept in the channel cursor store (channel = the chat channel's name):

* ``conversation:<id>`` -> ``{"ticket": NUMBER, "last": ISO time}``: the conversation's
  current ticket and when it was last active (server clock);
* ``ticket:<NUMBER>`` -> conversation id: where agent replies on that ticket go.

A message continues the conversation's ticket unless the conversation has been idle
longer than ``idle_gap`` or the ticket is resolved or closed: then intake opens a new
one. Replays (same ``message_id``) are deduplicated by intake and change nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

from deskframe import InboundAttachment, InboundMessage
from deskframe.errors import NotFound

from .payload import ChatMessage
from .settings import ChatSettings

FINISHED = ("resolved", "closed")
SUBJECT_CHARS = 100


def conversation_key(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


def ticket_key(number: str) -> str:
    return f"ticket:{number}"


def sender_identity(settings: ChatSettings, message: ChatMessage) -> str:
    """The article's sender: the e-mail if the channel is trusted, else a chat handle.

    An untrusted chat's e-mail is whatever the visitor typed, so it must not route the
    message to that address's customer; such messages go to the unknown queue.
    """
    if settings.trusted and message.sender_email:
        return message.sender_email
    return f"chat:{settings.name}:{message.sender_id}"


def subject_of(message: ChatMessage) -> str:
    """``Chat: <first line>``; brackets are neutralized so the text cannot quote a ticket number."""
    first = next((line.strip() for line in message.text.splitlines() if line.strip()), "")
    if not first:
        first = ", ".join(a.filename for a in message.attachments)
    if len(first) > SUBJECT_CHARS:
        first = first[: SUBJECT_CHARS - 3].rstrip() + "..."
    return "Chat: " + first.replace("[", "(").replace("]", ")")


def text_of(settings: ChatSettings, message: ChatMessage) -> str:
    """The message text, plus URL attachments as links (never fetched) and an unverified e-mail."""
    text = message.text.strip("\n")
    links = [a for a in message.attachments if a.url]
    if links:
        lines = "\n".join(f"- {a.filename}: {a.url}" for a in links)
        text += f"\n\nLinked files (not downloaded):\n{lines}"
    if message.sender_email and not settings.trusted:
        text += f"\n\n(e-mail given in the chat, not verified: {message.sender_email})"
    return text


def to_inbound(
    settings: ChatSettings, message: ChatMessage, raw: bytes | None, ticket_number: str | None = None
) -> InboundMessage:
    """The :class:`InboundMessage` for a chat message (``ticket_number``: continue that ticket)."""
    return InboundMessage(
        channel=settings.name,
        external_id=message.message_id,
        received_at=message.timestamp,
        sender=sender_identity(settings, message),
        sender_name=message.sender_name,
        subject=subject_of(message),
        text=text_of(settings, message),
        attachments=tuple(
            InboundAttachment(a.filename, a.content_type, a.data) for a in message.attachments if a.data is not None
        ),
        raw=raw,
        ticket_number=ticket_number,
    )


def _open_ticket_number(desk: Any, number: str) -> str | None:
    """``number`` (or the ticket it was merged into) if it can still take messages."""
    for _ in range(10):
        try:
            ticket = desk.tickets.get(number)
        except NotFound:
            return None
        if ticket.state_type == "merged" and ticket.merged_into:
            number = ticket.merged_into
            continue
        return None if ticket.state_type in FINISHED + ("merged",) else ticket.number
    return None


def current_ticket(desk: Any, settings: ChatSettings, conversation_id: str, now: dt.datetime) -> str | None:
    """The ticket this conversation continues, or None for a new one."""
    raw = desk.cursors.get(settings.name, conversation_key(conversation_id))
    if not raw:
        return None
    try:
        state = json.loads(raw)
        last = dt.datetime.fromisoformat(state["last"])
        number = str(state["ticket"])
    except (ValueError, KeyError, TypeError):
        return None
    if now - last > settings.idle_gap:
        return None
    return _open_ticket_number(desk, number)


def receive(
    desk: Any, settings: ChatSettings, message: ChatMessage, raw: bytes | None, lock: threading.Lock | None = None
) -> dict[str, Any]:
    """Store one message; returns the JSON answer (``ticket``, ``duplicate``, ``created``, ``article_id``).

    ``lock`` serializes messages of one channel inside this process, so two first
    messages of a conversation arriving together do not open two tickets.
    """
    with lock or threading.Lock():
        now = desk.clock()
        continued = current_ticket(desk, settings, message.conversation_id, now)
        result = desk.intake.receive(to_inbound(settings, message, raw, continued))
        if not result.duplicate:
            desk.cursors.set(
                settings.name,
                conversation_key(message.conversation_id),
                json.dumps({"ticket": result.ticket, "last": now.isoformat()}),
            )
            if result.ticket != continued:
                desk.cursors.set(settings.name, ticket_key(result.ticket), message.conversation_id)
    return {
        "ticket": result.ticket,
        "duplicate": result.duplicate,
        "created": result.created,
        "article_id": result.article_id,
    }
