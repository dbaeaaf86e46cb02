"""The two Bot API methods the channel uses, over the standard library's urllib.

* ``getUpdates`` (GET, query ``offset``, ``timeout``, ``limit``, ``allowed_updates``);
* ``sendMessage`` (POST, JSON ``chat_id``, ``text``).

Every answer is the Bot API's envelope ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": N, "description": "..."}``. Errors never show the
request URL, which contains the bot token.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from deskframe.errors import DeskframeError

USER_AGENT = "deskframe-telegram/0.1"
#: Seconds a request may take beyond the long-polling timeout before it counts as failed.
GRACE_SECONDS = 15
ALLOWED_UPDATES = ("message", "edited_message")


class TelegramError(DeskframeError):
    """A Bot API call failed. ``retry`` says whether trying again later may help;
    ``retry_after`` is the wait Telegram asked for (HTTP 429), in seconds."""

    def __init__(self, message: str, *, retry: bool = False, retry_after: float | None = None, code: int | None = None):
        super().__init__(message)
        self.retry = retry
        self.retry_after = retry_after
        self.code = code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class BotApi:
    """A client of one bot: ``BotApi(api_base, token)``."""

    def __init__(self, api_base: str, token: str):
        self._base = f"{api_base.rstrip('/')}/bot{token}/"
        self._token = token

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "<token>") if self._token else text

    def call(
        self,
        method: str,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        timeout: float = 10.0,
    ) -> Any:
        """Call ``method``; return its ``result`` or raise :class:`TelegramError`."""
        url = self._base + method
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            payload = exc.read()
            exc.close()
            raise self._failure(method, exc.code, payload) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TelegramError(f"{method}: {self._redact(f'{type(exc).__name__}: {reason}')}", retry=True) from None
        envelope = _json(payload)
        if not isinstance(envelope, dict) or envelope.get("ok") is not True or "result" not in envelope:
            raise self._failure(method, 200, payload)
        return envelope["result"]

    def _failure(self, method: str, status: int, payload: bytes) -> TelegramError:
        envelope = _json(payload)
        description = ""
        retry_after = None
        code = status
        if isinstance(envelope, dict):
            description = str(envelope.get("description") or "")
            if isinstance(envelope.get("error_code"), int):
                code = envelope["error_code"]
            params = envelope.get("parameters")
            if isinstance(params, dict) and isinstance(params.get("retry_after"), (int, float)):
                retry_after = float(params["retry_after"])
        retry = code == 429 or code >= 500
        detail = f"HTTP {code}" + (f" {description}" if description else "")
        return TelegramError(f"{method}: {self._redact(detail)[:300]}", retry=retry, retry_after=retry_after, code=code)

    def get_updates(self, offset: int, timeout: int, limit: int = 100) -> list[dict[str, Any]]:
        """Updates with ``update_id >= offset``; asking confirms (deletes at Telegram) all below it."""
        query: dict[str, Any] = {
            "timeout": timeout,
            "limit": limit,
            "allowed_updates": json.dumps(list(ALLOWED_UPDATES)),
        }
        if offset:
            query["offset"] = offset
        result = self.call("getUpdates", query=query, timeout=timeout + GRACE_SECONDS)
        if not isinstance(result, list):
            raise TelegramError("getUpdates: the answer is not a list of updates")
        return result

    def send_message(self, chat_id: int | str, text: str, timeout: float = 10.0) -> dict[str, Any]:
        """Send ``text`` to ``chat_id``; returns the sent Message."""
        result = self.call("sendMessage", body={"chat_id": chat_id, "text": text}, timeout=timeout)
        if not isinstance(result, dict):
            raise TelegramError("sendMessage: the answer is not a message")
        return result


def _json(payload: bytes) -> Any:
    try:
        return json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
