"""One ``[[channels]]`` table of type ``email``, validated into :class:`EmailSettings`.

```toml
[[channels]]
name = "support-mail"
type = "email"
source = "imaps://support%40example.com@imap.example.com/INBOX"
                                      # or maildir:PATH, mbox:PATH, imap+starttls://, imap://,
                                      #    pop3s://, pop3+starttls://, pop3://
password_env = "SUPPORT_MAIL_PASSWORD"  # the password is read from this environment variable
smtp = "smtps://smtp.example.com:465"   # or smtp+starttls://HOST:587, smtp://HOST:25
address = "support@example.com"         # From of our mail; login user unless the URL names one
from_name = "Example Support"           # display name of our mail (optional)
folder = "INBOX"                        # IMAP folder to watch (or in the source URL's path)
processed_folder = "Processed"          # IMAP/Maildir: move here after import (else flag \\Seen)
delete_after_import = false             # POP3: delete from the server after import
trusted = false                         # honour X-Deskframe-Queue/-Priority of this mailbox
max_bytes = 26214400                    # larger mail is not parsed (quarantined / left on server)
interval = "5m"                         # shortest time between two polls of this channel
timeout = 60                            # seconds for one network operation
ca_file = "/etc/ssl/our-ca.pem"         # extra CA for the IMAP/POP3/SMTP server (optional)
allow_plaintext = false                 # true: allow imap:// pop3:// smtp:// logins off loopback
parse_workers = "auto"                  # Maildir/mbox: processes parsing ahead of the store (0: none)
autoreply = { canned = "ack", cap_per_day = 3 }   # acknowledge new tickets (optional)
```

Relative ``maildir:``/``mbox:`` paths are taken from the config file's folder.
Secrets never sit in the file: a password in a URL is an error.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import attrs

from deskframe import bounds
from deskframe.errors import ConfigError
from deskframe.sla import parse_duration
from deskframe.tables import TableReader

TYPE = "email"
KEYS = (
    "name",
    "type",
    "source",
    "folder",
    "address",
    "from_name",
    "password_env",
    "smtp",
    "trusted",
    "max_bytes",
    "autoreply",
    "processed_folder",
    "delete_after_import",
    "interval",
    "timeout",
    "ca_file",
    "allow_plaintext",
    "parse_workers",
)
SOURCE_SCHEMES = ("maildir", "mbox", "imap", "imaps", "imap+starttls", "pop3", "pop3s", "pop3+starttls")
SMTP_SCHEMES = ("smtp", "smtps", "smtp+starttls")
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
#: The longest time between two polls of a mailbox.
MAX_INTERVAL = dt.timedelta(days=7)
DEFAULT_PORTS = {
    "imap": 143,
    "imap+starttls": 143,
    "imaps": 993,
    "pop3": 110,
    "pop3+starttls": 110,
    "pop3s": 995,
    "smtp": 25,
    "smtp+starttls": 587,
    "smtps": 465,
}
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,253}[A-Za-z0-9])?")
_FOLDER = re.compile(r"[^\x00-\x1f\x7f]{1,200}")


@attrs.frozen
class Server:
    """A network endpoint from a URL: ``imaps://user@host:port/path``."""

    scheme: str
    host: str
    port: int
    user: str | None = None
    path: str = ""

    @property
    def tls(self) -> str:
        """``ssl`` (TLS from the first byte), ``starttls`` or ``none``."""
        if self.scheme.endswith("+starttls"):
            return "starttls"
        return "ssl" if self.scheme in ("imaps", "pop3s", "smtps") else "none"

    @property
    def kind(self) -> str:
        base = self.scheme.split("+")[0]
        return base[:-1] if base.endswith("s") else base

    def display(self) -> str:
        user = f"{self.user}@" if self.user else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}" + (f"/{self.path}" if self.path else "")


@attrs.frozen
class Autoreply:
    """``autoreply = { canned = NAME, cap_per_day = N }``."""

    canned: str
    cap_per_day: int = 3


