"""Agent replies on telegram tickets -> the outbox -> ``sendMessage`` to the ticket's chat.

An outbound, customer-visible article written for the ticket's own channel, when that
channel is a telegram channel, is enqueued with the reply (:func:`reply`, from the
``outbound_messages`` hook) and sent by the ``telegram`` delivery (:func:`deliver`) to the
chat stored for the ticket
(``ticket:NUMBER`` in the cursor store; for a ticket without one, e.g. the target of a
merge, the private chat of the ticket's latest Telegram sender). Texts longer than
Telegram's 4096 characters go as several messages.

Connection errors, HTTP 429 (waiting the ``retry_after`` Telegram asks for, at most
:data:`MAX_WAIT` seconds) and 5xx answers are retried ``send_tries`` times in all with a
doubling pause, then later by the outbox with its back-off; other answers are final. The
outbox records the outcome: a ``sent`` history entry and the article's message id
``telegram:CHANNEL:CHAT_ID:aARTICLE``, or ``delivery_failed`` with the reason. A reply whose
answer was lost in transit may reach the chat and still be retried (docs/outbox.md).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import attrs

from deskframe.actors import Actor
from deskframe.errors import ConfigError
from deskframe.outbound import ChangeView, DeliveryError, OutboundMessage

from .api import BotApi, TelegramError
from .channel import ticket_key
from .settings import TYPE, TelegramSettings, parse_settings

#: Who this plugin acts as in the ticket history.
ACTOR = Actor.plugin("deskframe_telegram")

log = logging.getLogger("deskframe.telegram")
MAX_TEXT = 4096
BACKOFF = 1.0
MAX_WAIT = 30.0
#: Pauses between attempts go through this (tests replace it).
sleep: Callable[[float], None] = time.sleep


@attrs.frozen
class Outcome:
    delivered: bool
    detail: str
    message_ids: tuple[int, ...] = ()
    chat_id: str | None = None
    retry: bool = False


def chunks(text: str, size: int = MAX_TEXT) -> list[str]:
    """``text`` in pieces of at most ``size`` characters, cut at a line break where one is near."""
    text = text.strip() or "(empty reply)"
    out = []
    while len(text) > size:
        cut = text.rfind("\n", size // 2, size)
        cut = cut if cut > 0 else size
        out.append(text[:cut].rstrip())
        text = text[cut:].lstrip("\n")
    out.append(text)
    return out


def chat_of(view: Any, settings: TelegramSettings, number: str) -> str | None:
    """The chat id to answer ticket ``number`` in, or None (``view``: the change's ChangeView)."""
    chat = view.cursor(settings.name, ticket_key(number))
    if chat:
        return chat
    ticket = view.ticket(number, full=True)
    if ticket is None:
        return None
    for article in reversed(ticket.articles):  # a private chat's id is the user's id
        sender = article.sender or ""
        if article.direction == "in" and article.channel == settings.name and sender.startswith("telegram:"):
            user = sender.removeprefix("telegram:")
            if user.lstrip("-").isdigit():
                return user
    return None


def send(api: BotApi, chat_id: str, text: str, tries: int) -> Outcome:
    """Send ``text`` (in chunks) with retries; stops at the first chunk that fails for good."""
    target: int | str = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
    sent: list[int] = []
    for piece in chunks(text):
        for attempt in range(1, tries + 1):
            try:
                message = api.send_message(target, piece)
            except TelegramError as exc:
                if not exc.retry or attempt == tries:
                    done = f" ({len(sent)} of {len(chunks(text))} parts sent)" if sent else ""
                    detail = f"{exc} after {attempt} attempt(s){done}"
                    return Outcome(False, detail, tuple(sent), chat_id, retry=exc.retry)
                wait = exc.retry_after if exc.retry_after is not None else BACKOFF * 2 ** (attempt - 1)
                sleep(min(max(wait, 0.0), MAX_WAIT))
                continue
            mid = message.get("message_id")
            sent.append(mid if isinstance(mid, int) else 0)
            break
    return Outcome(True, f"{len(sent)} message(s)", tuple(sent), chat_id)


def reply(event: Any, view: ChangeView) -> list[OutboundMessage]:
    """The ``outbound_messages`` work: the outbox message of an agent's reply (none: not ours).

    A reply on a ticket without a Telegram chat is not enqueued; the ticket's history says why
    (``telegram_delivery_failed``)."""
    article, ticket = event.article, event.ticket
    if article.direction != "out" or not article.visible_to_customer or not ticket.channel:
        return []
    if article.channel != ticket.channel:
        return []  # e.g. an e-mail written on a ticket that started in Telegram
    table = view.config.channel(ticket.channel)
    if table is None or table.get("type") != TYPE:
        return []
    settings = parse_settings(table)
    chat = chat_of(view, settings, ticket.number)
    if chat is None:
        reason = "the ticket has no Telegram chat to answer"
        view.note(ticket.number, "telegram_delivery_failed", new=str(article.id), reason=reason, actor=ACTOR)
        return []
    return [
        OutboundMessage(
            kind="telegram",
            recipients=(f"telegram:{chat}",),
            text=article.text,
            message_id=f"telegram:{settings.name}:{chat}:a{article.id}",
            channel=settings.name,
            ticket=ticket.number,
            article_id=article.id,
            topic="reply",
        )
    ]


def deliver(message: OutboundMessage, desk: Any) -> None:
    """The ``telegram`` delivery: ``sendMessage`` (in chunks) to the message's chat.

    Within one delivery a chunk is tried ``send_tries`` times (waiting as Telegram asks); a
    reply still failing with a connection error, 429 or 5xx is retried later by the outbox (all
    its chunks again: a reply cut off after its first parts may then repeat them), other answers
    and a missing token are permanent."""
    table = desk.config.channel(message.channel) if message.channel else None
    if table is None or table.get("type") != TYPE:
        raise DeliveryError(f"no telegram channel {message.channel!r}", permanent=True)
    settings = parse_settings(table)
    try:
        token = settings.token()
    except ConfigError as exc:
        raise DeliveryError(exc.problem, permanent=True) from None
    chat = message.recipients[0].removeprefix("telegram:")
    outcome = send(BotApi(settings.api_base, token), chat, message.text, settings.send_tries)
    if not outcome.delivered:
        raise DeliveryError(outcome.detail, permanent=not outcome.retry)
