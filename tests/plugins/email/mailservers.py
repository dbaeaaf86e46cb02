"""Helpers of the e-mail channel tests: real servers, Maildirs, messages, channel tables."""

from __future__ import annotations

import itertools
import json
import ssl
import threading
import warnings
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from deskframe.testing import free_port

_counter = itertools.count(1)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(str(value))


def channel_toml(name: str = "support-mail", **keys: Any) -> str:
    """One ``[[channels]]`` table of type email (``address`` defaults to support@desk.example)."""
    keys.setdefault("address", "support@desk.example")
    lines = ["", "[[channels]]", f"name = {toml_value(name)}", 'type = "email"']
    lines += [f"{k} = {toml_value(v)}" for k, v in keys.items()]
    return "\n".join(lines) + "\n"


def message(
    subject: str = "Printer broken",
    *,
    sender: str = "Ivan Petrov <ivan@customer.example>",
    body: str = "Hello,\n\nthe printer is broken.\n",
    msgid: str | None = "auto",
    extra: dict[str, str] | None = None,
    to: str = "support@desk.example",
) -> bytes:
    """A simple RFC 5322 message as bytes (CRLF line ends); ``msgid=None`` leaves Message-ID out."""
    n = next(_counter)
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}", "Date: Mon, 02 Nov 2026 09:00:00 +0000"]
    if msgid == "auto":
        msgid = f"<m{n}.{id(lines)}@customer.example>"
    if msgid:
        lines.append(f"Message-ID: {msgid}")
    for key, value in (extra or {}).items():
        lines.append(f"{key}: {value}")
    lines += [
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: 8bit",
        "",
        body,
    ]
    return "\r\n".join(lines).encode("utf-8")


def make_maildir(root: Path, messages: list[bytes] | None = None) -> Path:
    for sub in ("tmp", "new", "cur"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for raw in messages or ():
        deliver(root, raw)
    return root


def deliver(root: Path, raw: bytes, name: str | None = None) -> str:
    """Deliver like an MDA: write in tmp/, rename into new/. Returns the file name."""
    name = name or f"1790000000.M{next(_counter):06d}P1.test"
    tmp = root / "tmp" / name
    tmp.write_bytes(raw)
    tmp.rename(root / "new" / name)
    return name


def parse(raw: bytes):
    return BytesParser(policy=policy.default).parsebytes(raw)


class Dovecot:
    """The Dovecot started by ``scripts/start-dovecot`` (see its output keys)."""

    def __init__(self, info: dict[str, str]):
        self.info = info
        self.host = info.get("host", "127.0.0.1")
        self.imap = int(info["imap"])
        self.pop3 = int(info["pop3"])
        self.imaps = int(info["imaps"]) if "imaps" in info else None
        self.pop3s = int(info["pop3s"]) if "pop3s" in info else None
        self.ca_file = info.get("ca_file")
        self.user = info["user"]
        self.password = info["password"]

    def client(self):
        from imapclient import IMAPClient

        client = IMAPClient(self.host, port=self.imap, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client

    def fresh_folder(self, prefix: str = "T") -> str:
        """A new, empty folder name."""
        name = f"{prefix}{next(_counter)}x{id(self) % 997}"
        with self.client() as c:
            if c.folder_exists(name):
                c.delete_folder(name)
            c.create_folder(name)
        return name

    def append(self, folder: str, *raws: bytes) -> None:
        with self.client() as c:
            for raw in raws:
                c.append(folder, raw)

    def state(self, folder: str) -> dict[int, tuple[bytes, ...]]:
        """UID -> flags of the messages in ``folder``."""
        with self.client() as c:
            c.select_folder(folder, readonly=True)
            uids = c.search()
            return {uid: data[b"FLAGS"] for uid, data in c.fetch(uids, ["FLAGS"]).items()} if uids else {}

    def empty_inbox(self) -> None:
        with self.client() as c:
            c.select_folder("INBOX")
            uids = c.search()
            if uids:
                c.delete_messages(uids)
                c.expunge()

    def source(self, scheme: str = "imap", folder: str | None = None) -> str:
        port = {
            "imap": self.imap,
            "imaps": self.imaps,
            "imap+starttls": self.imap,
            "pop3": self.pop3,
            "pop3s": self.pop3s,
            "pop3+starttls": self.pop3,
        }[scheme]
        return f"{scheme}://{self.user}@{self.host}:{port}" + (f"/{folder}" if folder else "")


class SmtpSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 keeping (mail_from, rcpt_tos, bytes) of each message."""

    def __init__(
        self, *, auth: tuple[str, str] | None = None, tls_context: ssl.SSLContext | None = None, refuse: bool = False
    ):
        self.port = free_port()
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.logins: list[str] = []
        self.auth = auth
        self.tls_context = tls_context
        self.refuse = refuse
        self._lock = threading.Lock()
        self.controller: Any = None

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "554 5.7.1 rejected for the test"
        with self._lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 OK"

    def _authenticate(self, server, session, envelope, mechanism, data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        if isinstance(data, LoginPassword):
            user, secret = data.login.decode(), data.password.decode()
            if self.auth and (user, secret) == self.auth:
                self.logins.append(user)
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        kwargs: dict[str, Any] = {}
        if self.auth:
            kwargs.update(
                authenticator=self._authenticate, auth_required=True, auth_require_tls=self.tls_context is not None
            )
        if self.tls_context is not None:
            kwargs.update(tls_context=self.tls_context, require_starttls=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "AUTH without TLS": loopback test server
            self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **kwargs)
            self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def parsed(self) -> list[Any]:
        return [parse(raw) for _, _, raw in self.messages]


def send_due(desk, limit: int = 500) -> int:
    """Deliver what the outbox holds, as ``deskframe worker`` would (one pass after another); how many were sent."""
    sent = 0
    while True:
        report = desk.outbox.deliver_pass("test-worker", limit=limit)
        sent += report.sent
        if report.claimed < limit:
            return sent
