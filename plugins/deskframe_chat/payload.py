"""The webhook's wire format: HMAC signatures and strict parsing of the JSON body.

Body (UTF-8 JSON object; unknown keys are rejected)::

    {"message_id": "m-1", "conversation_id": "c-42",
     "sender": {"id": "u-7", "name": "Ivan Petrov", "email": "ivan@example.com"},
     "text": "Hello", "timestamp": "2026-03-01T10:00:00+03:00",
     "attachments": [{"filename": "log.txt", "content_type": "text/plain", "base64": "aGk="},
                     {"filename": "shot.png", "url": "https://files.example/shot.png"}]}

``message_id`` and ``conversation_id`` are strings or integers (at most 180 characters);
``sender.name`` and ``sender.email`` are optional; ``timestamp`` is ISO 8601 with an
offset, or seconds since the epoch; ``attachments`` is optional. URL attachments are
**never fetched** by the server (that would let anyone holding the secret make deskframe
request internal addresses): they are kept as links at the end of the article text.

Signature: header ``X-Deskframe-Signature: sha256=<hex>``, the HMAC-SHA256 of the raw
body with the channel's secret. Outbound callbacks are signed the same way.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlsplit

import attrs

SIGNATURE_HEADER = "X-Deskframe-Signature"
TOP_KEYS = {"message_id", "conversation_id", "sender", "text", "timestamp", "attachments"}
SENDER_KEYS = {"id", "name", "email"}
ATTACHMENT_KEYS = {"filename", "content_type", "base64", "url"}
MAX_ID = 180
MAX_NAME = 200
MAX_ATTACHMENTS = 20
#: Timestamps are accepted from 1970 up to (not including) the year 3000.
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
LATEST = dt.datetime(3000, 1, 1, tzinfo=dt.timezone.utc)


class PayloadError(ValueError):
    """A webhook body that does not follow the format; ``str()`` is one line for the 422 answer."""


@attrs.frozen
class ChatAttachment:
    filename: str
    content_type: str
    data: bytes | None = None
    url: str | None = None


@attrs.frozen
class ChatMessage:
    """A validated webhook message."""

    message_id: str
    conversation_id: str
    sender_id: str
    sender_name: str | None
    sender_email: str | None
    text: str
    timestamp: dt.datetime
    attachments: tuple[ChatAttachment, ...] = ()


def sign(secret: str, body: bytes) -> str:
    """The header value ``sha256=<hex>`` for ``body``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """Constant-time check of a ``sha256=<hex>`` header against ``body``."""
    if not header:
        return False
    expected = sign(secret, body)
    return hmac.compare_digest(expected.encode("ascii"), header.strip().encode("ascii", "replace"))


