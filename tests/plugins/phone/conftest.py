"""Fixtures for the phone plugin tests (the deskframe.testing fixtures come from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import deskframe
from deskframe import Contact
from deskframe.actors import Actor
from deskframe.testing import Factory

STATES = """
[tickets.states]
new = "new"
open = "open"
pending = "pending"
"awaiting written request" = "pending"
resolved = "resolved"
closed = "closed"
"""

CANNED = """
[canned.written-request]
body = "Dear {{ customer }}, please confirm ticket {{ number }} in writing. {{ agent }}"
"""

MAIL = """
[[channels]]
name = "support-mail"
type = "test-mail"
"""

PHONE = """
[phone]
default_region = "RU"
email_channel = "support-mail"
written_request_canned = "written-request"

[phone.csv]
timezone = "Europe/Moscow"
"""


class MailStub:
    """Registers a ``test-mail`` channel type so a config can name an e-mail channel."""

    @deskframe.hookimpl
    def register_channel_types(self, register):
        register(deskframe.ChannelType("test-mail", lambda table, desk: None))


@pytest.fixture
def phone_desk(make_desk: Callable[..., Any]) -> Callable[..., Any]:
    """``phone_desk(phone=PHONE, extra="")`` -> a desk with states, canned text, a mail channel, [phone]."""

    def make(phone: str = PHONE, extra: str = "", states: str = STATES) -> Any:
        return make_desk(states + CANNED + MAIL + phone + extra, plugins=[MailStub()])

    return make


@pytest.fixture
def world(phone_desk: Callable[..., Any]) -> Any:
    """A desk with customer acme (contract), agent alice and contacts Ivan (mail+phone) and Olga (phone only)."""
    desk = phone_desk()
    factory = Factory(desk)
    factory.customer("acme", name="ACME Ltd")
    factory.contract("acme", key="acme-2026")
    factory.agent("alice", name="Alice Smith")
    desk.directory.add_contact(
        Contact(name="Ivan Petrov", email="ivan@acme.example", phone="8 (495) 123-45-67", customer="acme"),
        actor=Actor.operator(),
    )
    desk.directory.add_contact(Contact(name="Olga", phone="+7 916 765 43 21", customer="acme"), actor=Actor.operator())
    return desk
