"""When deskframe must not answer automatically (RFC 3834 and what mailers really send).

:func:`is_automatic` gives the reason a message must get no automatic reply
(or ``None``): ``Auto-Submitted`` other than ``no``, ``Precedence:
bulk|junk|list|auto_reply``, ``List-Id``, ``X-Auto-Response-Suppress`` with
``All``/``AutoReply``/``OOF``, ``X-Autoreply``/``X-Autorespond``, an empty
``Return-Path: <>``, delivery reports (``multipart/report``,
``message/delivery-status``, mailer-daemon/postmaster senders) and our own
``X-Loop`` address. :class:`ReplyBudget` caps automatic replies per recipient
and day, so two auto-responders cannot feed each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from email.message import Message
from typing import Any

import attrs

from deskframe.model import InboundMessage

from .headers import decode_header, parse_addresses

_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
_SUPPRESS = {"all", "autoreply", "oof"}
_DAEMONS = {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"}
_REPORT_TYPES = {"message/delivery-status", "message/disposition-notification", "message/feedback-report"}


def _lower_headers(source: Mapping[str, Any] | Message) -> dict[str, str]:
    items = source.items()
    result: dict[str, str] = {}
    for name, value in items:
        key = str(name).strip().lower()
        text = decode_header(str(value))
        result[key] = f"{result[key]}, {text}" if key in result and key == "x-loop" else result.get(key, text)
    return result


def _sender_local(sender: str) -> str:
    pairs = parse_addresses([sender]) if sender else []
    address = pairs[0][1] if pairs else sender.strip().lower()
    return address.split("@", 1)[0]


def is_automatic(
    source: InboundMessage | Mapping[str, Any] | Message, *, loop_address: str | None = None
) -> str | None:
    """Why ``source`` must get no automatic reply, or ``None`` if a reply is allowed.

    ``source`` is an :class:`InboundMessage` (its ``headers``, sender and
    attachment types are used), a mapping of header names to values (any case;
    ``from`` is read for the sender), or an :class:`email.message.Message`.
    ``loop_address`` is the address our own automatic mail puts in ``X-Loop``.
    """
    attachment_types: tuple[str, ...] = ()
    if isinstance(source, InboundMessage):
        headers = _lower_headers(source.headers)
        sender = source.sender or headers.get("from", "")
        attachment_types = tuple(a.content_type for a in source.attachments)
    else:
        headers = _lower_headers(source)
        sender = headers.get("from", "")

    auto = headers.get("auto-submitted", "").split(";", 1)[0].strip().lower()
    if auto and auto != "no":
        return f"auto-submitted: {auto}"
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in _PRECEDENCE:
        return f"precedence: {precedence}"
    if "list-id" in headers:
        return "list-id present"
    suppress = {t.strip().lower() for t in headers.get("x-auto-response-suppress", "").replace(";", ",").split(",")}
    if suppress & _SUPPRESS:
        return "x-auto-response-suppress: " + ", ".join(sorted(suppress & _SUPPRESS))
    for key in ("x-autoreply", "x-autorespond"):
        if headers.get(key, "").strip().lower() not in ("", "no", "false", "0"):
            return f"{key} present"
    ctype = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if ctype == "multipart/report" or ctype in _REPORT_TYPES:
        return f"delivery report ({ctype})"
    if any(kind in _REPORT_TYPES for kind in attachment_types):
        return "delivery report (status part)"
    local = _sender_local(sender)
    if local in _DAEMONS:
        return f"sender is {local}"
    if "return-path" in headers and headers["return-path"].replace(" ", "") in ("<>", ""):
        return "empty return-path"
    if loop_address and "x-loop" in headers:
        ours = loop_address.strip().lower()
        looped = {a for _, a in parse_addresses([headers["x-loop"]])} or {headers["x-loop"].strip().lower()}
        if ours in looped:
            return f"x-loop: {ours}"
    return None


@attrs.frozen
class ReplyBudget:
    """At most ``cap`` automatic replies per recipient within ``window`` (pure: the caller keeps the log)."""

    cap: int = 10
    window: dt.timedelta = dt.timedelta(hours=24)

    def used(self, sent: Iterable[dt.datetime], now: dt.datetime) -> int:
        """How many of the ``sent`` timestamps fall inside the window ending at ``now``."""
        start = now - self.window
        return sum(1 for at in sent if start < at <= now)

    def allows(self, sent: Iterable[dt.datetime], now: dt.datetime) -> bool:
        """True if one more automatic reply may go out at ``now``."""
        return self.used(sent, now) < self.cap

    def remaining(self, sent: Iterable[dt.datetime], now: dt.datetime) -> int:
        """How many more automatic replies may go out at ``now``."""
        return max(0, self.cap - self.used(sent, now))