@attrs.frozen
class EmailSettings:
    """A validated ``email`` channel table."""

    name: str
    kind: str  # maildir | mbox | imap | pop3
    address: str
    path: Path | None = None  # maildir / mbox
    server: Server | None = None  # imap / pop3
    folder: str = "INBOX"
    from_name: str | None = None
    password_env: str | None = None
    smtp: Server | None = None
    trusted: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    autoreply: Autoreply | None = None
    processed_folder: str | None = None
    delete_after_import: bool = False
    interval: dt.timedelta | None = None
    timeout: float = 60.0
    ca_file: str | None = None
    allow_plaintext: bool = False
    parse_workers: int | None = None  # None: "auto" (see deskframe_email.parallel.worker_count)

    @property
    def domain(self) -> str:
        return self.address.rsplit("@", 1)[1]


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _server(t: TableReader, key: str, value: str, schemes: tuple[str, ...]) -> Server:
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        raise t.error(key, f"unknown scheme in {value!r} (known: {', '.join(s + '://' for s in schemes)})")
    if parts.password is not None:
        raise t.error(key, "must not hold a password: name an environment variable in password_env")
    if parts.query or parts.fragment:
        raise t.error(key, f"must not have a query or fragment: {value!r}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise t.error(key, f"bad port in {value!r}: {exc}") from None
    if not host:
        raise t.error(key, f"names no host: {value!r}")
    user = unquote(parts.username) if parts.username else None
    return Server(
        scheme=scheme, host=host, port=port or DEFAULT_PORTS[scheme], user=user, path=unquote(parts.path.lstrip("/"))
    )


def _check_plaintext(t: TableReader, key: str, server: Server, allowed: bool) -> None:
    if server.tls == "none" and not allowed and not _loopback(server.host):
        raise t.error(
            key,
            f"{server.scheme}:// would send the password unencrypted to {server.host}; use "
            f"{server.kind}s:// or {server.kind}+starttls:// (or set allow_plaintext = true)",
        )


def parse_settings(table: dict[str, Any], base_dir: Path | None = None) -> EmailSettings:
    """Validate ``table``; ConfigError keys are relative to the table."""
    t = TableReader(table)
    t.reject_unknown(KEYS)
    name = t.name("name")
    address = t.str("address", max_length=320).strip()
    if not _ADDRESS.fullmatch(address):
        raise t.error("address", f"not an e-mail address: {address!r}")
    from_name = t.str("from_name", None, max_length=300)
    if from_name is not None and any(c in from_name for c in "\r\n\x00"):
        raise t.error("from_name", "must be one line")
    password_env = t.str("password_env", None)
    if password_env is not None and not _ENV_NAME.fullmatch(password_env):
        raise t.error("password_env", f"not an environment variable name: {password_env!r}")
    allow_plaintext = t.bool("allow_plaintext", False)

    source = t.str("source")
    scheme = source.split(":", 1)[0].lower() if ":" in source else ""
    if scheme not in SOURCE_SCHEMES:
        raise t.error(
            "source",
            f"unknown source {source!r} (known: maildir:PATH, mbox:PATH, "
            f"{', '.join(s + '://USER@HOST/FOLDER' for s in SOURCE_SCHEMES if s.startswith('imap'))}, "
            f"{', '.join(s + '://USER@HOST' for s in SOURCE_SCHEMES if s.startswith('pop3'))})",
        )
    path = server = None
    folder = "INBOX"
    if scheme in ("maildir", "mbox"):
        kind = scheme
        text = source.split(":", 1)[1]
        if text.startswith("//"):
            text = text[2:]
        if not text.strip():
            raise t.error("source", f"names no path: {source!r}")
        path = Path(text).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
    else:
        server = _server(t, "source", source, SOURCE_SCHEMES[2:])
        kind = server.kind
        _check_plaintext(t, "source", server, allow_plaintext)
        if password_env is None:
            raise t.error("password_env", f"is required for a {kind} source (the variable holding the password)")
        if kind == "pop3" and server.path:
            raise t.error("source", "a pop3 URL has no folder path")
        if kind == "imap":
            folder = server.path or "INBOX"
    given_folder = t.str("folder", None)
    if given_folder is not None:
        if kind != "imap":
            raise t.error("folder", "only an IMAP source has a folder")
        if server is not None and server.path and server.path != given_folder:
            raise t.error("folder", f"differs from the folder in source ({server.path!r})")
        folder = given_folder
    if not _FOLDER.fullmatch(folder):
        raise t.error("folder", f"not a folder name: {folder!r}")
    processed = t.str("processed_folder", None)
    if processed is not None:
        if kind not in ("imap", "maildir"):
            raise t.error("processed_folder", "only IMAP and Maildir sources move messages")
        if not _FOLDER.fullmatch(processed) or (kind == "maildir" and ("/" in processed or processed in (".", ".."))):
            raise t.error("processed_folder", f"not a folder name: {processed!r}")
        if kind == "imap" and processed == folder:
            raise t.error("processed_folder", "must differ from the watched folder")
    delete = t.bool("delete_after_import", False)
    if delete and kind != "pop3":
        raise t.error("delete_after_import", "only a POP3 source deletes messages")

    smtp = None
    smtp_url = t.str("smtp", None)
    if smtp_url is not None:
        smtp = _server(t, "smtp", smtp_url, SMTP_SCHEMES)
        if smtp.path:
            raise t.error("smtp", f"an SMTP URL has no path: {smtp_url!r}")
        if password_env is not None:
            _check_plaintext(t, "smtp", smtp, allow_plaintext)

    max_bytes = t.int("max_bytes", DEFAULT_MAX_BYTES, minimum=1024)
    interval = None
    raw_interval = table.get("interval")
    if raw_interval is not None:
        if isinstance(raw_interval, bool) or not isinstance(raw_interval, (int, str)):
            raise t.error("interval", "must be seconds (an integer) or a duration such as '5m'")
        try:
            if isinstance(raw_interval, int):
                bounds.check_int(raw_interval, 1, int(MAX_INTERVAL.total_seconds()))
            interval = (
                dt.timedelta(seconds=raw_interval)
                if isinstance(raw_interval, int)
                else bounds.check_duration(parse_duration(raw_interval), maximum=MAX_INTERVAL)
            )
        except ValueError as exc:
            raise t.error("interval", str(exc)) from None
        if interval.total_seconds() < 1:
            raise t.error("interval", "must be at least one second")
    timeout = t.int("timeout", 60, minimum=1, maximum=3600)
    parse_workers = None
    raw_workers = table.get("parse_workers", "auto")
    if raw_workers != "auto":
        if isinstance(raw_workers, bool) or not isinstance(raw_workers, int):
            raise t.error(
                "parse_workers", f'must be "auto" or a number of processes (0: parse in-process), got {raw_workers!r}'
            )
        parse_workers = t.int("parse_workers", 0, minimum=0, maximum=64)
    ca_file = t.str("ca_file", None)

    autoreply = None
    if "autoreply" in table:
        a = t.sub("autoreply")
        a.reject_unknown(["canned", "cap_per_day"])
        autoreply = Autoreply(canned=a.str("canned"), cap_per_day=a.int("cap_per_day", 3, minimum=0, maximum=1000))

    return EmailSettings(
        name=name,
        kind=kind,
        address=address,
        path=path,
        server=server,
        folder=folder,
        from_name=from_name,
        password_env=password_env,
        smtp=smtp,
        trusted=t.bool("trusted", False),
        max_bytes=max_bytes,
        autoreply=autoreply,
        processed_folder=processed,
        delete_after_import=delete,
        interval=interval,
        timeout=float(timeout),
        ca_file=ca_file,
        allow_plaintext=allow_plaintext,
        parse_workers=parse_workers,
    )


def validate(table: dict[str, Any]) -> EmailSettings:
    """The channel type's ``validate`` (start-up check, no file system or network access)."""
    return parse_settings(table)


def password(settings: EmailSettings) -> str | None:
    """The password from the environment (``None`` when no ``password_env`` is configured)."""
    import os

    if settings.password_env is None:
        return None
    value = os.environ.get(settings.password_env)
    if value is None:
        raise ConfigError(f"environment variable {settings.password_env} is not set", key="password_env")
    return value
