"""Agent replies on telegram tickets -> ``sendMessage`` to the ticket's chat.

An outbound, customer-visible article written for the ticket's own channel, when that
channel is a telegram channel, is sent to the chat stored for the ticket
(``ticket:NUMBER`` in the cursor store; for a ticket without one, e.g. the target of a
merge, the private chat of the ticket's latest Telegram sender). Texts longer than
Telegram's 4096 characters go as several messages.

Connection errors, HTTP 429 (waiting the ``retry_after`` Telegram asks for, at most
:data:`MAX_WAIT` seconds) and 5xx answers are retried ``send_tries`` times in all with a
doubling pause; other answers are final. Success is recorded with
``desk.tickets.mark_sent`` (a ``sent`` history entry, the article's message id
``telegram:CHANNEL:CHAT_ID:MESSAGE_ID``); failure as a ``telegram_delivery_failed``
history entry with the reason. A reply is never sent twice by this hook, but a
reply whose answer was lost in transit may reach the chat and still be reported failed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import attrs

from deskframe.actors import Actor
from deskframe.errors import ConfigError, NotFound

from .api import BotApi, TelegramError
from .channel import ticket_key
from .settings import TelegramSettings, settings_for

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


def chat_of(desk: Any, settings: TelegramSettings, number: str) -> str | None:
    """The chat id to answer ticket ``number`` in, or None."""
    chat = desk.cursors.get(settings.name, ticket_key(number))
    if chat:
        return chat
    try:
        ticket = desk.tickets.get(number)
    except NotFound:
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
                    return Outcome(False, f"{exc} after {attempt} attempt(s){done}", tuple(sent), chat_id)
                wait = exc.retry_after if exc.retry_after is not None else BACKOFF * 2 ** (attempt - 1)
                sleep(min(max(wait, 0.0), MAX_WAIT))
                continue
            mid = message.get("message_id")
            sent.append(mid if isinstance(mid, int) else 0)
            break
    return Outcome(True, f"{len(sent)} message(s)", tuple(sent), chat_id)


def deliver(event: Any, desk: Any) -> Outcome | None:
    """The ``article_added`` work: send an agent's reply, record the outcome. None: not ours."""
    article, ticket = event.article, event.ticket
    if article.direction != "out" or not article.visible_to_customer or not ticket.channel:
        return None
    if article.channel != ticket.channel:
        return None  # e.g. an e-mail written on a ticket that started in Telegram
    settings = settings_for(desk, ticket.channel)
    if settings is None:
        return None
    outcome = _deliver(desk, settings, ticket.number, article.text)
    if outcome.delivered:
        last = outcome.message_ids[-1] if outcome.message_ids else 0
        desk.tickets.mark_sent(
            article.id,
            message_id=f"telegram:{settings.name}:{outcome.chat_id}:{last}",
            recipients=(f"telegram:{outcome.chat_id}",),
            channel=settings.name,
            actor=ACTOR,
        )
    else:
        log.error(
            "telegram channel %s: reply %s on ticket %s not delivered: %s",
            settings.name,
            article.id,
            ticket.number,
            outcome.detail,
        )
        desk.tickets.annotate(
            ticket.number, "telegram_delivery_failed", new=str(article.id), reason=outcome.detail[:500], actor=ACTOR
        )
    return outcome


def _deliver(desk: Any, settings: TelegramSettings, number: str, text: str) -> Outcome:
    chat = chat_of(desk, settings, number)
    if chat is None:
        return Outcome(False, "the ticket has no Telegram chat to answer")
    try:
        token = settings.token()
    except ConfigError as exc:
        return Outcome(False, exc.problem, chat_id=chat)
    return send(BotApi(settings.api_base, token), chat, text, settings.send_tries)
