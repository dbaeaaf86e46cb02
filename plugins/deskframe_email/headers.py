"""Decode header values: RFC 2047 encoded words, raw 8-bit bytes, addresses, ids, dates.

Every function takes the raw value as the stdlib parser stored it (folded,
8-bit bytes kept as surrogate escapes) and never raises on bad input. Values
are cut to a bounded length before any parsing so that time stays bounded.
"""

from __future__ import annotations

import binascii
import datetime as dt
import email.utils
import re
from collections.abc import Iterable

from .charsets import clean_text, decode_text

#: Characters of one header value that are looked at.
MAX_HEADER_CHARS = 65536

_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,75})\?([bBqQ])\?([^?\r\n]*)\?=")
_SURROGATE = re.compile("[\udc80-\udcff]")
_CONTROLS = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")
_SPACES = re.compile(r"[ \t]{2,}")
_NEWLINES = re.compile(r"\r\n|\r|\n")
_MSGID = re.compile(r"<([^<>\s]{1,998})>")
_ADDR_SPEC = re.compile(r"[^\s<>()\[\]\\,;:\"@]{1,64}@[A-Za-z0-9.\-\[\]:]{1,255}")
#: A From value naming a mailbox without a domain, as bounces have it (``MAILER-DAEMON``, ``root``),
#: alone or in angle brackets after a display name; comments removed first.
_DOMAINLESS = re.compile(
    r'(?:(?P<name>"[^"]{0,300}"|[^<>"@]{0,300})\s*<\s*)?'
    r"(?P<local>[A-Za-z0-9_+-]{1,64}(?:\.[A-Za-z0-9_+-]{1,64}){0,4})(?(name)\s*>)"
)
_COMMENT = re.compile(r"\([^()]{0,300}\)")


def from_8bit(value: str, hints: Iterable[str] = ()) -> str:
    """Undo the surrogate escapes of raw 8-bit header bytes by decoding them as text.

    ``hints``: the charsets the mail declares elsewhere (see :func:`.charsets.guess_decode`).
    """
    if not _SURROGATE.search(value):
        return value
    return decode_text(value.encode("utf-8", "surrogateescape"), None, hints)


def unfold(value: str) -> str:
    """Remove the CR/LF of folded lines (the folding white space stays)."""
    return _NEWLINES.sub("", value)


def _word_bytes(encoding: str, text: str) -> bytes | None:
    data = text.encode("utf-8", "surrogateescape")
    try:
        if encoding in "bB":
            data = data.strip()
            return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
        return binascii.a2b_qp(data, header=True)
    except (binascii.Error, ValueError):
        return None


def decode_words(value: str, hints: Iterable[str] = ()) -> str:
    """Decode RFC 2047 encoded words in ``value`` (adjacent words of one charset decoded together).

    Unknown or wrong charsets fall back to guessing (see :mod:`.charsets`); a
    word that cannot be decoded at all is kept as it was.
    """
    if "=?" not in value:
        return value
    out: list[str] = []
    pending: tuple[str, bytearray] | None = None  # charset, bytes of adjacent words
    pos = 0
    for match in _ENCODED_WORD.finditer(value):
        between = value[pos : match.start()]
        data = _word_bytes(match.group(2), match.group(3))
        if data is None:
            continue  # left in place as literal text
        charset = match.group(1).split("*", 1)[0].lower()
        if pending is not None and not between.strip():
            if pending[0] == charset:
                pending[1].extend(data)
                pos = match.end()
                continue
            between = ""  # white space between encoded words is dropped
        if pending is not None:
            out.append(decode_text(bytes(pending[1]), pending[0], hints))
        out.append(between)
        pending = (charset, bytearray(data))
        pos = match.end()
    if pending is not None:
        out.append(decode_text(bytes(pending[1]), pending[0], hints))
    out.append(value[pos:])
    return "".join(out)


