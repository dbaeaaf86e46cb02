"""The configured chat channel object (re-exported as ``deskframe_chat.ChatChannel``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from . import settings


@attrs.define
class ChatChannel:
    """A configured chat channel. Messages arrive by webhook, so there is nothing to poll."""

    name: str
    settings: settings.ChatSettings

    def fetch(self) -> Iterable[Any]:
        return ()

    def ack(self, message: Any, result: Any) -> None:
        return None
