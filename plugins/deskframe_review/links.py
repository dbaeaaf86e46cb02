"""Unguessable links to a customer's review: ``{public_url}/reviews/{token}`` (``[billing] public_url``).

A token is ``secrets.token_urlsafe(24)``, stored as a record ``link`` (token -> customer) and
``link_of`` (customer -> token), so a customer keeps one link and the route finds it in one read.
"""

from __future__ import annotations

import secrets
from typing import Any

from .store import PLUGIN


def link(desk: Any, customer: str, actor: Any) -> str:
    """The customer's review link, made on first use (a write by ``actor``)."""
    from .review import find_customer

    find_customer(desk, customer)
    records = desk.records(PLUGIN)
    found = records.get("link_of", customer)
    if found is not None:
        token = str(found.data["token"])
    else:
        token = secrets.token_urlsafe(24)
        records.put_many(
            [("link", token, {"customer": customer}), ("link_of", customer, {"token": token})], actor=actor
        )
    return f"{desk.config.billing.public_url}/reviews/{token}"


def customer_of(desk: Any, token: str) -> str | None:
    """The customer a token opens, or None."""
    record = desk.records(PLUGIN).get("link", token)
    return None if record is None else str(record.data["customer"])
