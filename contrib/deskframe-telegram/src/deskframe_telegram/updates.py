"""A Bot API ``Update`` -> :class:`~deskframe.InboundMessage` (pure functions, no I/O).

* ``external_id`` is ``CHAT_ID:MESSAGE_ID`` (``CHAT_ID:MESSAGE_ID:edited:EDIT_DATE`` for an
  edit): unique within the bot, so intake deduplicates a message fetched twice;
* ``sender`` is ``telegram:USER_ID`` (Telegram's numeric id never changes, a @username
  may); ``sender_name`` is the user's name and @username. A deskframe contact whose
  e-mail field is ``telegram:USER_ID`` routes the user's messages to its customer;
* ``subject`` is ``Telegram: <first line>`` (brackets neutralized, so the text cannot
  name a ticket number); the text is the message's text or caption. A photo, file,
  voice message ... without caption becomes a short placeholder article: its content
  is not downloaded. Service messages (a member joined, a title changed) are skipped;
* ``raw`` is the update as JSON, kept with the article (and in quarantine on failure).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from deskframe import InboundMessage

SUBJECT_CHARS = 100
#: Message kinds whose content is not imported: they arrive as a placeholder article.
MEDIA_KINDS = (
    "photo",
    "document",
    "audio",
    "voice",
    "video",
    "video_note",
    "animation",
    "sticker",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
)


class NotAMessage(ValueError):
    """The update is valid but carries nothing to store (a service message, another kind)."""


def update_id(update: Any) -> int | None:
    value = update.get("update_id") if isinstance(update, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def message_of(update: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The update's message and whether it is an edit; NotAMessage for other update kinds."""
    for key, edited in (("message", False), ("edited_message", True)):
        if key in update:
            message = update[key]
            if not isinstance(message, dict):
                raise ValueError(f"{key} is not an object")
            return message, edited
    raise NotAMessage("not a message update")


def chat_id_of(message: dict[str, Any]) -> int:
    chat = message.get("chat")
    cid = chat.get("id") if isinstance(chat, dict) else None
    if not isinstance(cid, int) or isinstance(cid, bool):
        raise ValueError("message.chat.id is missing or not an integer")
    return cid


def external_id(message: dict[str, Any], edited: bool) -> str:
    mid = message.get("message_id")
    if not isinstance(mid, int) or isinstance(mid, bool):
        raise ValueError("message.message_id is missing or not an integer")
    key = f"{chat_id_of(message)}:{mid}"
    if edited:
        key += f":edited:{message.get('edit_date', '')}"
    return key


def sender_of(message: dict[str, Any]) -> tuple[str, str | None]:
    """(``telegram:ID``, display name) of the message's author."""
    user = message.get("from")
    if isinstance(user, dict) and isinstance(user.get("id"), int):
        name = " ".join(str(user[k]).strip() for k in ("first_name", "last_name") if user.get(k)).strip()
        if user.get("username"):
            name = f"{name} (@{user['username']})" if name else f"@{user['username']}"
        return f"telegram:{user['id']}", name or None
    chat = message.get("sender_chat") or message.get("chat") or {}
    title = chat.get("title") or chat.get("username") if isinstance(chat, dict) else None
    return f"telegram:{chat_id_of(message)}", str(title) if title else None


def text_of(message: dict[str, Any], edited: bool) -> str:
    """The text or caption; a placeholder for media without caption; NotAMessage for service messages."""
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        text = message.get("caption") if isinstance(message.get("caption"), str) else ""
    kinds = [k for k in MEDIA_KINDS if k in message]
    if kinds:
        note = f"[Telegram {kinds[0].replace('_', ' ')}: not imported, see the chat]"
        if kinds[0] == "sticker" and isinstance(message["sticker"], dict) and message["sticker"].get("emoji"):
            note = f"[Telegram sticker {message['sticker']['emoji']}]"
        text = f"{text}\n\n{note}" if text and text.strip() else note
    if not text or not text.strip():
        raise NotAMessage("a service message without text")
    return f"[edited] {text}" if edited else text


def subject_of(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first) > SUBJECT_CHARS:
        first = first[: SUBJECT_CHARS - 3].rstrip() + "..."
    return "Telegram: " + first.replace("[", "(").replace("]", ")")


def received_at(message: dict[str, Any], edited: bool) -> dt.datetime:
    stamp = message.get("edit_date") if edited else message.get("date")
    if not isinstance(stamp, int) or isinstance(stamp, bool):
        stamp = message.get("date")
    if not isinstance(stamp, int) or isinstance(stamp, bool):
        raise ValueError("message.date is missing or not a Unix time")
    return dt.datetime.fromtimestamp(stamp, dt.timezone.utc)


def raw_of(update: dict[str, Any]) -> bytes:
    return json.dumps(update, ensure_ascii=False, sort_keys=True).encode("utf-8")


def to_inbound(
    channel: str, update: dict[str, Any], *, trusted: bool = False, ticket_number: str | None = None
) -> InboundMessage:
    """The InboundMessage of one update; NotAMessage to skip it, ValueError if it is malformed."""
    message, edited = message_of(update)
    text = text_of(message, edited)
    sender, name = sender_of(message)
    key = external_id(message, edited)
    return InboundMessage(
        channel=channel,
        external_id=key,
        received_at=received_at(message, edited),
        sender=sender,
        sender_name=name,
        subject=subject_of(text.removeprefix("[edited] ")),
        text=text,
        message_id=f"telegram:{channel}:{key}",
        raw=raw_of(update),
        ticket_number=ticket_number,
        trusted=trusted,
    )


def parse_raw(raw: bytes, channel: str, *, trusted: bool = False) -> InboundMessage:
    """An update kept as JSON bytes (a quarantined one) read again."""
    try:
        update = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"not a JSON update: {exc}") from None
    if not isinstance(update, dict):
        raise ValueError("not a JSON object")
    return to_inbound(channel, update, trusted=trusted)
