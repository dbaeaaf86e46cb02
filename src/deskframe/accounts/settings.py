"""The ``[web]`` table of ``deskframe.toml``: login sessions and the key that signs their cookies.

```toml
[web]
secret_key_env = "DESKFRAME_SECRET_KEY"   # read the signing key from this environment variable
# secret_key_file = "/etc/deskframe/web-secret.key"  # or read it from this file (mode 0600;
#                                         # relative to the config file; created if missing)
# secret_key = "..."                      # or give it here (at least 32 characters)
session_lifetime = "12h"                  # a login lasts this long
secure_cookies = false                    # true: cookies only over https even behind a plain-http proxy
cors_origins = []                         # origins whose pages may call /api/ (CORS); empty: CORS off
max_body = "25MB"                         # the largest request body (bytes, or "512KB", "25MB", "1GB")
```

Without a key in the config, :func:`signing_key` generates one on first use and keeps it in
``secret_key_file``, by default ``DATA_DIR/web-secret.key`` (mode 0600), so every worker of
``deskframe serve`` shares it. ``deskframe init`` creates that file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
from pathlib import Path
from typing import Any

import attrs

from ..errors import ConfigError
from ..tables import TableReader

#: The languages the pages are translated to (their Babel catalogs); the first is the fallback.
#: An account's language setting is one of these.
PAGE_LANGUAGES: tuple[str, ...] = ("en", "ru")
#: The cookie that keeps the language chosen on a page nobody is logged in to (the login pages);
#: a login adopts it as the account's language when the account has none.
LANGUAGE_COOKIE = "deskframe_lang"
#: The shortest signing key accepted from the config.
MIN_KEY_LENGTH = 32
#: The file (in the data directory) that holds the generated key.
KEY_FILE = "web-secret.key"
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: The default cap on a request body: 25 MB, as for mail (attachments included).
DEFAULT_MAX_BODY = 25 * 1024 * 1024
#: Bounds of ``max_body``: a login form must fit; nothing is read in one piece past 2 GB.
MAX_BODY_RANGE = (1024, 2 * 1024**3)
_SIZE = re.compile(r"\s*(\d+)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?\s*", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:\d{1,5})?")


@attrs.frozen(repr=False)
class WebSettings:
    """Validated ``[web]`` settings (the repr never shows the key)."""

    secret_key: str | None = None
    secret_key_env: str | None = None
    secret_key_file: Path | None = None
    session_lifetime: dt.timedelta = dt.timedelta(hours=12)
    secure_cookies: bool = False
    cors_origins: tuple[str, ...] = ()
    max_body: int = DEFAULT_MAX_BODY

    def __repr__(self) -> str:
        key = "***" if self.secret_key else None
        return (
            f"WebSettings(secret_key={key!r}, secret_key_env={self.secret_key_env!r}, "
            f"secret_key_file={self.secret_key_file!r}, "
            f"session_lifetime={self.session_lifetime!r}, secure_cookies={self.secure_cookies!r}, "
            f"cors_origins={self.cors_origins!r}, max_body={self.max_body!r})"
        )


def parse_web(t: TableReader, base_dir: Path | None = None) -> WebSettings:
    """Validate a ``[web]`` table (errors name ``web.KEY``, never the key's value); a relative
    ``secret_key_file`` is taken from ``base_dir`` (the config file's directory)."""
    t.reject_unknown(
        [
            "secret_key",
            "secret_key_env",
            "secret_key_file",
            "session_lifetime",
            "secure_cookies",
            "cors_origins",
            "max_body",
        ]
    )
    key = t.data.get("secret_key")
    if key is not None and (not isinstance(key, str) or len(key) < MIN_KEY_LENGTH):
        raise t.error("secret_key", f"must be a string of at least {MIN_KEY_LENGTH} characters")
    env = t.str("secret_key_env", None)
    if env is not None and not _ENV_NAME.fullmatch(env):
        raise t.error("secret_key_env", f"not an environment variable name: {env!r}")
    key_file = t.str("secret_key_file", None, max_length=4096)
    if key_file is not None and not key_file.strip():
        raise t.error("secret_key_file", "must name a file")
    if sum(v is not None for v in (key, env, key_file)) > 1:
        raise t.error(
            "secret_key_file" if key_file is not None else "secret_key_env",
            "give one of secret_key, secret_key_env and secret_key_file",
        )
    return WebSettings(
        secret_key=key,
        secret_key_env=env,
        secret_key_file=(base_dir or Path.cwd()) / key_file if key_file is not None else None,
        session_lifetime=t.duration(
            "session_lifetime", dt.timedelta(hours=12), minimum=dt.timedelta(minutes=5), maximum=dt.timedelta(days=90)
        ),
        secure_cookies=t.bool("secure_cookies", False),
        cors_origins=_cors_origins(t),
        max_body=_max_body(t),
    )


def _cors_origins(t: TableReader) -> tuple[str, ...]:
    """``cors_origins``: ``scheme://host[:port]`` each (no path, no wildcard but a lone ``"*"``)."""
    origins = t.str_list("cors_origins", [])
    for origin in origins:
        if origin == "*" and len(origins) == 1:
            continue
        if not _ORIGIN.fullmatch(origin):
            raise t.error("cors_origins", f"not an origin (scheme://host[:port], no path): {origin!r}")
    return tuple(dict.fromkeys(o.lower() for o in origins))


def _max_body(t: TableReader) -> int:
    """``max_body``: a number of bytes, or a size such as ``"512KB"``, ``"25MB"``, ``"1GB"`` (1 KB = 1024 bytes)."""
    value = t.data.get("max_body", DEFAULT_MAX_BODY)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise t.error("max_body", f'must be a number of bytes or a size such as "25MB", not {value!r}')
    if isinstance(value, str):
        match = _SIZE.fullmatch(value)
        if not match:
            raise t.error("max_body", f"not a size (bytes, or a number with KB, MB or GB): {value!r}")
        value = int(match.group(1)) * _UNITS[(match.group(2) or "")[:1].lower()]
    low, high = MAX_BODY_RANGE
    if not low <= value <= high:
        raise t.error("max_body", f"must be between 1KB and 2GB, got {value} bytes")
    return value


def signing_key(settings: WebSettings, data_dir: Path) -> bytes:
    """The key that signs session cookies and CSRF tokens: from the config, its environment
    variable, or its file (``secret_key_file``, else ``DATA_DIR/web-secret.key``; created with
    mode 0600 on first use)."""
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    if settings.secret_key_env:
        value = os.environ.get(settings.secret_key_env, "")
        if len(value) < MIN_KEY_LENGTH:
            raise ConfigError(
                f"environment variable {settings.secret_key_env} must hold at least {MIN_KEY_LENGTH} characters",
                key="web.secret_key_env",
            )
        return value.encode("utf-8")
    return _key_file(key_file_path(settings, data_dir))


def key_file_path(settings: WebSettings, data_dir: Path) -> Path:
    """Where the signing key is kept when it is not given in the config or the environment."""
    return settings.secret_key_file or Path(data_dir) / KEY_FILE


def _key_file(path: Path) -> bytes:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            # written whole under a temporary name, then linked into place: a worker racing
            # this one either wins the link or reads the winner's key, never a half-written file
            tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "w", encoding="ascii") as out:
                    out.write(secrets.token_hex(32) + "\n")
                with contextlib.suppress(FileExistsError):  # another worker's key won: use it
                    os.link(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
        if os.name == "posix" and path.stat().st_mode & 0o077:
            raise ConfigError(f"{path} is readable by others: run chmod 600 on it", key="web.secret_key_file")
        text = path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise ConfigError(
            f"cannot keep the signing key in {path}: {exc.strerror or exc}", key="web.secret_key_file"
        ) from None
    if len(text) < MIN_KEY_LENGTH:  # emptied or edited by hand: refuse rather than sign with a weak key
        raise ConfigError(f"{path} holds no usable key (remove it to make a new one)", key="web.secret_key_file")
    return text.encode("ascii")


def web_settings(config: Any) -> WebSettings:
    """The config's ``[web]`` settings (defaults when it has none)."""
    return getattr(config, "web", None) or WebSettings()
