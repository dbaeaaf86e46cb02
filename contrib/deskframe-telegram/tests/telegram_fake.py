"""A local fake of the two Bot API methods the plugin uses, served on 127.0.0.1.

* ``getUpdates`` keeps Telegram's offset semantics: asking with ``offset=N`` forgets
  (confirms) every update below N and returns those from N on, at most ``limit``;
  with nothing to return and ``timeout > 0`` it waits (long polling) until an update
  arrives or the timeout passes.
* ``sendMessage`` records ``(chat_id, text)`` and answers with a Message; the next
  answers can be forced to fail with :meth:`FakeTelegram.fail_sends`.

A request for another token gets 401, as from Telegram.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "123456:TEST-token_abc"
TOKEN_ENV = "DESKFRAME_TEST_TELEGRAM_TOKEN"


def telegram_config(api_base: str, name: str = "tg", **keys: Any) -> str:
    """A ``[[channels]]`` table of type telegram (appended to the test desk's config)."""
    lines = [
        "",
        "[[channels]]",
        f'name = "{name}"',
        'type = "telegram"',
        f'token_env = "{TOKEN_ENV}"',
        f'api_base = "{api_base}"',
    ]
    for key, value in keys.items():
        lines.append(f"{key} = {str(value).lower() if isinstance(value, bool) else repr(value)}")
    return "\n".join(lines) + "\n"


class FakeTelegram:
    def __init__(self, token: str):
        self.token = token
        self.updates: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self._next_update = 1000
        self._next_message = 1
        self._sent_id = 500
        self._send_failures: list[tuple[int, dict[str, Any]]] = []
        self._cond = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # --- lifecycle ---------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeTelegram:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- scripting ---------------------------------------------------------------
    def user_writes(
        self,
        chat_id: int,
        text: str | None = None,
        *,
        user: dict[str, Any] | None = None,
        date: int = 1_790_000_000,
        **fields: Any,
    ) -> dict[str, Any]:
        """Queue an update with a message from ``user`` (default: the private chat's user)."""
        sender = user or {
            "id": chat_id,
            "is_bot": False,
            "first_name": "Ivan",
            "last_name": "Petrov",
            "username": "ivan_p",
        }
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "group"}
        message = {"message_id": self._next_message, "date": date, "chat": chat, "from": sender, **fields}
        if text is not None:
            message["text"] = text
        self._next_message += 1
        return self.add_update({"message": message})

    def add_update(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            update = {"update_id": self._next_update, **body}
            self._next_update += 1
            self.updates.append(update)
            self._cond.notify_all()
        return update

    def fail_sends(self, *statuses: int, retry_after: int | None = None) -> None:
        """Answer the next sendMessage calls with these HTTP statuses, one each."""
        for status in statuses:
            body: dict[str, Any] = {"ok": False, "error_code": status, "description": f"fake error {status}"}
            if retry_after is not None:
                body["parameters"] = {"retry_after": retry_after}
            self._send_failures.append((status, body))

    # --- the API -------------------------------------------------------------------
    def get_updates(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        offset = int(params.get("offset", 0) or 0)
        limit = int(params.get("limit", 100) or 100)
        timeout = float(params.get("timeout", 0) or 0)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if offset:
                    self.updates = [u for u in self.updates if u["update_id"] >= offset]
                ready = [u for u in self.updates if u["update_id"] >= offset][:limit]
                left = deadline - time.monotonic()
                if ready or left <= 0:
                    return 200, {"ok": True, "result": ready}
                self._cond.wait(left)

    def send_message(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self._send_failures:
            return self._send_failures.pop(0)
        if "chat_id" not in params or not params.get("text"):
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
        self._sent_id += 1
        self.sent.append({"chat_id": params["chat_id"], "text": params["text"], "message_id": self._sent_id})
        chat_id = int(params["chat_id"])
        return 200, {
            "ok": True,
            "result": {
                "message_id": self._sent_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": params["text"],
            },
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _params(self) -> dict[str, Any]:
                parts = urlsplit(self.path)
                params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    body = self.rfile.read(length)
                    if (self.headers.get("Content-Type") or "").startswith("application/json"):
                        params.update(json.loads(body.decode("utf-8")))
                    else:
                        params.update({k: v[-1] for k, v in parse_qs(body.decode("utf-8")).items()})
                return params

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _dispatch(self) -> None:
                path = urlsplit(self.path).path
                params = self._params()
                prefix, _, method = path.lstrip("/").partition("/")
                fake.requests.append((method, params))
                if prefix != f"bot{fake.token}":
                    self._answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                elif method == "getUpdates":
                    self._answer(*fake.get_updates(params))
                elif method == "sendMessage":
                    self._answer(*fake.send_message(params))
                else:
                    self._answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})

            do_GET = _dispatch
            do_POST = _dispatch

        return Handler
