"""``POST /channels/{name}/messages``: the chat webhook.

Answers (JSON bodies, ``{"error": "one line"}`` on failure):

* 200 ``{"ticket", "duplicate", "created", "article_id"}`` - stored, or a replay of a
  stored message (``duplicate: true``, same ticket, nothing changed);
* 401 - missing or wrong ``X-Deskframe-Signature``; nothing is read past the body, nothing stored;
* 404 - no chat channel of that name;
* 413 - body larger than the channel's ``max_body_bytes``;
* 422 - not valid JSON or not the documented format (see :mod:`.payload`), or a value
  the database refuses;
* 503 - the secret's environment variable is not set in the server's environment (logged),
  or the database is unavailable, or the message raced another writer; the sender
  should retry later.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from deskframe.errors import Conflict, DeskframeError, DomainError

from . import inbound, payload
from .settings import ChatSettings, settings_for

log = logging.getLogger("deskframe.chat")
PATH = "/channels/{name}/messages"


class TooLarge(Exception):
    pass


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise TooLarge
        except ValueError:
            pass
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _lock(request: Request, channel: str) -> threading.Lock:
    """One lock per chat channel and app (created on the event loop, so without a race)."""
    locks: dict[str, threading.Lock] | None = getattr(request.app.state, "deskframe_chat_locks", None)
    if locks is None:
        locks = {}
        request.app.state.deskframe_chat_locks = locks
    return locks.setdefault(channel, threading.Lock())


async def receive_message(request: Request) -> JSONResponse:
    desk: Any = request.app.state.desk
    name = request.path_params["name"]
    settings: ChatSettings | None = settings_for(desk, name)
    if settings is None:
        return _error(404, f"no chat channel named {name!r}")
    secret = os.environ.get(settings.secret_env)
    if not secret:
        log.error(
            "chat channel %s: environment variable %s is not set; refusing webhooks", settings.name, settings.secret_env
        )
        return _error(503, "channel not ready: its secret is not configured on the server")
    try:
        body = await _read_body(request, settings.max_body_bytes)
    except TooLarge:
        return _error(413, f"body larger than {settings.max_body_bytes} bytes")
    if not payload.signature_ok(secret, body, request.headers.get(payload.SIGNATURE_HEADER)):
        log.warning(
            "chat channel %s: rejected a request with a missing or wrong signature from %s",
            settings.name,
            request.client.host if request.client else "?",
        )
        return _error(401, "missing or wrong signature")
    try:
        message = payload.parse(body)
    except payload.PayloadError as exc:
        return _error(422, str(exc))
    try:
        answer = await run_in_threadpool(inbound.receive, desk, settings, message, body, _lock(request, settings.name))
    except Conflict as exc:  # a racing writer took a key first; a retry is deduplicated
        log.warning("chat channel %s: message %s raced another writer: %s", settings.name, message.message_id, exc)
        return _error(503, "the message raced another one; retry")
    except DomainError as exc:  # including a value the database refuses (UnstorableValue)
        return _error(422, str(exc))
    except DeskframeError as exc:
        log.error("chat channel %s: cannot store message %s: %s", settings.name, message.message_id, exc)
        return _error(503, "cannot store the message now; retry later")
    return JSONResponse(answer)


def routes() -> list[Route]:
    return [Route(PATH, receive_message, methods=["POST"], name="chat_webhook")]
