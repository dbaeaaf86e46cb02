"""Reference chat channel: signed webhooks in, agent replies out through a callback URL.

Hooks implemented here:

* ``register_channel_types`` - the ``chat`` channel type (settings: :mod:`.settings`).
  It is webhook-driven: the built channel's ``fetch()`` yields nothing, so
  ``deskframe intake run`` accepts it and does nothing with it.
* ``register_routes`` - ``POST /channels/{name}/messages`` (:mod:`.web`), served by
  ``deskframe serve``. Requests are signed with HMAC-SHA256 over the body
  (``X-Deskframe-Signature: sha256=<hex>``) using the secret in the environment variable
  named by ``secret_env``; a missing or wrong signature gets 401 and stores nothing;
  a replay of a ``message_id`` answers 200 with the same ticket and ``"duplicate": true``.
  Body format: :mod:`.payload`. URL attachments are never fetched by the server (SSRF):
  they are kept as links in the article text.
* ``outbound_messages`` / ``register_deliveries`` - an agent's reply on a chat ticket is
  written to the outbox with the reply and POSTed by the ``chat`` delivery, signed the same
  way, to the channel's ``callback_url``, retried with exponential backoff; the outcome is
  recorded in the ticket's history by the outbox (``sent`` / ``delivery_failed``)
  (:mod:`.outbound`).

One open ticket per conversation: the conversation's ticket and last activity live in
the channel cursor store; a conversation idle longer than ``idle_gap``, or whose ticket
is resolved or closed, starts a new ticket (:mod:`.inbound`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import deskframe

if TYPE_CHECKING:
    from deskframe import ChannelType

    from .channel import ChatChannel

__all__ = ["ChatChannel", "inbound", "outbound", "payload", "settings", "web"]
_SUBMODULES = ("channel", "commands", "inbound", "outbound", "payload", "settings", "web")


def build(table: dict[str, Any], desk: Any) -> ChatChannel:
    from .channel import ChatChannel
    from .settings import parse_settings

    parsed = parse_settings(table)
    return ChatChannel(parsed.name, parsed)


def parse_raw(raw: bytes, table: dict[str, Any]) -> deskframe.InboundMessage:
    """Re-read a kept webhook body (``intake quarantine retry``); it starts or joins a ticket by intake's rules."""
    from . import inbound, payload, settings

    return inbound.to_inbound(settings.parse_settings(table), payload.parse(raw), raw)


@deskframe.hookimpl
def register_channel_types(register: Callable[[ChannelType], None]) -> None:
    from deskframe import ChannelType

    from . import settings

    register(
        ChannelType(
            settings.TYPE,
            build,
            validate=settings.validate,
            parse=parse_raw,
            description="Signed JSON webhooks (POST /channels/NAME/messages); replies to a callback URL",
        )
    )


@deskframe.hookimpl
def register_commands(register: Callable[..., None]) -> None:
    from deskframe.cli import lazy_command

    register(
        lazy_command("chat", "deskframe_chat.commands:chat_group", "Chat channels: replay saved webhook payloads.")
    )


@deskframe.hookimpl
def register_routes(register: Callable[..., None]) -> None:
    from . import web

    for route in web.routes():
        register(route)


@deskframe.hookimpl
def outbound_messages(hook: str, event: Any, view: Any) -> list[deskframe.OutboundMessage] | None:
    """An agent's reply on a chat ticket, enqueued with the reply (chat tickets only: see :mod:`.outbound`)."""
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

    register(Delivery("chat", deliver, description="POST to the chat channel's callback_url, signed"))


def __getattr__(name: str) -> Any:
    """``ChatChannel`` and the submodules, imported on first use (importing the plugin stays cheap)."""
    if name == "ChatChannel":
        from .channel import ChatChannel

        return ChatChannel
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
