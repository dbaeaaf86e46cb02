"""Pure mapping rules from OTRS/Znuny values to deskframe values (no database here).

Everything here works on plain values read from the source, so each rule can be
tested alone: state *types* to configured states, priorities to P1..P4, sender
type + channel + visibility to an article's direction, OTRS's stored bytes
(base64 on databases without BLOBs) back to bytes, history names to old/new
values, time units to minutes.
"""

from __future__ import annotations

import binascii
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from email.utils import getaddresses, parseaddr
from typing import Any

#: OTRS ``ticket_state_type.name`` -> deskframe state type.
STATE_TYPE_MAP = {
    "new": "new",
    "open": "open",
    "closed": "closed",
    "removed": "closed",
    "pending reminder": "pending",
    "pending auto": "pending",
    "merged": "merged",
}
#: OTRS ``communication_channel.name`` -> deskframe article channel (internal notes have none).
CHANNEL_MAP = {"email": "email", "phone": "phone", "internal": None, "chat": "chat", "web": "web"}
#: OTRS 5 ``article_type.name`` prefix -> channel.
OTRS5_CHANNELS = {
    "email": "email",
    "phone": "phone",
    "fax": "phone",
    "sms": "sms",
    "note": None,
    "webrequest": "web",
    "chat": "chat",
}
#: History types whose ``name`` has a known ``%%``-separated layout, and what deskframe calls them.
HISTORY_ACTIONS = {
    "NewTicket": "created",
    "StateUpdate": "state",
    "PriorityUpdate": "priority",
    "OwnerUpdate": "owner",
    "Lock": "lock",
    "Unlock": "unlock",
    "Move": "queue",
    "Merged": "merged",
    "TimeAccounting": "time",
    "AddNote": "note",
    "SendAnswer": "reply",
    "TitleUpdate": "subject",
    "CustomerUpdate": "customer",
    "FollowUp": "follow_up",
    "EmailCustomer": "article",
    "EmailAgent": "article",
    "PhoneCallCustomer": "article",
    "PhoneCallAgent": "article",
    "WebRequestCustomer": "article",
}
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/=\r\n\t]+")
#: Fast paths for the common header forms ``a@b`` and ``Name <a@b>`` (anything else: email.utils).
_BARE = re.compile(r"\s*([^\s<>,;\"()\[\]:@]+@[^\s<>,;\"()\[\]:@]+)\s*")
_NAMED = re.compile(r"[^<>,;\"()\[\]:@]*<([^\s<>,;\"()\[\]:@]+@[^\s<>,;\"()\[\]:@]+)>\s*")
_NEW_TICKET = re.compile(r"\[(\d+)\]")


def state_for(
    type_name: str | None, state_name: str | None, states: Mapping[str, str], state_map: Mapping[str, str]
) -> tuple[str, str | None]:
    """The configured deskframe state for an OTRS state, and a note if it was a guess.

    ``state_map`` (OTRS state name, lower case -> configured state) wins; otherwise the
    OTRS state *type* picks the first configured state of the matching deskframe type.
    """
    if state_name and state_name.strip().lower() in state_map:
        return state_map[state_name.strip().lower()], None
    wanted = STATE_TYPE_MAP.get((type_name or "").strip().lower())
    note = None
    if wanted is None:
        note = f"unknown OTRS state type {type_name!r} of state {state_name!r}; imported as open"
        wanted = "open"
    for kind in (wanted, "open") if wanted == "pending" else (wanted,):
        for name, state_type in states.items():
            if state_type == kind:
                return name, note
    raise LookupError(f"no configured state of type {wanted!r}")  # config guarantees new/open/closed/merged


