"""Local mail sources: Maildir and mbox (the network ones are in :mod:`.imap` and :mod:`.pop3`).

Every source yields :class:`Fetched` items and is told, through ``ack``, what
became of each one *after* the core committed it:

* ``stored`` - the message is an article now;
* ``quarantined`` - it is kept raw in the quarantine;
* ``left`` - it was too large: only its header was reported, the message stays where it is.

Nothing is moved, flagged or deleted before that call.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from deskframe.errors import ChannelUnavailable

if TYPE_CHECKING:
    from .settings import EmailSettings

log = logging.getLogger("deskframe.email")

STORED, QUARANTINED, LEFT = "stored", "quarantined", "left"
#: Marks the header-only raw bytes of a message that was too large and stayed on its server.
LEFT_MARKER = "X-Deskframe-Left-On-Server"


class MailboxUnavailable(ChannelUnavailable):
    """The mailbox cannot be reached (missing directory, refused connection, failed login)."""


@attrs.define
class Fetched:
    """One message as a source hands it over."""

    handle: Any  # what the source needs to acknowledge it
    label: str  # where it came from (the quarantine's external id)
    raw: bytes  # the message (only its header when ``left_on_server``)
    size: int
    received_at: dt.datetime | None = None
    left_on_server: bool = False


def left_on_server_raw(header: bytes, where: str, size: int, limit: int) -> bytes:
    """The bytes kept in quarantine for a message too large to fetch: its header and a note."""
    header = header.rstrip(b"\r\n")
    note = (
        f"{LEFT_MARKER}: {where}; {size} bytes, over max_bytes = {limit}; raise max_bytes and the next poll takes it in"
    ).encode("ascii", "replace")
    return note + b"\r\n" + header + b"\r\n\r\n"


# --- Maildir -------------------------------------------------------------------------------


def _split_info(name: str) -> tuple[str, str]:
    """``KEY:2,FLAGS`` -> (KEY, FLAGS)."""
    key, sep, info = name.partition(":")
    if sep and info.startswith("2,"):
        return key, info[2:]
    return key, ""


class MaildirSource:
    """A Maildir: new/ and cur/ are read; acknowledging moves a message to cur/ with the ``S`` flag.

    With ``processed_folder`` the message is moved into that Maildir++ subfolder
    (``.NAME/cur/``) instead, and every message left in new/ and cur/ is new to us.
    Without it, messages in cur/ that carry ``S`` count as done.
    """

    def __init__(self, settings: EmailSettings):
        assert settings.path is not None
        self.path = settings.path
        self.processed = settings.processed_folder
        self.max_bytes = settings.max_bytes

    def _check(self) -> None:
        missing = [d for d in ("new", "cur") if not (self.path / d).is_dir()]
        if missing:
            raise MailboxUnavailable(f"{self.path} is not a Maildir (no {' and '.join(d + '/' for d in missing)})")

    def _pending(self) -> Iterator[tuple[str, str]]:
        for sub in ("new", "cur"):
            try:
                names = sorted(os.listdir(self.path / sub))
            except FileNotFoundError:
                continue
            for name in names:
                if name.startswith("."):
                    continue
                if sub == "cur" and self.processed is None and "S" in _split_info(name)[1]:
                    continue
                yield sub, name

    def messages(self) -> Iterator[Fetched]:
        self._check()
        for sub, name in self._pending():
            path = self.path / sub / name
            try:
                with open(path, "rb") as handle:
                    stat = os.fstat(handle.fileno())
                    raw = handle.read()
            except (FileNotFoundError, IsADirectoryError):
                continue  # moved away by someone else meanwhile
            received = dt.datetime.fromtimestamp(stat.st_mtime, dt.timezone.utc)
            yield Fetched((sub, name), f"maildir:{_split_info(name)[0]}", raw, len(raw), received)

    def _target(self, name: str) -> Path:
        key, flags = _split_info(name)
        flags = "".join(sorted(set(flags) | {"S"}))
        folder = self.path
        if self.processed is not None:
            folder = self.path / f".{self.processed}"
            for sub in ("tmp", "new", "cur"):
                (folder / sub).mkdir(parents=True, exist_ok=True)
            (folder / "maildirfolder").touch(exist_ok=True)
        return folder / "cur" / f"{key}:2,{flags}"

    def ack(self, fetched: Fetched, outcome: str) -> None:
        sub, name = fetched.handle
        try:
            os.rename(self.path / sub / name, self._target(name))
        except FileNotFoundError:
            log.info("maildir %s: %s/%s was moved away before its acknowledgement", self.path, sub, name)


# --- mbox ------------------------------------------------------------------------------------

_ESCAPED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)
_CURSOR = "mbox:position"
_FINGERPRINT = 4096


class MboxSource:
    """An mbox file, read only: where we stopped is kept in the channel's cursor store.

    The position is the byte offset after the last acknowledged message, with a
    fingerprint of the bytes before it; a file that was rewritten (messages
    deleted by a mail reader) no longer matches and is read from the start again,
    intake's Message-ID / raw-hash dedupe keeping what was imported.
    """

    def __init__(self, settings: EmailSettings, desk: Any, channel: str):
        assert settings.path is not None
        self.path = settings.path
        self.desk = desk
        self.channel = channel

    def _fingerprint(self, handle: Any, offset: int) -> str:
        digest = hashlib.sha256(str(offset).encode())
        handle.seek(0)
        digest.update(handle.read(min(offset, _FINGERPRINT)))
        handle.seek(max(0, offset - _FINGERPRINT))
        digest.update(handle.read(min(offset, _FINGERPRINT)))
        return digest.hexdigest()

    def _start(self, handle: Any, size: int) -> int:
        stored = self.desk.cursors.get(self.channel, _CURSOR)
        if not stored:
            return 0
        try:
            position = json.loads(stored)
            offset = int(position["offset"])
        except (ValueError, KeyError, TypeError):
            return 0
        if offset > size or self._fingerprint(handle, offset) != position.get("fingerprint"):
            log.warning("mbox %s changed since the last poll: reading it from the start", self.path)
            return 0
        return offset

    def _size(self, handle: Any) -> int:
        """The file size while no writer holds a lock (so it ends on a message boundary)."""
        try:
            import fcntl

            fcntl.lockf(handle.fileno(), fcntl.LOCK_SH)
            try:
                return os.fstat(handle.fileno()).st_size
            finally:
                fcntl.lockf(handle.fileno(), fcntl.LOCK_UN)
        except (ImportError, OSError):
            return os.fstat(handle.fileno()).st_size

    def messages(self) -> Iterator[Fetched]:
        try:
            handle = open(self.path, "rb")  # noqa: SIM115  # closed by the `with` below; open errors reported apart
        except OSError as exc:
            raise MailboxUnavailable(f"cannot open mbox {self.path}: {exc.strerror or exc}") from None
        with handle:
            size = self._size(handle)
            offset = self._start(handle, size)
            handle.seek(offset)
            lines: list[bytes] = []
            start = offset
            position = offset
            previous_blank = True
            while position < size:
                line = handle.readline(size - position)
                if not line:
                    break
                if line.startswith(b"From ") and previous_blank:
                    if lines:
                        yield self._message(lines, start, position)
                    lines = []
                    start = position
                lines.append(line)
                position += len(line)
                previous_blank = line in (b"\n", b"\r\n")
            if lines:
                yield self._message(lines, start, position)

    def _message(self, lines: list[bytes], start: int, end: int) -> Fetched:
        body = lines[1:] if lines[0].startswith(b"From ") else lines
        if body and body[-1] in (b"\n", b"\r\n"):
            body = body[:-1]  # the blank line before the next "From " belongs to the mbox
        raw = _ESCAPED_FROM.sub(rb"\1", b"".join(body))
        return Fetched(end, f"mbox:{start}", raw, len(raw))

    def ack(self, fetched: Fetched, outcome: str) -> None:
        end = fetched.handle
        with open(self.path, "rb") as handle:
            fingerprint = self._fingerprint(handle, end)
        self.desk.cursors.set(self.channel, _CURSOR, json.dumps({"offset": end, "fingerprint": fingerprint}))
