"""Agent replies on chat tickets -> the outbox -> the channel's ``callback_url``.

An outbound, customer-visible article on a ticket whose channel is a chat channel,
written for that channel, is enqueued with the reply (:func:`reply`, from the
``outbound_messages`` hook) and later POSTed by the ``chat`` delivery (:func:`deliver`) as JSON::

    {"conversation_id": "c-42", "text": "...", "ticket": "2026...", "article_id": 17}

signed like the webhooks (``X-Deskframe-Signature: sha256=<hex>`` over the body).
Connection errors, timeouts, 429 and 5xx answers are retried ``callback_tries`` times in
all, waiting ``callback_backoff`` seconds and doubling, then again later by the outbox with
its back-off; other answers are final. The outcome goes into the ticket's history (the
outbox's ``sent`` or ``delivery_failed``, with the reason). Redirects are not followed. The
receiver should treat ``article_id`` as an idempotency key: a reply whose answer was lost in
transit may arrive twice.
"""

from __future__ import annotations

import json
import logging
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import attrs

from deskframe.actors import Actor
from deskframe.outbound import ChangeView, DeliveryError, OutboundMessage

from .inbound import ticket_key
from .payload import SIGNATURE_HEADER, sign
from .settings import TYPE, ChatSettings, parse_settings

#: Who this plugin acts as in the ticket history.
ACTOR = Actor.plugin("deskframe_chat")

log = logging.getLogger("deskframe.chat")
USER_AGENT = "deskframe-chat/1"


@attrs.frozen
class Outcome:
    delivered: bool
    attempts: int
    detail: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _attempt(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[bool, bool, str]:
    """One POST: (delivered, worth retrying, detail)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return True, False, f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        exc.close()
        retry = exc.code == 429 or exc.code >= 500
        return False, retry, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return False, True, f"{type(exc).__name__}: {reason}"


def post_signed(
    settings: ChatSettings, secret: str, data: dict[str, Any], sleep: Callable[[float], None] = time.sleep
) -> Outcome:
    """POST ``data`` to the callback with retries and exponential backoff."""
    assert settings.callback_url is not None
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, SIGNATURE_HEADER: sign(secret, body)}
    detail = ""
    for attempt in range(1, settings.callback_tries + 1):
        delivered, retry, detail = _attempt(settings.callback_url, body, headers, settings.callback_timeout)
        if delivered:
            return Outcome(True, attempt, detail)
        if not retry or attempt == settings.callback_tries:
            return Outcome(False, attempt, detail)
        sleep(settings.callback_backoff * 2 ** (attempt - 1))
    return Outcome(False, settings.callback_tries, detail)


def reply(event: Any, view: ChangeView) -> list[OutboundMessage]:
    """The ``outbound_messages`` work: the outbox message of an agent's chat reply (none: not ours).

    A reply on a ticket without a chat conversation is not enqueued; the ticket's history says
    why (``chat_delivery_failed``)."""
    article, ticket = event.article, event.ticket
    if article.direction != "out" or not article.visible_to_customer or not ticket.channel:
        return []
    if article.channel != ticket.channel:
        return []  # e.g. an e-mail written on a ticket that started as a chat
    table = view.config.channel(ticket.channel)
    if table is None or table.get("type") != TYPE:
        return []
    settings = parse_settings(table)
    conversation = view.cursor(settings.name, ticket_key(ticket.number))
    if conversation is None:
        reason = "the ticket has no chat conversation to answer"
        view.note(ticket.number, "chat_delivery_failed", new=str(article.id), reason=reason, actor=ACTOR)
        return []
    return [
        OutboundMessage(
            kind="chat",
            recipients=(conversation,),
            text=article.text,
            channel=settings.name,
            ticket=ticket.number,
            article_id=article.id,
            topic="reply",
            dedupe_key=f"chat:{settings.name}:{article.id}",
        )
    ]


def deliver(message: OutboundMessage, desk: Any) -> None:
    """The ``chat`` delivery: POST one reply to its channel's callback URL, signed.

    Within one delivery the callback is tried ``callback_tries`` times with ``callback_backoff``
    (short waits, for a receiver that blinks); if it still fails with a connection error, a
    timeout, 429 or 5xx the outbox retries later with its own back-off; other answers, a channel
    without ``callback_url`` or an unset secret are permanent failures (``deskframe outbox retry``
    after the fix)."""
    table = desk.config.channel(message.channel) if message.channel else None
    if table is None or table.get("type") != TYPE:
        raise DeliveryError(f"no chat channel {message.channel!r}", permanent=True)
    settings = parse_settings(table)
    if settings.callback_url is None:
        raise DeliveryError(f"channel {settings.name} has no callback_url", permanent=True)
    secret = os.environ.get(settings.secret_env)
    if not secret:
        raise DeliveryError(
            f"environment variable {settings.secret_env} (the channel secret) is not set", permanent=True
        )
    data = {
        "conversation_id": message.recipients[0],
        "text": message.text,
        "ticket": message.ticket,
        "article_id": message.article_id,
    }
    outcome = post_signed(settings, secret, data)
    if not outcome.delivered:
        retry = outcome.detail.startswith(("HTTP 429", "HTTP 5")) or not outcome.detail.startswith("HTTP ")
        raise DeliveryError(f"after {outcome.attempts} attempt(s): {outcome.detail}", permanent=not retry)
