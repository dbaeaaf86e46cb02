"""POP3 intake (``poplib``): UIDL-tracked, deletion only after the commit and only if configured.

Each imported message's UIDL is recorded in the core's cursor store
(``pop3:uidl:<UIDL>``) after its ticket change committed; a later poll skips it.
With ``delete_after_import`` the message is marked for deletion right after
that (the server deletes at ``QUIT``); a message recorded but still on the
server (a crash before ``QUIT``) is deleted on the next poll. A message over
``max_bytes`` is not downloaded: its header (``TOP n 0``) goes to the quarantine,
the message stays on the server, and a later poll with a higher ``max_bytes``
takes it in.
"""

from __future__ import annotations

import contextlib
import logging
import poplib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from .network import login_user, tls_context
from .settings import password
from .sources import LEFT, Fetched, MailboxUnavailable, left_on_server_raw

if TYPE_CHECKING:
    from .settings import EmailSettings

log = logging.getLogger("deskframe.email")

SEEN_PREFIX = "pop3:uidl:"
#: Longest line accepted from the server (poplib's own limit is 2,048 bytes).
MAX_LINE = 1024 * 1024


class _LongLines:
    """poplib reads lines of at most 2,048 bytes; real mail has longer ones."""

    file: BinaryIO  # poplib.POP3's socket file

    def _getline(self) -> tuple[bytes, int]:
        line = self.file.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise poplib.error_proto("line too long")
        if not line:
            raise poplib.error_proto("-ERR EOF")
        octets = len(line)
        if line[-2:] == b"\r\n":
            return line[:-2], octets
        if line[:1] == b"\r":
            return line[1:-1], octets
        return line[:-1], octets


class _POP3(_LongLines, poplib.POP3):
    pass


class _POP3_SSL(_LongLines, poplib.POP3_SSL):
    pass


def _errors() -> tuple[type[BaseException], ...]:
    return (OSError, poplib.error_proto)


class Pop3Source:
    def __init__(self, settings: EmailSettings, desk: Any, channel: str):
        assert settings.server is not None
        self.settings = settings
        self.server = settings.server
        self.desk = desk
        self.channel = channel
        self.client: Any = None

    def connect(self) -> Any:
        s, server = self.settings, self.server
        secret = password(s)
        assert secret is not None  # settings.py requires password_env for a POP3 source
        client: poplib.POP3
        try:
            context = tls_context(s)
            if server.tls == "ssl":
                client = _POP3_SSL(server.host, server.port, timeout=s.timeout, context=context)
            else:
                client = _POP3(server.host, server.port, timeout=s.timeout)
                if server.tls == "starttls":
                    client.stls(context)
            client.user(login_user(s, server))
            client.pass_(secret)
        except _errors() as exc:
            raise MailboxUnavailable(
                f"channel {self.channel}: cannot log in to {server.display()}: {type(exc).__name__}: {exc}"
            ) from None
        return client

    def messages(self) -> Iterator[Fetched]:
        self.client = client = self.connect()
        s = self.settings
        try:
            try:
                uidls = {}
                for line in client.uidl()[1]:
                    number, _, uidl = line.decode("ascii", "replace").partition(" ")
                    uidls[int(number)] = uidl.strip()
                sizes = {}
                for line in client.list()[1]:
                    number, _, size = line.decode("ascii", "replace").partition(" ")
                    sizes[int(number)] = int(size.split()[0])
            except _errors() + (ValueError,) as exc:
                raise MailboxUnavailable(
                    f"channel {self.channel}: cannot list {self.server.display()}: {exc}"
                ) from None
            seen = {
                k[len(SEEN_PREFIX) :]: v
                for k, v in self.desk.cursors.all(self.channel).items()
                if k.startswith(SEEN_PREFIX)
            }
            for number in sorted(uidls):
                uidl, size = uidls[number], sizes.get(number, 0)
                state = seen.get(uidl)
                if state == "stored":
                    if s.delete_after_import:
                        client.dele(number)  # imported before, but the deletion did not reach QUIT
                    continue
                if state is not None and state.startswith("oversize:") and size > s.max_bytes:
                    continue  # reported before, still too large
                if size > s.max_bytes:
                    try:
                        header = b"\r\n".join(client.top(number, 0)[1])[: 256 * 1024]
                    except poplib.error_proto:  # TOP is optional in POP3
                        header = b""
                    where = f"POP3 mailbox {self.server.display()} UIDL {uidl}"
                    yield Fetched(
                        (number, uidl),
                        f"pop3:{uidl}",
                        left_on_server_raw(header, where, size, s.max_bytes),
                        size,
                        left_on_server=True,
                    )
                    continue
                lines = client.retr(number)[1]
                raw = b"\r\n".join(lines) + b"\r\n"
                del lines
                yield Fetched((number, uidl), f"pop3:{uidl}", raw, len(raw))
        finally:
            self.client = None
            try:
                client.quit()  # deletions of acknowledged messages take effect here
            except Exception:
                with contextlib.suppress(Exception):
                    client.close()

    def ack(self, fetched: Fetched, outcome: str) -> None:
        number, uidl = fetched.handle
        if outcome == LEFT:
            self.desk.cursors.set(self.channel, SEEN_PREFIX + uidl, f"oversize:{fetched.size}")
            return
        self.desk.cursors.set(self.channel, SEEN_PREFIX + uidl, "stored")
        if self.settings.delete_after_import:
            self.client.dele(number)
