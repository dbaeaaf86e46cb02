"""``[web] max_body``: an ASGI middleware that answers 413 to a request body over the cap.

A request that announces a larger body in ``Content-Length`` gets its 413 before anything of
the body is read (the app is not even called). A body without a length (chunked transfer) is
counted as the app reads it; the chunk that crosses the cap ends the reading, and the client
gets the 413 if the app has not begun its answer yet. Either way no more than the cap is
ever read into memory. A malformed ``Content-Length`` gets 400.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROBLEM_MEDIA_TYPE = b"application/problem+json"


class BodyTooLarge(Exception):
    """Raised inside ``receive`` when a streamed body crosses the cap (caught by :class:`BodyLimit`)."""


class BodyLimit:
    """Cap request bodies at ``max_body`` bytes (413 ``application/problem+json`` beyond it)."""

    def __init__(self, app: ASGIApp, max_body: int):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lengths = [v for k, v in scope.get("headers", ()) if k.lower() == b"content-length"]
        if lengths:
            text = lengths[0].decode("latin-1").strip()
            if len(set(lengths)) > 1 or not text.isdigit():
                await _problem(send, 400, "Bad Request", "the Content-Length header is malformed")
                return
            if int(text) > self.max_body:
                await self._too_large(send)
                return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if started:  # too late for a status: the server closes the connection
                raise
            await self._too_large(send)

    async def _too_large(self, send: Send) -> None:
        await _problem(
            send, 413, "Content Too Large", f"the request body is larger than the limit of {self.max_body} bytes"
        )


async def _problem(send: Send, status: int, title: str, detail: str) -> None:
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