def priority_for(name: str | None, priority_map: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(configured target or None, note): map by name, else by the leading 1-5 of Znuny's names."""
    key = (name or "").strip().lower()
    if key in priority_map:
        return priority_map[key], None
    m = re.match(r"\s*([1-5])\b", key)
    if m:
        by_digit = {"1": "P4", "2": "P4", "3": "P3", "4": "P2", "5": "P1"}[m.group(1)]
        return by_digit, f"priority {name!r} is not in priority_map; mapped by its number to {by_digit}"
    return None, f"priority {name!r} is not in priority_map; imported with the default priority"


def channel_for(channel_name: str | None) -> str | None:
    """OTRS 6 communication channel name -> deskframe channel."""
    key = (channel_name or "").strip().lower()
    return CHANNEL_MAP.get(key, key or None)


def otrs5_type(article_type: str | None) -> tuple[str | None, bool]:
    """OTRS 5 ``article_type`` name -> (channel, visible to the customer)."""
    name = (article_type or "").strip().lower()
    prefix = name.split("-", 1)[0]
    channel = OTRS5_CHANNELS.get(prefix, prefix or None)
    visible = not (name.endswith(("-internal", "-int")) or name == "note-report")
    return channel, visible


def direction_for(sender_type: str | None, visible: bool) -> tuple[str, bool]:
    """(direction, visible) from the sender type: customer in, agent out or internal, system internal."""
    kind = (sender_type or "").strip().lower()
    if kind == "customer":
        return "in", visible
    if kind == "agent":
        return ("out", True) if visible else ("internal", False)
    return "internal", False


def address(value: str | None) -> str | None:
    """The bare e-mail address of a From-like header value, or None."""
    if not value or not value.strip():
        return None
    m = _BARE.fullmatch(value) or _NAMED.fullmatch(value)
    if m:
        return m.group(1)
    addr = parseaddr(value)[1].strip()
    return addr if "@" in addr else None


def addresses(*values: str | None) -> tuple[str, ...]:
    """Bare addresses of To/Cc-like header values, in order, without repeats."""
    out: list[str] = []
    for value in values:
        if not value:
            continue
        m = _BARE.fullmatch(value) or _NAMED.fullmatch(value)
        found = [m.group(1)] if m else [addr.strip() for _, addr in getaddresses([value])]
        for addr in found:
            if "@" in addr and addr not in out:
                out.append(addr)
    return tuple(out)


def message_ids(*values: str | None) -> tuple[str, ...]:
    """``<id>`` tokens of References / In-Reply-To values, in order, without repeats."""
    out: list[str] = []
    for value in values:
        for token in _MESSAGE_ID.findall(value or ""):
            if token not in out:
                out.append(token)
    return tuple(out)


def stored_bytes(value: Any) -> bytes | None:
    """Bytes of an OTRS content column (raw mail, attachment).

    BLOB columns (MySQL) hold the bytes. On databases without BLOBs (PostgreSQL) OTRS
    writes base64 into TEXT columns; a value with a space in it is plain text (rows
    written by hand, like Znuny's seed ticket) and is taken as UTF-8.
    """
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if not isinstance(value, str) and hasattr(value, "__iter__"):  # a large value, in slices
        return _stored_slices(value)
    text = str(value)
    if text and _BASE64_TEXT.fullmatch(text):  # checked in place: a large raw mail is not copied
        try:
            return binascii.a2b_base64(text)
        except (binascii.Error, ValueError):
            pass
    return text.encode("utf-8", "surrogateescape")


def _stored_slices(slices: Iterable[Any]) -> bytes:
    """:func:`stored_bytes` of a value read in slices (iterable again for a second pass)."""
    parts: list[bytes] = []
    carry = ""
    for part in slices:
        if isinstance(part, (bytes, bytearray, memoryview)):  # a BLOB: the bytes themselves
            return b"".join(bytes(p) for p in slices)
        text = carry + str(part or "")
        if not _BASE64_TEXT.fullmatch(text or "="):
            break
        compact = text.replace("\n", "").replace("\r", "").replace("\t", "")
        whole = len(compact) // 4 * 4
        try:
            parts.append(binascii.a2b_base64(compact[:whole]))
        except (binascii.Error, ValueError):
            break
        carry = compact[whole:]
    else:
        if not carry:
            return b"".join(parts)
    del parts
    return b"".join(str(p or "").encode("utf-8", "surrogateescape") for p in slices)


def text_of(value: Any) -> str:
    """A text column that may come back as bytes (MySQL BLOB/binary collation)."""
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def minutes_for(units: Any, factor: Decimal) -> int:
    """OTRS ``time_unit`` (DECIMAL) times minutes per unit, rounded half up to whole minutes."""
    value = Decimal(str(units)) * factor
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def history_entry(type_name: str | None, name: str | None) -> tuple[str, str | None, str | None, str | None]:
    """(action, old, new, reason) for one ``ticket_history`` row.

    Known types with a ``%%``-separated ``name`` become deskframe's actions with old/new
    values; the original text is kept as the reason of anything not understood.
    """
    kind = type_name or "Unknown"
    text = name or ""
    action = HISTORY_ACTIONS.get(kind, kind)
    parts = text.split("%%")
    if parts and parts[0] == "":
        parts = parts[1:]
    try:
        if kind == "NewTicket":
            m = _NEW_TICKET.search(text)
            return action, None, m.group(1) if m else None, None if m else text or None
        if kind in ("StateUpdate", "TitleUpdate") and len(parts) >= 2 and text.startswith("%%"):
            return action, parts[0] or None, parts[1] or None, None
        if kind == "PriorityUpdate" and len(parts) >= 4:
            return action, parts[0] or None, parts[2] or None, None
        if kind == "Move" and len(parts) >= 4:
            return action, parts[2] or None, parts[0] or None, None
        if kind == "OwnerUpdate" and len(parts) >= 1 and text.startswith("%%"):
            return action, None, parts[0] or None, None
        if kind in ("Lock", "Unlock") and text.startswith("%%"):
            return action, None, None, None
        if kind == "Merged" and len(parts) >= 4:
            return action, parts[0] or None, parts[2] or None, None
        if kind == "CustomerUpdate" and text.startswith("%%"):
            return action, None, ";".join(p for p in parts if p) or None, None
    except (IndexError, AttributeError):  # pragma: no cover - defensive, the checks above bound the parts
        pass
    if text.startswith("%%"):
        text = "; ".join(p for p in parts if p)
    return action, None, None, text or None


def merge_target(rows: Iterable[tuple[str | None, str | None]], number: str) -> str | None:
    """The number ticket ``number`` was merged into, from its ``Merged`` history names.

    A ``Merged`` name reads ``%%<merged tn>%%<merged id>%%<main tn>%%<main id>``.
    """
    target = None
    for type_name, name in rows:
        if type_name != "Merged" or not name:
            continue
        parts = name.split("%%")[1:]
        if len(parts) >= 3 and parts[0] == number and parts[2] and parts[2] != number:
            target = parts[2]
    return target


def local_to_utc(value: Any, zone: Any) -> dt.datetime:
    """An OTRS ``timestamp without time zone`` in ``zone`` -> an aware UTC datetime."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(dt.timezone.utc)


# --- ticket numbers (threading check) ----------------------------------------------


def _check_digit(digits: str) -> int:
    total = sum(int(d) * (1 if i % 2 == 0 else 2) for i, d in enumerate(digits))
    c = 10 - total % 10
    return 1 if c == 10 else c


def number_threads(layout: str, system_id: str, number: str) -> bool:
    """True if a subject quoting ``number`` is recognised by deskframe's configured layout.

    Mirrors the rule documented in ``deskframe.numbering`` (DateChecksum / Date /
    AutoIncrement with the configured system id): a reply to an imported ticket threads
    by its subject only when its number fits the layout.
    """
    if not number.isdigit():
        return False
    if layout == "AutoIncrement":
        return number.startswith(system_id) and len(number) >= len(system_id) + 5
    if len(number) < 8 + len(system_id) + 5 or number[8 : 8 + len(system_id)] != system_id:
        return False
    try:
        dt.date(int(number[:4]), int(number[4:6]), int(number[6:8]))
    except ValueError:
        return False
    if layout == "DateChecksum":
        return _check_digit(number[:-1]) == int(number[-1])
    return True
