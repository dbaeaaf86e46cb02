"""Assertions every parse result must pass (shared by corpus and fuzz tests)."""

from __future__ import annotations

import re

from deskframe.model import InboundMessage

#: A sender without a domain is kept as written (``MAILER-DAEMON``); anything else is an address.
DOMAINLESS = re.compile(r"[A-Za-z0-9_+-]{1,64}(?:\.[A-Za-z0-9_+-]{1,64}){0,4}")

HOSTILE = (
    "<script",
    "javascript:",
    "onload",
    "onerror",
    "onclick",
    "<iframe",
    "<base",
    "http-equiv",
    "<svg",
    "<meta",
    "<form",
    "<object",
    "<embed",
)


def assert_clean_text(value: str) -> None:
    assert isinstance(value, str)
    value.encode("utf-8")  # no lone surrogates
    assert "\x00" not in value


def assert_well_formed(message: InboundMessage, raw: bytes, *, strict_html: bool = True) -> None:
    """What any InboundMessage from parse_message must satisfy, whatever the input."""
    assert message.raw == raw
    assert message.external_id
    assert message.received_at.tzinfo is not None
    for value in (
        message.sender,
        message.subject,
        message.text,
        message.external_id,
        *message.recipients,
        *message.references,
        *message.headers.keys(),
        *message.headers.values(),
    ):
        assert_clean_text(value)
    for value in (message.sender_name, message.message_id, message.html):
        if value is not None:
            assert_clean_text(value)
    assert "@" in message.sender or DOMAINLESS.fullmatch(message.sender), message.sender
    assert message.subject and "\n" not in message.subject and "\r" not in message.subject
    assert len(message.subject) <= 998
    if message.html is not None and strict_html:
        lowered = message.html.lower()
        for bad in HOSTILE:
            assert bad not in lowered, bad
    for attachment in message.attachments:
        name = attachment.filename
        assert_clean_text(name)
        assert name not in ("", ".", "..")
        assert "/" not in name and "\\" not in name
        assert len(name.encode("utf-8")) <= 200
        assert isinstance(attachment.data, bytes)
        assert "/" in attachment.content_type
