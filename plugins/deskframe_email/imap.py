"""IMAP intake (``imapclient``): UIDVALIDITY + UID cursor, flag or move only after the commit.

* The position (folder, UIDVALIDITY, last acknowledged UID) lives in the core's
  cursor store under ``imap:position``. When the folder's UIDVALIDITY changes the
  whole folder is read again; intake's dedupe on Message-ID (or, without one, on
  a hash of the raw bytes, which is the external id) keeps out every duplicate.
* Bodies are fetched with ``BODY.PEEK[]``, which leaves ``\\Seen`` alone; after
  the core committed a message it gets ``\\Seen`` or is moved to
  ``processed_folder`` (``MOVE``; else ``COPY`` + ``\\Deleted`` + ``UID EXPUNGE``).
* A message over ``max_bytes`` is not downloaded: its header goes to the
  quarantine with a note, the message stays on the server untouched, and its UID
  is remembered (``imap:oversize:<uidvalidity>:<uid>``) so a later poll with a
  higher ``max_bytes`` takes it in.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .network import login_user, tls_context
from .settings import password
from .sources import LEFT, Fetched, MailboxUnavailable, left_on_server_raw

if TYPE_CHECKING:
    from .settings import EmailSettings

log = logging.getLogger("deskframe.email")

POSITION = "imap:position"
OVERSIZE = "imap:oversize:"
#: Bodies fetched per round trip: at most this many messages ...
BATCH_MESSAGES = 100
#: ... and about this many bytes.
BATCH_BYTES = 8 * 1024 * 1024


def _errors() -> tuple[type[BaseException], ...]:
    import imaplib

    from imapclient.exceptions import IMAPClientError

    return (OSError, imaplib.IMAP4.error, IMAPClientError)


class ImapSource:
    def __init__(self, settings: EmailSettings, desk: Any, channel: str):
        assert settings.server is not None
        self.settings = settings
        self.server = settings.server
        self.desk = desk
        self.channel = channel
        self.client: Any = None
        self.uidvalidity = 0
        self.last_uid = 0
        self.retried: set[int] = set()
        self.moves = False

    def connect(self) -> Any:
        from imapclient import IMAPClient

        s, server = self.settings, self.server
        secret = password(s)
        try:
            context = tls_context(s)
            client = IMAPClient(
                server.host, port=server.port, ssl=server.tls == "ssl", ssl_context=context, timeout=s.timeout
            )
            if server.tls == "starttls":
                client.starttls(context)
            client.login(login_user(s, server), secret)
        except _errors() as exc:
            raise MailboxUnavailable(
                f"channel {self.channel}: cannot log in to {server.display()}: {type(exc).__name__}: {exc}"
            ) from None
        client.normalise_times = False
        return client

    def _position(self, folder: str) -> tuple[int, int]:
        try:
            stored = json.loads(self.desk.cursors.get(self.channel, POSITION) or "{}")
            if stored.get("folder") == folder:
                return int(stored["uidvalidity"]), int(stored["last_uid"])
        except (ValueError, KeyError, TypeError):
            pass
        return 0, 0

    def _save_position(self) -> None:
        self.desk.cursors.set(
            self.channel,
            POSITION,
            json.dumps({"folder": self.settings.folder, "uidvalidity": self.uidvalidity, "last_uid": self.last_uid}),
        )

    def messages(self) -> Iterator[Fetched]:
        self.client = client = self.connect()
        s = self.settings
        try:
            try:
                info = client.select_folder(s.folder)
                if s.processed_folder and not client.folder_exists(s.processed_folder):
                    client.create_folder(s.processed_folder)
                self.moves = client.has_capability("MOVE")
            except _errors() as exc:
                raise MailboxUnavailable(
                    f"channel {self.channel}: cannot open folder {s.folder!r} on {self.server.display()}: {exc}"
                ) from None
            self.uidvalidity = int(info[b"UIDVALIDITY"])
            stored_validity, last = self._position(s.folder)
            if stored_validity != self.uidvalidity:
                if stored_validity:
                    log.warning(
                        "channel %s: UIDVALIDITY of %s changed (%s -> %s): reading the folder again; "
                        "duplicates are recognised by Message-ID / content",
                        self.channel,
                        s.folder,
                        stored_validity,
                        self.uidvalidity,
                    )
                last = 0
            self.last_uid = last
            if stored_validity != self.uidvalidity:
                self._save_position()
            retry = self._oversize_to_retry()
            new = sorted(u for u in client.search(["UID", f"{last + 1}:*"]) if u > last)
            yield from self._fetch(retry + new)
        finally:
            self.client = None
            with contextlib.suppress(Exception):  # the connection may already be gone
                client.logout()

    def _oversize_to_retry(self) -> list[int]:
        prefix = f"{OVERSIZE}{self.uidvalidity}:"
        out = []
        for key, value in self.desk.cursors.all(self.channel).items():
            if key.startswith(prefix) and value.isdigit() and int(value) <= self.settings.max_bytes:
                out.append(int(key[len(prefix) :]))
        self.retried = set(out)
        return sorted(out)

    def _fetch(self, uids: list[int]) -> Iterator[Fetched]:
        client, limit = self.client, self.settings.max_bytes
        sizes: dict[int, int] = {}
        for i in range(0, len(uids), 1000):
            for uid, data in client.fetch(uids[i : i + 1000], ["RFC822.SIZE"]).items():
                sizes[uid] = int(data.get(b"RFC822.SIZE", 0))
        for uid in uids:
            if uid not in sizes and uid in self.retried:
                self.desk.cursors.set(self.channel, f"{OVERSIZE}{self.uidvalidity}:{uid}", "gone")
        uids = [u for u in uids if u in sizes]
        batch: list[int] = []
        total = 0
        for uid in uids:
            if sizes[uid] > limit:
                yield from self._bodies(batch)
                batch, total = [], 0
                yield self._oversize(uid, sizes[uid])
                continue
            batch.append(uid)
            total += sizes[uid]
            if len(batch) >= BATCH_MESSAGES or total >= BATCH_BYTES:
                yield from self._bodies(batch)
                batch, total = [], 0
        yield from self._bodies(batch)

    def _bodies(self, batch: list[int]) -> Iterator[Fetched]:
        if not batch:
            return
        data = self.client.fetch(batch, ["BODY.PEEK[]", "INTERNALDATE"])
        for uid in batch:
            item = data.get(uid)
            if not item or b"BODY[]" not in item:
                continue  # expunged meanwhile
            raw = bytes(item[b"BODY[]"] or b"")
            when = item.get(b"INTERNALDATE")
            yield Fetched(
                uid, f"imap:{self.uidvalidity}:{uid}", raw, len(raw), when if getattr(when, "tzinfo", None) else None
            )
        del data

    def _oversize(self, uid: int, size: int) -> Fetched:
        item = self.client.fetch([uid], ["BODY.PEEK[HEADER]"]).get(uid, {})
        header = bytes(item.get(b"BODY[HEADER]") or b"")[: 256 * 1024]
        where = f"IMAP folder {self.settings.folder!r} UID {uid} (UIDVALIDITY {self.uidvalidity})"
        raw = left_on_server_raw(header, where, size, self.settings.max_bytes)
        return Fetched(uid, f"imap:{self.uidvalidity}:{uid}", raw, size, left_on_server=True)

    def ack(self, fetched: Fetched, outcome: str) -> None:
        from imapclient import DELETED, SEEN

        uid, client = fetched.handle, self.client
        if outcome == LEFT:
            self.desk.cursors.set(self.channel, f"{OVERSIZE}{self.uidvalidity}:{uid}", str(fetched.size))
        else:
            target = self.settings.processed_folder
            client.add_flags([uid], [SEEN])
            if target is not None and self.moves:
                client.move([uid], target)
            elif target is not None:
                client.copy([uid], target)
                client.add_flags([uid], [DELETED])
                if client.has_capability("UIDPLUS"):
                    client.expunge([uid])
            if uid in self.retried:
                self.desk.cursors.set(self.channel, f"{OVERSIZE}{self.uidvalidity}:{uid}", "done")
        if uid > self.last_uid:
            self.last_uid = uid
            self._save_position()
