"""Raw RFC 5322 bytes -> :class:`deskframe.model.InboundMessage`, best effort, bounded time.

:func:`parse_message` uses the stdlib :mod:`email` parser (``policy.default``
with raw header fetches, see :class:`.mime.ParsePolicy`) and recovers what it
can from broken mail: any charset (declared, missing, wrong or unknown; raw
8-bit headers and parts without one are read with the charsets the mail declares
elsewhere as hints), raw 8-bit headers, broken MIME boundaries, missing
header/body separator, junk lines before the header and continuation lines
without indentation (:mod:`.recover`, on a copy: ``raw`` stays as it came), a
garbage ``From:`` before the real one, missing From/Date/Subject (placeholders
``unknown@invalid``, the receive time, ``(no subject)``; a sender without a
domain such as ``MAILER-DAEMON`` is kept as written). It raises
:class:`UnparseableMessage` only when nothing sensible can be recovered, and
:class:`MessageTooLarge` before parsing mail over :attr:`ParseLimits.max_bytes`;
the caller then keeps the raw bytes in quarantine. What a limit cuts is listed in
``headers["x-deskframe-notes"]`` (and, where a reader needs to know, at the end of the text).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import re
from email.message import Message
from email.parser import BytesParser

import attrs

from deskframe.errors import DeskframeError
from deskframe.model import InboundMessage

from .charsets import clean_text, normalize_charset
from .headers import decode_header, message_ids, parse_addresses, parse_date, parse_sender, single_line, unfold
from .mime import ParsePolicy, Walker
from .recover import repair_header

PLACEHOLDER_SENDER = "unknown@invalid"
PLACEHOLDER_SUBJECT = "(no subject)"
NOTES_HEADER = "x-deskframe-notes"
#: Control headers copied (lower-cased, decoded) into ``InboundMessage.headers``.
CONTROL_HEADERS = (
    "auto-submitted",
    "precedence",
    "list-id",
    "x-auto-response-suppress",
    "return-path",
    "x-loop",
    "content-type",
    "x-deskframe-queue",
    "x-deskframe-priority",
    "x-autoreply",
    "x-autorespond",
)
_MULTI = {"x-loop"}
_WANTED = set(CONTROL_HEADERS) | {
    "from",
    "sender",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
}
_MAX_FIELD = 998
_MAX_REFERENCES = 100
_BOUNDARY_DECL = re.compile(rb"""boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))""", re.IGNORECASE)
_DELIM_LINE = re.compile(rb"^--([^\r\n]{1,204})$", re.MULTILINE)
# Matched on the lower-cased mail (literal prefixes search fast; IGNORECASE would not).
_CHARSET_PARAM = re.compile(rb"""charset\s*=\s*["']?([a-z0-9_.:-]{1,40})""")
_ENCODED_WORD_CHARSET = re.compile(rb"=\?([a-z0-9_.:-]{1,40})(?:\*[a-z-]{0,20})?\?[bq]\?")
_MAX_HINTS = 20
_MAX_DECLARATIONS = 1000
_BINARY_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"
_TEXT_BYTES = bytes(b for b in range(256) if b not in _BINARY_BYTES)


