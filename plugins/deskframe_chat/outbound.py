"""Agent replies on chat tickets -> the channel's ``callback_url``.

An outbound, customer-visible article on a ticket whose channel is a chat channel,
written for that channel, is POSTed as JSON::

    {"conversation_id": "c-42", "text": "...", "ticket": "2026...", "article_id": 17}

signed like the webhooks (``X-Deskframe-Signature: sha256=<hex>`` over the body).
Connection errors, timeouts, 429 and 5xx answers are retried ``callback_tries`` times in
all, waiting ``callback_backoff`` seconds and doubling; other answers are final. The
outcome goes into the ticket's history: ``chat_delivered`` or ``chat_delivery_failed``
(with the reason). Redirects are not followed. The receiver should treat ``article_id``
as an idempotency key: a reply whose answer was lost in transit may arrive twice.
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

from .inbound import ticket_key
from .payload import SIGNATURE_HEADER, sign
from .settings import ChatSettings, settings_for

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


def deliver(event: Any, desk: Any) -> Outcome | None:
    """The ``article_added`` work: deliver an agent's chat reply, record the outcome. None: not ours."""
    article, ticket = event.article, event.ticket
    if article.direction != "out" or not article.visible_to_customer or not ticket.channel:
        return None
    if article.channel != ticket.channel:
        return None  # e.g. an e-mail written on a ticket that started as a chat
    settings = settings_for(desk, ticket.channel)
    if settings is None:
        return None
    outcome = _deliver(desk, settings, ticket.number, article)
    if outcome.delivered:
        desk.tickets.annotate(
            ticket.number,
            "chat_delivered",
            new=str(article.id),
            reason=f"{outcome.detail} after {outcome.attempts} attempt(s)",
            actor=ACTOR,
        )
    else:
        log.error(
            "chat channel %s: reply %s on ticket %s not delivered: %s",
            settings.name,
            article.id,
            ticket.number,
            outcome.detail,
        )
        desk.tickets.annotate(
            ticket.number, "chat_delivery_failed", new=str(article.id), reason=outcome.detail[:500], actor=ACTOR
        )
    return outcome


def _deliver(desk: Any, settings: ChatSettings, number: str, article: Any) -> Outcome:
    if settings.callback_url is None:
        return Outcome(False, 0, f"channel {settings.name} has no callback_url")
    conversation = desk.cursors.get(settings.name, ticket_key(number))
    if conversation is None:
        return Outcome(False, 0, "the ticket has no chat conversation to answer")
    secret = os.environ.get(settings.secret_env)
    if not secret:
        return Outcome(False, 0, f"environment variable {settings.secret_env} (the channel secret) is not set")
    outcome = post_signed(
        settings,
        secret,
        {"conversation_id": conversation, "text": article.text, "ticket": number, "article_id": article.id},
    )
    if not outcome.delivered:
        outcome = attrs.evolve(outcome, detail=f"after {outcome.attempts} attempt(s): {outcome.detail}")
    return outcome
