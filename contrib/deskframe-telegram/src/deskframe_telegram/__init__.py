"""deskframe-telegram: a Telegram bot as a deskframe intake channel.

Hooks implemented here:

* ``register_channel_types`` - the ``telegram`` channel type (settings: :mod:`.settings`).
  ``deskframe intake run`` polls it: ``getUpdates`` long polling against ``api_base``
  (:mod:`.channel`); each text message becomes an article, one open ticket per chat
  (:mod:`.updates`). The stored offset moves only after the core committed a message,
  so a crash re-fetches it and intake deduplicates it.
* ``outbound_messages`` / ``register_deliveries`` - an agent's reply on a telegram ticket is
  written to the outbox with the reply and sent by the ``telegram`` delivery with
  ``sendMessage``; the outbox records ``sent`` or ``delivery_failed`` (:mod:`.outbound`).

Only deskframe's public plugin API is used; the bot token is read from the
environment variable named by ``token_env``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import deskframe

if TYPE_CHECKING:
    from deskframe import ChannelType

    from . import api, channel, outbound, settings, updates

__version__ = "0.1.0"
__all__ = ["api", "channel", "outbound", "settings", "updates"]


def build(table: dict[str, Any], desk: Any) -> Any:
    """The channel type's ``build`` (:func:`.channel.build`; the Bot API client is imported only here)."""
    from .channel import build

    return build(table, desk)


def reparse(raw: bytes, table: dict[str, Any]) -> deskframe.InboundMessage:
    """The channel type's ``parse`` (:func:`.channel.reparse`)."""
    from .channel import reparse

    return reparse(raw, table)


@deskframe.hookimpl
def register_channel_types(register: Callable[[ChannelType], None]) -> None:
    from deskframe import ChannelType

    from . import settings

    register(
        ChannelType(
            settings.TYPE,
            build,
            validate=settings.validate,
            parse=reparse,
            description="Telegram bot: getUpdates long polling; replies with sendMessage",
        )
    )


@deskframe.hookimpl
def outbound_messages(hook: str, event: Any, view: Any) -> list[deskframe.OutboundMessage] | None:
    """An agent's reply on a telegram ticket, enqueued with the reply (:mod:`.outbound`)."""
    if hook != "article_added":
        return None
    from . import outbound

    return outbound.reply(event, view)


@deskframe.hookimpl
def register_deliveries(register: Callable[..., None]) -> None:
    from deskframe import Delivery

    def deliver(message: deskframe.OutboundMessage, desk: Any) -> None:
        from . import outbound

        outbound.deliver(message, desk)

    register(Delivery("telegram", deliver, description="Telegram sendMessage to the ticket's chat"))


def __getattr__(name: str) -> Any:
    """The submodules named in ``__all__``, imported on first use (importing the plugin stays cheap)."""
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
