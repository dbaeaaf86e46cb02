"""The ``telegram`` channel: ``getUpdates`` long polling, acknowledged by the stored offset.

State kept in the channel cursor store (``desk.cursors``, channel = the channel's name):

* ``offset`` - the next ``update_id`` to ask for. It moves past an update only in
  :meth:`TelegramChannel.ack`, i.e. after the core committed the message's ticket
  change (or its quarantine entry). Telegram keeps every update above the offset we
  ask with, so a crash between the commit and the acknowledgement means the update
  is fetched again and the core deduplicates it: never lost, never stored twice.
* ``chat:CHAT_ID`` - the chat's current ticket number. A new message continues that
  ticket while it is open (not resolved, closed or merged; a merge is followed);
  otherwise intake opens a new one. One open ticket per chat.
* ``ticket:NUMBER`` - the chat an agent's reply on that ticket goes to.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from deskframe import InboundMessage, IntakeResult
from deskframe.errors import DeskframeError, NotFound

from . import updates
from .api import BotApi, TelegramError
from .settings import TelegramSettings, parse_settings

try:  # Unparseable is exported by deskframe.model, not (yet) by the top-level package
    from deskframe import Unparseable
except ImportError:  # pragma: no cover - depends on the deskframe version
    from deskframe.model import Unparseable

log = logging.getLogger("deskframe.telegram")
OFFSET = "offset"
BATCH = 100
FINISHED = ("resolved", "closed", "merged")


def chat_key(chat_id: int | str) -> str:
    return f"chat:{chat_id}"


def ticket_key(number: str) -> str:
    return f"ticket:{number}"


class TelegramUnavailable(DeskframeError):
    """getUpdates failed: the poll stops, nothing is acknowledged, the next poll tries again."""


class TelegramChannel:
    """A configured telegram channel (see the module docstring)."""

    def __init__(self, settings: TelegramSettings, desk: Any, api: BotApi):
        self.name = settings.name
        self.settings = settings
        self.desk = desk
        self.api = api
        self._offset = 0
        # external id -> (update_id, chat id) of what fetch() yielded and ack() has not seen yet
        self._pending: dict[str, tuple[int, int | None]] = {}

    # --- offset -------------------------------------------------------------
    def _stored_offset(self) -> int:
        text = self.desk.cursors.get(self.name, OFFSET, "0") or "0"
        return int(text) if text.isdigit() else 0

    def _advance(self, update_id: int) -> None:
        """Move the stored offset past ``update_id`` (never backwards)."""
        if update_id + 1 > self._offset:
            self._offset = update_id + 1
            self.desk.cursors.set(self.name, OFFSET, str(self._offset))

    # --- threading ----------------------------------------------------------
    def open_ticket_of(self, chat_id: int) -> str | None:
        """The chat's current ticket if it can still take messages (following merges)."""
        number = self.desk.cursors.get(self.name, chat_key(chat_id))
        for _ in range(10):
            if not number:
                return None
            try:
                ticket = self.desk.tickets.get(number, full=False)
            except NotFound:
                return None
            if ticket.state_type == "merged" and ticket.merged_into:
                number = ticket.merged_into
                continue
            return None if ticket.state_type in FINISHED else ticket.number
        return None

    # --- the Channel protocol -----------------------------------------------
    def fetch(self) -> Iterator[InboundMessage | Unparseable]:
        """Yield the pending updates' messages, oldest first, fetching in batches of 100.

        Only the first ``getUpdates`` of a poll waits (``poll_timeout``); the rest drain
        what is queued. Asking with a higher offset confirms the earlier updates at
        Telegram, which is safe: the next batch is asked for only after the core has
        taken every message of this one (this generator resumes only then).
        """
        self._pending.clear()
        self._offset = self._stored_offset()
        offset, timeout = self._offset, self.settings.poll_timeout
        while True:
            try:
                batch = self.api.get_updates(offset, timeout, BATCH)
            except TelegramError as exc:
                raise TelegramUnavailable(f"channel {self.name}: {exc}") from None
            for update in batch:
                uid = updates.update_id(update)
                if uid is None:
                    log.warning("channel %s: an update without update_id was skipped", self.name)
                    continue
                offset = max(offset, uid + 1)
                item = self._item(update, uid)
                if item is None:
                    if not self._pending:  # everything before it is taken: move past it now
                        self._advance(uid)
                    continue
                yield item
            timeout = 0
            if len(batch) < BATCH:
                return

    def _item(self, update: dict[str, Any], uid: int) -> InboundMessage | Unparseable | None:
        chat: int | None = None
        try:
            message, _edited = updates.message_of(update)
            chat = updates.chat_id_of(message)
            inbound = updates.to_inbound(
                self.name, update, trusted=self.settings.trusted, ticket_number=self.open_ticket_of(chat)
            )
        except updates.NotAMessage:
            return None
        except Exception as exc:  # malformed: keep it raw in quarantine, the loop goes on
            item = Unparseable(
                self.name,
                f"update:{uid}",
                updates.raw_of(update),
                f"cannot read Telegram update {uid}: {type(exc).__name__}: {exc}",
            )
            self._pending[item.external_id] = (uid, None)
            return item
        self._pending[inbound.external_id] = (uid, chat)
        return inbound

    def ack(self, message: InboundMessage | Unparseable, result: IntakeResult | None) -> None:
        """Called by the core after the commit: remember the chat's ticket, then move the offset."""
        entry = self._pending.pop(message.external_id, None)
        if entry is None:
            log.warning("channel %s: acknowledgement of a message not fetched in this poll", self.name)
            return
        uid, chat = entry
        if result is not None and chat is not None:
            if self.desk.cursors.get(self.name, chat_key(chat)) != result.ticket:
                self.desk.cursors.set(self.name, chat_key(chat), result.ticket)
            if self.desk.cursors.get(self.name, ticket_key(result.ticket)) != str(chat):
                self.desk.cursors.set(self.name, ticket_key(result.ticket), str(chat))
        self._advance(uid)


def build(table: dict[str, Any], desk: Any) -> TelegramChannel:
    """The channel type's ``build``: needs the token in the environment."""
    settings = parse_settings(table)
    return TelegramChannel(settings, desk, BotApi(settings.api_base, settings.token()))


def reparse(raw: bytes, table: dict[str, Any]) -> InboundMessage:
    """The channel type's ``parse``: a quarantined update read again (``intake quarantine retry``)."""
    settings = parse_settings(table)
    return updates.parse_raw(raw, settings.name, trusted=settings.trusted)