def single_line(text: str) -> str:
    """``text`` on one line: control characters (CR, LF, NUL ...) become spaces, runs collapse."""
    return _SPACES.sub(" ", _CONTROLS.sub(" ", text)).strip()


def decode_header(value: str | None, *, max_chars: int = MAX_HEADER_CHARS, hints: Iterable[str] = ()) -> str:
    """The readable one-line text of a header value (unfolded, decoded, no control characters).

    ``hints``: the charsets the mail declares elsewhere, for raw 8-bit bytes.
    """
    if not value:
        return ""
    hints = tuple(hints)
    text = decode_words(from_8bit(unfold(str(value)[:max_chars]), hints), hints)
    return clean_text(single_line(text))


def _clean_address(addr: str) -> str | None:
    addr = single_line(addr).replace(" ", "").strip("<>").lower()
    if "@" not in addr or len(addr) > 320 or addr.startswith("@") or addr.endswith("@"):
        return None
    return clean_text(addr)


def _pairs(texts: list[str]) -> list[tuple[str, str]]:
    try:
        return email.utils.getaddresses(texts)
    except Exception:  # deep comment nesting and the like
        return []


def parse_addresses(
    values: list[str], *, max_chars: int = MAX_HEADER_CHARS, hints: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """``(display name, address)`` pairs of address headers; addresses lower-cased, names decoded.

    Entries without a usable address are skipped; duplicates keep their first place.
    """
    hints = tuple(hints)
    texts = [from_8bit(unfold(str(v)[:max_chars]), hints) for v in values if v]
    if not texts:
        return []
    pairs = _pairs(texts)
    if not any("@" in addr for _, addr in pairs):
        pairs = [("", found) for found in _ADDR_SPEC.findall(" ".join(texts))]
    result: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, addr in pairs:
        clean = _clean_address(addr)
        if clean is None or clean in seen:
            continue
        seen.add(clean)
        result.append((clean_text(single_line(decode_words(name, hints)))[:300], clean))
    return result


def parse_sender(
    values: list[str], *, max_chars: int = MAX_HEADER_CHARS, hints: Iterable[str] = ()
) -> tuple[str, str] | None:
    """The ``(display name, address)`` of the first of ``values`` (From fields) that names a sender.

    A value without a usable address (a garbage ``From: [??????]`` before the real
    one) is passed over. When none has an address, a mailbox without a domain
    (``MAILER-DAEMON (Mail Delivery System)``) is kept as written.
    """
    hints = tuple(hints)
    for value in values:
        found = parse_addresses([value], max_chars=max_chars, hints=hints)
        if found:
            return found[0]
    for value in values:
        text = single_line(_COMMENT.sub(" ", from_8bit(unfold(str(value)[:max_chars]), hints))) if value else ""
        mailbox = _DOMAINLESS.fullmatch(text)
        if mailbox and any(ch.isalpha() for ch in mailbox.group("local")):
            name = (mailbox.group("name") or "").strip().strip('"')
            if not name and value and "(" in value:  # MAILER-DAEMON (Mail Delivery System)
                name = " ".join(_COMMENT.findall(str(value)[:max_chars])).strip("() ")
            return clean_text(single_line(decode_words(name, hints)))[:300], mailbox.group("local")
    return None


def message_ids(value: str | None, *, max_ids: int = 200) -> list[str]:
    """Message ids in a Message-ID / In-Reply-To / References value, brackets stripped."""
    if not value:
        return []
    text = unfold(str(value)[:MAX_HEADER_CHARS])
    ids = _MSGID.findall(text)
    if not ids:
        ids = [token.strip("<>") for token in text.split() if "@" in token]
    return [clean_text(i) for i in ids[:max_ids] if i and len(i) <= 998]


def parse_date(value: str | None) -> dt.datetime | None:
    """An aware UTC datetime from a Date header, or ``None`` if absent or unreadable."""
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(single_line(from_8bit(str(value)[:200])))
    except Exception:
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    try:
        return when.astimezone(dt.timezone.utc)
    except (OverflowError, ValueError):
        return None
