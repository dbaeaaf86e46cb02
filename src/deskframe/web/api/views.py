"""The JSON the API answers with: ``--format json``'s shapes (:mod:`deskframe.serialize`), and
what a customer's contact is shown of them.

A contact (an account that may not see internal work, :func:`~deskframe.accounts.rights.may_see_internal`)
never gets internal notes or articles hidden from the customer, the history of internal work
(notes, time, locks, owners, queues, estimates), or an agent's e-mail address (an agent's
article has no ``sender`` for it).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from ... import serialize
from ...model import Article, Ticket
from .errors import ApiError

#: The history entries a contact sees (what a customer can tell happened to its ticket).
CUSTOMER_HISTORY = frozenset({"created", "state", "priority", "reply", "article", "merged_into", "merged_from"})


def article(a: Article, *, internal: bool, agent_mails: frozenset[str] = frozenset()) -> dict[str, Any] | None:
    """An article as the caller may see it (None: not at all). For a contact, the sender and
    recipients that are agents' addresses (``agent_mails``, lower case) are left out, as is
    the sender of any article an agent wrote."""
    if not internal and (a.direction == "internal" or not a.visible_to_customer):
        return None
    out = serialize.article(a)
    if not internal:
        if a.agent or (a.sender or "").strip().lower() in agent_mails:
            out["sender"] = None
        out["recipients"] = [r for r in out["recipients"] if r.strip().lower() not in agent_mails]
    return out


def articles(
    found: list[Article] | tuple[Article, ...], *, internal: bool, agent_mails: frozenset[str] = frozenset()
) -> list[dict[str, Any]]:
    """The articles the caller may see, in order."""
    return [shown for a in found if (shown := article(a, internal=internal, agent_mails=agent_mails)) is not None]


def agent_mails(desk: Any) -> frozenset[str]:
    """Every agent's e-mail address, lower case (what a contact is never shown). Blocking."""
    return desk.directory.agent_addresses()


def ticket(
    t: Ticket, clocks: list[Any], *, internal: bool, agent_mails: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """``ticket show --format json`` (with ``clocks``), cut down for a contact."""
    out = dict(serialize.ticket(t), clocks=[serialize.clock(c) for c in clocks])
    if internal:
        return out
    out["articles"] = articles(t.articles, internal=False, agent_mails=agent_mails)
    shown = {str(a["id"]) for a in out["articles"]}
    out["history"] = [
        h for h in out["history"] if h["action"] in CUSTOMER_HISTORY and (h["action"] != "article" or h["new"] in shown)
    ]
    return out


def encode_cursor(key: tuple[dt.datetime, int] | None) -> str | None:
    """An opaque cursor for a page key ``(updated_at, id)``."""
    if key is None:
        return None
    raw = json.dumps([key[0].isoformat(), key[1]], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    """The page key of a cursor :func:`encode_cursor` made; 422 naming ``cursor`` otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        when, row_id = json.loads(raw)
        at = dt.datetime.fromisoformat(when)
        if at.tzinfo is None or not isinstance(row_id, int) or isinstance(row_id, bool):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ApiError(422, "not a cursor this API gave", field="cursor") from None
    return at, row_id