def _unknown(data: dict[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise PayloadError(f"unknown field {where}{extra[0]!r} (known: {', '.join(sorted(allowed))})")


def _ident(data: dict[str, Any], key: str, where: str = "") -> str:
    if key not in data:
        raise PayloadError(f"missing field {where}{key!r}")
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise PayloadError(f"{where}{key!r} must be a string or an integer")
    text = str(value)
    if not text.strip() or len(text) > MAX_ID or not text.isprintable():
        raise PayloadError(f"{where}{key!r} must be 1-{MAX_ID} printable characters")
    return text


def _optional_str(data: dict[str, Any], key: str, where: str, limit: int) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise PayloadError(f"{where}{key!r} must be a string")
    value = value.strip()
    if len(value) > limit or not value.isprintable():
        raise PayloadError(f"{where}{key!r} must be at most {limit} printable characters")
    return value or None


def _timestamp(value: Any) -> dt.datetime:
    when = _parse_timestamp(value)
    if not EARLIEST <= when < LATEST:
        raise PayloadError(f"'timestamp' out of range (1970 to 2999): {str(value)[:40]!r}")
    return when


def _parse_timestamp(value: Any) -> dt.datetime:
    if isinstance(value, bool):
        raise PayloadError("'timestamp' must be ISO 8601 with an offset or epoch seconds")
    if isinstance(value, (int, float)):
        try:
            return dt.datetime.fromtimestamp(value, dt.timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise PayloadError(f"'timestamp' out of range: {value!r}") from None
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise PayloadError(f"'timestamp' is not ISO 8601: {value[:40]!r}") from None
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            raise PayloadError("'timestamp' needs a UTC offset (e.g. +03:00 or Z)")
        try:
            return parsed.astimezone(dt.timezone.utc)
        except OverflowError:
            raise PayloadError(f"'timestamp' out of range: {value[:40]!r}") from None
    raise PayloadError("'timestamp' must be ISO 8601 with an offset or epoch seconds")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _email(value: str | None) -> str | None:
    if value is None:
        return None
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() or c in '<>,;"' for c in value):
        raise PayloadError(f"'sender.email' is not an e-mail address: {value[:60]!r}")
    return value.lower()


def _attachment(item: Any, i: int) -> ChatAttachment:
    where = f"attachments[{i}]."
    if not isinstance(item, dict):
        raise PayloadError(f"attachments[{i}] must be an object")
    _unknown(item, ATTACHMENT_KEYS, where)
    filename = _optional_str(item, "filename", where, MAX_NAME)
    if filename is None:
        raise PayloadError(f"missing field {where}'filename'")
    content_type = _optional_str(item, "content_type", where, 200) or "application/octet-stream"
    if ("base64" in item) == ("url" in item):
        raise PayloadError(f"{where[:-1]} needs exactly one of 'base64' and 'url'")
    if "base64" in item:
        if not isinstance(item["base64"], str):
            raise PayloadError(f"{where}'base64' must be a string")
        try:
            data = base64.b64decode(item["base64"], validate=True)
        except (binascii.Error, ValueError):
            raise PayloadError(f"{where}'base64' is not valid base64") from None
        return ChatAttachment(filename, content_type, data=data)
    url = item["url"]
    if not isinstance(url, str) or len(url) > 2000 or not url.isprintable() or " " in url:
        raise PayloadError(f"{where}'url' must be a URL of at most 2000 characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PayloadError(f"{where}'url' must be an http:// or https:// URL")
    return ChatAttachment(filename, content_type, url=url)


def parse(body: bytes) -> ChatMessage:
    """Validate a webhook body; raises :class:`PayloadError` with a one-line reason."""
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise PayloadError("body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise PayloadError(f"body is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise PayloadError("body is nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise PayloadError(f"body is not usable JSON: {str(exc)[:80]}") from None
    if not isinstance(data, dict):
        raise PayloadError("body must be a JSON object")
    _unknown(data, TOP_KEYS, "")
    message_id = _ident(data, "message_id")
    conversation_id = _ident(data, "conversation_id")
    sender = data.get("sender")
    if not isinstance(sender, dict):
        raise PayloadError("missing field 'sender'" if sender is None else "'sender' must be an object")
    _unknown(sender, SENDER_KEYS, "sender.")
    sender_id = _ident(sender, "id", "sender.")
    name = _optional_str(sender, "name", "sender.", MAX_NAME)
    email = _email(_optional_str(sender, "email", "sender.", 254))
    if "text" not in data:
        raise PayloadError("missing field 'text'")
    text = data["text"]
    if not isinstance(text, str):
        raise PayloadError("'text' must be a string")
    if "\x00" in text:
        raise PayloadError("'text' must not contain NUL characters")
    if not _encodable(text):
        raise PayloadError("'text' must be valid Unicode (it holds a lone surrogate escape such as \\ud800)")
    if "timestamp" not in data:
        raise PayloadError("missing field 'timestamp'")
    when = _timestamp(data["timestamp"])
    raw_attachments = data.get("attachments", [])
    if not isinstance(raw_attachments, list):
        raise PayloadError("'attachments' must be an array")
    if len(raw_attachments) > MAX_ATTACHMENTS:
        raise PayloadError(f"at most {MAX_ATTACHMENTS} attachments per message")
    attachments = tuple(_attachment(item, i) for i, item in enumerate(raw_attachments))
    if not text.strip() and not attachments:
        raise PayloadError("a message needs 'text' or 'attachments'")
    return ChatMessage(
        message_id=message_id,
        conversation_id=conversation_id,
        sender_id=sender_id,
        sender_name=name,
        sender_email=email,
        text=text.replace("\r\n", "\n"),
        timestamp=when,
        attachments=attachments,
    )
