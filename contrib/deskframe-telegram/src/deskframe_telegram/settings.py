"""One ``[[channels]]`` table of type ``telegram``, validated into :class:`TelegramSettings`.

```toml
[[channels]]
name = "support-bot"
type = "telegram"
token_env = "SUPPORT_BOT_TOKEN"        # the bot token is read from this environment variable
api_base = "https://api.telegram.org"  # the Bot API server (a local Bot API server, a test fake)
poll_timeout = 0                       # getUpdates long-polling timeout in seconds (0-50)
trusted = false                        # mark the bot's messages trusted (see the README)
send_tries = 3                         # attempts per reply (1-10)
```

The token never sits in the file: only the name of the variable holding it.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import urlsplit

import attrs

from deskframe.errors import ConfigError
from deskframe.tables import TableReader

TYPE = "telegram"
DEFAULT_API_BASE = "https://api.telegram.org"
KEYS = ("name", "type", "token_env", "api_base", "poll_timeout", "trusted", "send_tries")
#: Telegram answers getUpdates with at most 50 s of long polling.
MAX_POLL_TIMEOUT = 50
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@attrs.frozen
class TelegramSettings:
    """A validated telegram channel table."""

    name: str
    token_env: str
    api_base: str = DEFAULT_API_BASE
    poll_timeout: int = 0
    trusted: bool = False
    send_tries: int = 3

    def token(self) -> str:
        """The bot token from the environment; ConfigError (key ``token_env``) if it is not set."""
        value = os.environ.get(self.token_env, "").strip()
        if not value:
            raise ConfigError(f"environment variable {self.token_env} (the bot token) is not set", key="token_env")
        return value


def parse_settings(table: dict[str, Any]) -> TelegramSettings:
    """Validate a ``[[channels]]`` table of type ``telegram``; errors name keys relative to it."""
    t = TableReader(table)
    t.reject_unknown(KEYS)
    token_env = t.str("token_env")
    if not _ENV_NAME.fullmatch(token_env):
        raise t.error(
            "token_env",
            f"must be an environment variable name, got {token_env!r} (the token itself never goes into the file)",
        )
    api_base = t.str("api_base", DEFAULT_API_BASE).rstrip("/")
    parts = urlsplit(api_base)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise t.error("api_base", f"must be an http:// or https:// URL without query, got {api_base!r}")
    return TelegramSettings(
        name=t.str("name"),
        token_env=token_env,
        api_base=api_base,
        poll_timeout=t.int("poll_timeout", 0, minimum=0, maximum=MAX_POLL_TIMEOUT),
        trusted=t.bool("trusted", False),
        send_tries=t.int("send_tries", 3, minimum=1, maximum=10),
    )


def validate(table: dict[str, Any]) -> None:
    """``ChannelType.validate``: check the table at config load (the token is not needed then)."""
    parse_settings(table)


def settings_for(desk: Any, name: str | None) -> TelegramSettings | None:
    """The settings of configured telegram channel ``name``, or None if it is not one."""
    table = desk.config.channel(name) if name else None
    if table is None or table.get("type") != TYPE:
        return None
    try:
        return parse_settings(table)
    except ConfigError:  # validated at load already
        return None
