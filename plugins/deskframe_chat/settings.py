"""One ``[[channels]]`` table of type ``chat``, validated into :class:`ChatSettings`.

```toml
[[channels]]
name = "site-chat"
type = "chat"
secret_env = "SITE_CHAT_SECRET"      # HMAC secret, read from this environment variable
callback_url = "https://chat.example/deskframe/replies"   # optional: agent replies go here
idle_gap = "4h"                      # a conversation silent this long starts a new ticket
max_body_bytes = 10485760            # larger webhook bodies get 413
trusted = false                      # true: the sender's e-mail is verified by the chat provider
callback_tries = 3                   # attempts per reply (1-10)
callback_backoff = 0.5               # seconds before the 2nd try, doubled before each next one
callback_timeout = 10                # seconds per attempt
```

The secret itself never sits in the file: only the name of the variable holding it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import attrs

from deskframe import bounds
from deskframe.errors import ConfigError
from deskframe.sla import parse_duration
from deskframe.tables import TableReader

TYPE = "chat"
KEYS = (
    "name",
    "type",
    "secret_env",
    "callback_url",
    "idle_gap",
    "max_body_bytes",
    "trusted",
    "callback_tries",
    "callback_backoff",
    "callback_timeout",
)
DEFAULT_MAX_BODY = 10 * 1024 * 1024
#: A conversation silent longer than a year is a new one anyway.
MAX_IDLE_GAP = dt.timedelta(days=366)
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@attrs.frozen
class ChatSettings:
    """A validated chat channel table."""

    name: str
    secret_env: str
    callback_url: str | None = None
    idle_gap: dt.timedelta = dt.timedelta(hours=4)
    max_body_bytes: int = DEFAULT_MAX_BODY
    trusted: bool = False
    callback_tries: int = 3
    callback_backoff: float = 0.5
    callback_timeout: float = 10.0


def _seconds(t: TableReader, key: str, default: float, *, low: float, high: float) -> float:
    value = t.data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise t.error(key, f"must be a number of seconds, got {value!r}")
    if not (low <= value <= high):
        raise t.error(key, f"must be between {low:g} and {high:g} seconds, got {value!r}")
    return float(value)


def parse_settings(table: dict[str, Any]) -> ChatSettings:
    """Validate a ``[[channels]]`` table of type ``chat``; errors name keys relative to it."""
    t = TableReader(table)
    t.reject_unknown(KEYS)
    secret_env = t.str("secret_env")
    if not _ENV_NAME.fullmatch(secret_env):
        raise t.error(
            "secret_env",
            f"must be an environment variable name, got {secret_env!r} (the secret itself never goes into the file)",
        )
    callback = t.str("callback_url", None, max_length=2000)
    if callback is not None:
        parts = urlsplit(callback)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise t.error("callback_url", f"must be an http:// or https:// URL, got {callback!r}")
    gap_text = t.str("idle_gap", "4h")
    try:
        gap = bounds.check_duration(parse_duration(gap_text), maximum=MAX_IDLE_GAP)
    except ValueError as exc:
        raise t.error("idle_gap", str(exc)) from None
    if gap <= dt.timedelta(0):
        raise t.error("idle_gap", "must be more than zero")
    return ChatSettings(
        name=t.name("name"),
        secret_env=secret_env,
        callback_url=callback,
        idle_gap=gap,
        max_body_bytes=t.int("max_body_bytes", DEFAULT_MAX_BODY, minimum=1024, maximum=1024**3),
        trusted=t.bool("trusted", False),
        callback_tries=t.int("callback_tries", 3, minimum=1, maximum=10),
        callback_backoff=_seconds(t, "callback_backoff", 0.5, low=0, high=60),
        callback_timeout=_seconds(t, "callback_timeout", 10, low=0.1, high=120),
    )


def validate(table: dict[str, Any]) -> None:
    """``ChannelType.validate``: check the table at config load (the secret is not needed then)."""
    parse_settings(table)


def settings_for(desk: Any, name: str) -> ChatSettings | None:
    """The settings of configured chat channel ``name``, or None if there is no such chat channel."""
    table = desk.config.channel(name)
    if table is None or table.get("type") != TYPE:
        return None
    try:
        return parse_settings(table)
    except ConfigError:  # validated at load; cannot happen unless the config object was swapped
        return None
