"""The ``email`` channel: a source (Maildir, mbox, IMAP, POP3) plus the parser.

``fetch()`` yields one :class:`~deskframe.model.InboundMessage` per message, or a
:class:`~deskframe.model.Unparseable` (kept raw in quarantine by the core) for
mail that cannot be parsed or is over ``max_bytes``. ``ack()`` is called by the
core only after the message's ticket change (or its quarantine entry) has been
committed; only then does the source move, flag or delete anything.

The external id of a message is its Message-ID, or ``sha256:<hex>`` of its raw
bytes when it has none, whatever the source: the same message fetched twice
(a crash before the acknowledgement, a changed UIDVALIDITY, a copy in two
folders) is one article.

Test hook: with ``DESKFRAME_EMAIL_TEST_CRASH_AFTER=N`` in the environment the
process ends (``os._exit(70)``) at the N-th acknowledgement, after the commit and
before the source is touched: the crash-safety tests use it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from collections.abc import Iterator
from typing import Any

from deskframe.errors import DeskframeError
from deskframe.model import InboundMessage, IntakeResult, Unparseable

from .parallel import parse_ahead, parse_for_channel, parse_one, worker_count
from .settings import EmailSettings, parse_settings
from .sources import LEFT, QUARANTINED, STORED, Fetched, MailboxUnavailable, MaildirSource, MboxSource

log = logging.getLogger("deskframe.email")
CRASH_ENV = "DESKFRAME_EMAIL_TEST_CRASH_AFTER"


def parse_raw(raw: bytes, settings: EmailSettings, *, received_at: dt.datetime | None = None) -> InboundMessage:
    """Parse one message as this channel does (limits, trusted flag)."""
    return parse_for_channel(
        raw, channel=settings.name, max_bytes=settings.max_bytes, trusted=settings.trusted, received_at=received_at
    )


def reparse(raw: bytes, table: dict[str, Any]) -> InboundMessage:
    """The channel type's ``parse``: a quarantined message read again (``intake quarantine retry``)."""
    return parse_raw(raw, parse_settings(table))


class EmailChannel:
    """A configured e-mail channel (see the module docstring)."""

    def __init__(self, settings: EmailSettings, desk: Any):
        self.name = settings.name
        self.settings = settings
        self.desk = desk
        self.source = _source(settings, desk)
        self._pending: dict[int, tuple[Any, Fetched]] = {}
        self._last_poll: dt.datetime | None = None
        self._acks = 0
        crash = os.environ.get(CRASH_ENV, "")
        self._crash_after = int(crash) if crash.isdigit() else None

    @property
    def batch_size(self) -> int:
        """Files (Maildir, mbox) are acknowledged after the iterator ends, so the core may
        commit 50 per transaction; IMAP/POP3 acknowledge over the live connection: one."""
        return 50 if self.settings.kind in ("maildir", "mbox") else 1

    @property
    def poll_interval(self) -> float | None:
        """Seconds between two polls (``interval``), for ``deskframe intake run``'s schedule."""
        return self.settings.interval.total_seconds() if self.settings.interval else None

    def fetch(self) -> Iterator[InboundMessage | Unparseable]:
        self._pending.clear()
        now = dt.datetime.now(dt.timezone.utc)
        interval = self.settings.interval
        if interval is not None and self._last_poll is not None and now - self._last_poll < interval:
            return  # polled less than `interval` ago (only within one long-running `intake run`)
        self._last_poll = now
        messages = self.source.messages()
        workers = worker_count(self.settings.parse_workers) if self.batch_size > 1 else 0
        try:
            for fetched, outcome in parse_ahead(
                self._read(messages),
                self._job,
                self._parse_here,
                workers,
                self.name,
                self.settings.max_bytes,
                self.settings.trusted,
            ):
                item = self._item(fetched, outcome)
                self._pending[id(item)] = (item, fetched)
                yield item
        finally:
            messages.close()
            if self.batch_size == 1:
                self._pending.clear()

    def _read(self, messages: Iterator[Fetched]) -> Iterator[Fetched]:
        while True:
            try:
                fetched = next(messages)
            except StopIteration:
                return
            except DeskframeError:
                raise
            except Exception as exc:  # a dropped connection, an I/O error: one line, not a traceback
                raise MailboxUnavailable(
                    f"channel {self.name}: reading the mailbox failed: {type(exc).__name__}: {exc}"
                ) from exc
            yield fetched

    @staticmethod
    def _job(fetched: Fetched) -> tuple[bytes, dt.datetime | None] | None:
        return None if fetched.left_on_server else (fetched.raw, fetched.received_at)

    def _parse_here(self, fetched: Fetched) -> tuple[str, Any] | None:
        if fetched.left_on_server:
            return None
        return parse_one(fetched.raw, self.name, self.settings.max_bytes, self.settings.trusted, fetched.received_at)

    def _item(self, fetched: Fetched, outcome: tuple[str, Any] | None) -> InboundMessage | Unparseable:
        if fetched.left_on_server or outcome is None:
            return Unparseable(
                self.name,
                fetched.label,
                fetched.raw,
                f"message of {fetched.size} bytes is over max_bytes = {self.settings.max_bytes}: "
                f"left on the server, only its header is kept here",
            )
        kind, value = outcome
        if kind == "ok":
            return value
        if kind == "failed":  # a parser bug must not stop the loop: keep the raw bytes
            log.error("channel %s: %s on %s", self.name, value, fetched.label)
        # keyed by content, so a message fetched again (crash, new UIDVALIDITY) is one quarantine entry
        return Unparseable(
            self.name,
            "sha256:" + hashlib.sha256(fetched.raw).hexdigest(),
            fetched.raw,
            f"{value} (from {fetched.label})",
        )

    def ack(self, message: InboundMessage | Unparseable, result: IntakeResult | None) -> None:
        entry = self._pending.pop(id(message), None)
        if entry is None or entry[0] is not message:
            log.warning("channel %s: acknowledgement of a message not fetched in this poll", self.name)
            return
        fetched = entry[1]
        self._acks += 1
        if self._crash_after is not None and self._acks >= self._crash_after:
            os._exit(70)  # test hook: committed, not acknowledged
        outcome = LEFT if fetched.left_on_server else (STORED if result is not None else QUARANTINED)
        try:
            self.source.ack(fetched, outcome)
        except DeskframeError:
            raise
        except Exception as exc:  # committed already: the next poll fetches it again and dedupes it
            raise MailboxUnavailable(
                f"channel {self.name}: acknowledging {fetched.label} failed: {type(exc).__name__}: {exc}"
            ) from exc


def _source(settings: EmailSettings, desk: Any) -> Any:
    if settings.kind == "maildir":
        return MaildirSource(settings)
    if settings.kind == "mbox":
        return MboxSource(settings, desk, settings.name)
    if settings.kind == "imap":
        from .imap import ImapSource

        return ImapSource(settings, desk, settings.name)
    from .pop3 import Pop3Source

    return Pop3Source(settings, desk, settings.name)


def build(table: dict[str, Any], desk: Any) -> EmailChannel:
    """The channel type's ``build``."""
    settings = parse_settings(table, base_dir=getattr(desk.config, "base_dir", None))
    if settings.autoreply is not None and settings.autoreply.canned not in desk.config.canned:
        from deskframe.errors import ConfigError

        known = ", ".join(sorted(desk.config.canned)) or "none"
        raise ConfigError(
            f"unknown canned response {settings.autoreply.canned!r} (known: {known})", key="autoreply.canned"
        )
    return EmailChannel(settings, desk)
