"""Read-only lookups of the directory (customers, contacts, contracts) for plugins."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from .model import Contact, Contract, Customer


class DirectoryView(Protocol):
    """What a ``route_message`` implementation may look up; no session, no SQL."""

    def contact_by_email(self, email: str) -> Contact | None:
        """The contact with this e-mail address (case-insensitive)."""

    def contact_by_phone(self, phone: str) -> Contact | None:
        """The contact with this phone number (digits compared)."""

    def customer(self, key: str) -> Customer | None:
        """The customer with this key."""

    def customer_by_domain(self, domain: str) -> Customer | None:
        """The customer that owns this mail domain."""

    def active_contract(self, customer: str, on: dt.date | None = None) -> Contract | None:
        """The customer's contract running on ``on`` (today by default)."""
