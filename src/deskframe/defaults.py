"""The core's own answers to the resolve hooks and its ``file`` delivery, registered like any plugin (last)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:  # imported when routing, not when the plugin manager is built (deskframe --help)
    from .directory import DirectoryView
    from .model import InboundMessage, Route
    from .outbound import Delivery

hookimpl = pluggy.HookimplMarker("deskframe")


@hookimpl(trylast=True)
def route_message(message: InboundMessage, directory: DirectoryView) -> Route:
    """Sender e-mail (or ``tel:`` number) -> contact -> customer; else sender domain -> customer."""
    from .model import Route

    sender = (message.sender or "").strip().lower()
    if sender.startswith("tel:"):
        contact = directory.contact_by_phone(sender[4:])
        customer = contact.customer if contact else None
        contract = directory.active_contract(customer) if customer else None
        return Route(
            customer=customer,
            contact_phone=sender[4:],
            contact_email=contact.email if contact else None,
            contact_name=(contact.name if contact else None) or message.sender_name,
            contract=contract.key if contract else None,
        )
    contact = directory.contact_by_email(sender) if sender else None
    customer = contact.customer if contact else None
    if customer is None and "@" in sender:
        found = directory.customer_by_domain(sender.rsplit("@", 1)[1])
        customer = found.key if found else None
    contract = directory.active_contract(customer) if customer else None
    return Route(
        customer=customer,
        contact_email=sender or None,
        contact_name=message.sender_name,
        contract=contract.key if contract else None,
    )


@hookimpl(trylast=True)
def classify_priority(message: InboundMessage, route: Route) -> str | None:
    """The route's priority, if it set one."""
    return route.priority


@hookimpl
def register_deliveries(register: Callable[[Delivery], None]) -> None:
    """The core's ``file`` delivery: messages become ``.eml`` files (:mod:`deskframe.file_delivery`)."""
    from .file_delivery import compose, deliver
    from .outbound import Delivery

    register(
        Delivery(
            "file", deliver, description="writes each message as an .eml file into [outbox] file_dir", compose=compose
        )
    )
