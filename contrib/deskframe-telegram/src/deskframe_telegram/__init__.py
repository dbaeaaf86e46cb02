"""deskframe-telegram: a Telegram bot as a deskframe intake channel.

Hooks implemented here:

* ``register_channel_types`` - the ``telegram`` channel type (settings: :mod:`.settings`).
  ``deskframe intake run`` polls it: ``getUpdates`` long polling against ``api_base``
  (:mod:`.channel`); each text message becomes an article, one open ticket per chat
  (:mod:`.updates`). The stored offset moves only after the core committed a message,
  so a crash re-fetches it and intake deduplicates it.
* ``article_added`` - an agent's reply on a telegram ticket goes to the chat with
  ``sendMessage`` and is recorded with ``desk.tickets.mark_sent``, or a
  ``telegram_delivery_failed`` history entry (:mod:`.outbound`).

Only deskframe's public plugin API is used; the bot token is read from the
environment variable named by ``token_env``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import deskframe
from deskframe import ChannelType

from . import api, channel, outbound, settings, updates

__version__ = "0.1.0"
__all__ = ["api", "channel", "outbound", "settings", "updates"]


@deskframe.hookimpl
def register_channel_types(register: Callable[[ChannelType], None]) -> None:
    register(
        ChannelType(
            settings.TYPE,
            channel.build,
            validate=settings.validate,
            parse=channel.reparse,
            description="Telegram bot: getUpdates long polling; replies with sendMessage",
        )
    )


@deskframe.hookimpl
def article_added(event: deskframe.ArticleAdded, desk: Any) -> None:
    """Send an agent's reply on a telegram ticket to its chat."""
    outbound.deliver(event, desk)