class UnparseableMessage(DeskframeError):
    """Nothing sensible could be recovered from the bytes; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class MessageTooLarge(UnparseableMessage):
    """The message is larger than :attr:`ParseLimits.max_bytes` and was not parsed."""

    def __init__(self, size: int, limit: int | None = None) -> None:
        self.size = size
        self.limit = limit
        tail = f" exceeds the limit of {limit} bytes" if limit is not None else " is too large"
        super().__init__(f"message of {size} bytes{tail}")


@attrs.frozen
class ParseLimits:
    """Bounds that keep parsing time and memory bounded (all configurable)."""

    #: Larger messages raise :class:`MessageTooLarge` without being parsed.
    max_bytes: int = 25 * 1024 * 1024
    #: Forwarded messages (``message/rfc822``) expanded inside each other.
    max_depth: int = 20
    #: Multipart containers nested inside each other.
    max_nesting: int = 60
    #: MIME parts visited.
    max_parts: int = 2000
    #: Header fields of the top-level message that are looked at.
    max_header_fields: int = 10_000
    #: Characters of one header value that are decoded.
    max_header_chars: int = 65536
    #: Characters of an HTML body that are sanitized (the rest is cut and noted).
    max_html_chars: int = 500_000
    #: Lines x enclosing boundaries the stdlib parser may have to check (its cost).
    max_mime_work: int = 5_000_000


DEFAULT_LIMITS = ParseLimits()


@functools.lru_cache(maxsize=16)
def _policy(max_header_chars: int) -> ParsePolicy:
    # a Policy takes any of its class attributes as a keyword; typeshed lists only the stdlib's own
    return ParsePolicy(max_fetch_chars=max_header_chars)  # type: ignore[call-overload]


def mime_work(raw: bytes) -> int:
    """How many (line, enclosing boundary) checks the stdlib parser will make, estimated in linear time.

    The parser tests every line against the boundaries of all enclosing
    multiparts, so deeply nested multiparts over many lines take quadratic time.
    """
    bounds = {m.group(1) or m.group(2) for m in _BOUNDARY_DECL.finditer(raw)}
    if not bounds:
        return 0
    stack: list[bytes] = []
    work, last = 0, 0
    for match in _DELIM_LINE.finditer(raw):
        token = match.group(1).rstrip(b" \t\r")
        closing = token.endswith(b"--") and token[:-2] in bounds
        name = token[:-2] if closing else token
        if name not in bounds:
            continue
        work += raw.count(b"\n", last, match.start()) * len(stack)
        last = match.start()
        if name in stack:
            del stack[stack.index(name) + (0 if closing else 1) :]
        elif not closing:
            stack.append(name)
    return work + raw.count(b"\n", last) * len(stack)


def _looks_binary(raw: bytes) -> bool:
    sample = raw[:4096]
    binary = len(sample.translate(None, _TEXT_BYTES))
    return b"\x00" in sample or binary > 0.05 * len(sample)


def _message_id(value: str | None) -> str | None:
    ids = message_ids(value, max_ids=1)
    if ids:
        return ids[0]
    if not value:
        return None
    token = single_line(clean_text(unfold(value[: _MAX_FIELD + 2]))).strip("<> ")
    return token if token and " " not in token and len(token) <= _MAX_FIELD else None


def _references(first: dict[str, str]) -> list[str]:
    replied = message_ids(first.get("in-reply-to"))
    refs = message_ids(first.get("references"), max_ids=1000)
    ordered = list(dict.fromkeys(replied + refs))
    if len(ordered) > _MAX_REFERENCES:
        keep = len(dict.fromkeys(replied))
        ordered = ordered[:keep] + ordered[-(_MAX_REFERENCES - keep) :]
    return ordered


def declared_charsets(raw: bytes) -> tuple[str, ...]:
    """The charsets ``raw`` declares anywhere (parts, encoded words), as codecs, in order of appearance.

    They hint at the charset of raw 8-bit headers and parts that declare none.
    """
    lowered = raw.lower()
    names = sorted(
        (m.start(), m.group(1))
        for pattern in (_CHARSET_PARAM, _ENCODED_WORD_CHARSET)
        for m in itertools.islice(pattern.finditer(lowered), _MAX_DECLARATIONS)
    )
    found: list[str] = []
    for _, name in names:
        codec = normalize_charset(name.decode("ascii"))
        if codec and codec not in found:
            found.append(codec)
            if len(found) >= _MAX_HINTS:
                break
    return tuple(found)


def _aware(when: dt.datetime) -> dt.datetime:
    return when.replace(tzinfo=dt.timezone.utc) if when.tzinfo is None else when


def _fields(msg: Message, limits: ParseLimits, walker: Walker) -> tuple[dict[str, str], dict[str, list[str]], int]:
    items = msg.items()
    if len(items) > limits.max_header_fields:
        walker.note(f"{len(items)} header fields: only the first {limits.max_header_fields} were read")
    first: dict[str, str] = {}
    many: dict[str, list[str]] = {}
    for name, value in items[: limits.max_header_fields]:
        key = name.strip().lower()
        if key not in _WANTED:
            continue
        first.setdefault(key, value)
        if key in _MULTI or key in ("to", "cc", "from"):
            many.setdefault(key, []).append(value)
    return first, many, len(items)


def parse_message(
    raw: bytes,
    *,
    channel: str,
    external_id: str | None = None,
    received_at: dt.datetime | None = None,
    limits: ParseLimits = DEFAULT_LIMITS,
) -> InboundMessage:
    """Parse ``raw`` into an :class:`InboundMessage` (see the module docstring).

    ``external_id`` defaults to the Message-ID, else ``sha256:<hex of raw>``;
    ``received_at`` defaults to the Date header, else now (UTC).
    """
    raw = bytes(raw)
    if len(raw) > limits.max_bytes:
        raise MessageTooLarge(len(raw), limits.max_bytes)
    if not raw.strip():
        raise UnparseableMessage("empty message")
    work = mime_work(raw)
    if work > limits.max_mime_work:
        raise UnparseableMessage(
            f"MIME structure too deeply nested to parse in bounded time ({work} boundary checks, "
            f"limit {limits.max_mime_work})"
        )
    policy = _policy(limits.max_header_chars)
    repaired = repair_header(raw)
    try:
        msg = BytesParser(policy=policy).parsebytes(repaired or raw)
    except RecursionError:
        raise UnparseableMessage("MIME structure nested too deeply for the parser") from None
    except Exception as exc:
        raise UnparseableMessage(f"MIME parser failed: {type(exc).__name__}: {exc}") from None

    hints = declared_charsets(raw)
    walker = Walker(
        max_depth=limits.max_depth,
        max_parts=limits.max_parts,
        max_nesting=limits.max_nesting,
        max_html_chars=limits.max_html_chars,
        policy=policy,
        hints=hints,
    )
    if repaired is not None:
        walker.note("header recovered (junk before it or unindented continuation lines)")
    first, many, count = _fields(msg, limits, walker)
    if not count:
        if _looks_binary(raw):
            raise UnparseableMessage("no header fields and binary content: not an e-mail")
        walker.note("no header fields")
    try:
        walker.walk(msg)
    except RecursionError:
        raise UnparseableMessage("MIME structure nested too deeply") from None
    except Exception as exc:  # keep what was collected; the raw bytes keep the rest
        walker.note(f"body only partly decoded ({type(exc).__name__})", visible=True)

    found = parse_sender(many.get("from", []), hints=hints)
    if found is None and "sender" in first:
        found = parse_sender([first["sender"]], hints=hints)
    sender_name, sender = found or ("", PLACEHOLDER_SENDER)
    if found is None:
        walker.note("no usable From address")
    subject = decode_header(first.get("subject"), hints=hints)[:_MAX_FIELD] or PLACEHOLDER_SUBJECT
    recipients = [addr for _, addr in parse_addresses(many.get("to", []) + many.get("cc", []), hints=hints)]
    message_id = _message_id(first.get("message-id"))
    date = parse_date(first.get("date"))
    received = _aware(received_at) if received_at is not None else (date or dt.datetime.now(dt.timezone.utc))

    headers: dict[str, str] = {}
    for key in CONTROL_HEADERS:
        if key in _MULTI and key in many:
            headers[key] = ", ".join(decode_header(v, hints=hints) for v in many[key])[:_MAX_FIELD]
        elif key in first:
            headers[key] = decode_header(first[key], hints=hints)[:_MAX_FIELD]
    headers["date"] = (date or received).isoformat()
    if "from" in first:
        headers["from"] = decode_header(first["from"], hints=hints)[:_MAX_FIELD]
    if walker.notes:
        headers[NOTES_HEADER] = "; ".join(walker.notes)

    parts = [t.strip("\r\n") for t in walker.texts if t and t.strip()]
    parts += [f"[deskframe: {note}]" for note in walker.visible_notes]
    return InboundMessage(
        channel=channel,
        external_id=external_id or message_id or "sha256:" + hashlib.sha256(raw).hexdigest(),
        received_at=received,
        sender=sender,
        sender_name=sender_name or None,
        subject=subject,
        text="\n\n".join(parts),
        html="\n".join(walker.html) or None,
        recipients=tuple(recipients),
        message_id=message_id,
        references=tuple(_references(first)),
        attachments=tuple(walker.attachments),
        raw=raw,
        headers=headers,
    )
