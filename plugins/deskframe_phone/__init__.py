"""Reference phone log: calls recorded as articles, PBX call-log import, written-request follow-up.

Hooks implemented here:

* ``register_config_sections`` - the ``[phone]`` table (:mod:`.settings`): default region,
  channel name, the work-request state (checked to be a configured ``pending`` state),
  the written-request template, the e-mail channel, the CSV column mapping.
* ``register_commands`` - ``deskframe phone log`` and ``deskframe phone import`` (:mod:`.commands`).
* ``route_message`` - a message whose sender is ``tel:<E.164>`` and whose number belongs to a
  contact known only by phone goes to that contact's customer (:func:`.callers.route_phone_sender`).

Callers are matched to contacts by phone number normalized with ``phonenumbers``
(:mod:`.callers`). A call is an inbound article on the ``phone`` channel; ``--work-request``
moves the ticket to the work-request state and, when the caller has an e-mail address,
adds an outbound article on the configured e-mail channel asking for the request in
writing (the e-mail plugin delivers it; its subject carries the ticket number, so the
answer threads into the same ticket).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import deskframe

if TYPE_CHECKING:
    from deskframe import ConfigSection, InboundMessage, Route

__all__ = ["callers", "callog", "calls", "settings"]
_SUBMODULES = ("callers", "callog", "calls", "commands", "settings")


@deskframe.hookimpl
def register_config_sections(register: Callable[[ConfigSection], None]) -> None:
    from deskframe import ConfigSection

    from . import settings

    register(
        ConfigSection(
            "phone",
            settings.validate,
            settings.check,
            "Phone log: default region, work-request state and template, CSV column mapping",
        )
    )


@deskframe.hookimpl
def register_commands(register: Callable[[Any], None]) -> None:
    from deskframe.cli import lazy_command

    register(
        lazy_command(
            "phone",
            "deskframe_phone.commands:phone_group",
            "Phone calls: log a call on a ticket, import a PBX call log.",
        )
    )


@deskframe.hookimpl
def route_message(message: InboundMessage, directory: Any) -> Route | None:
    """Route ``tel:`` senders known only by phone to their contact's customer."""
    if not (message.sender or "").strip().lower().startswith("tel:"):
        return None  # the test route_phone_sender starts with, made before phonenumbers is imported
    from . import callers

    return callers.route_phone_sender(message, directory)


def __getattr__(name: str) -> Any:
    """The submodules named in ``__all__``, imported on first use (importing the plugin stays cheap)."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
