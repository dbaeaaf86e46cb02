"""Walk a parsed MIME tree: body text, sanitized HTML, attachments, notes.

:class:`Walker` visits the parts the stdlib parser produced and collects

* ``texts``: the readable body (text/plain preferred; HTML-only parts converted),
  forwarded messages (``message/rfc822``) appended after a header block;
* ``html``: the sanitized HTML body of the top-level message;
* ``attachments``: every other part, ``winmail.dat`` also expanded;
* ``notes``: what was cut, skipped or repaired (so nothing is dropped silently).

Parts and raw 8-bit file names without a charset are decoded with the charsets
declared around them as hints: the enclosing parts' (nearest first), then the
whole mail's (``hints``), see :func:`.charsets.guess_decode`.

Broken multiparts (no ``boundary`` parameter, or one that never occurs in the
body) are re-parsed with the delimiter that does occur. Nesting is bounded by
the :class:`~deskframe_email.parse.ParseLimits` the walker gets.
"""

from __future__ import annotations

import mimetypes
import re
from collections import Counter
from email.message import Message
from email.parser import BytesParser
from email.policy import EmailPolicy
from typing import Any

from deskframe.files import safe_filename
from deskframe.model import InboundAttachment

from .charsets import decode_text
from .headers import decode_header
from .htmltext import html_to_text
from .sanitize import clean_html
from .tnef import expand_tnef

BODY_TYPES = {"text/plain", "text/html", "text/enriched", "text/richtext"}
TNEF_TYPES = {"application/ms-tnef", "application/vnd.ms-tnef"}
FORWARD_TYPES = {"message/rfc822", "message/global", "message/news"}
_CTYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,127}$")
_DELIM = re.compile(rb"^--([^\r\n]{1,202})$", re.MULTILINE)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
FORWARD_LINE = "---------- Forwarded message ----------"


class ParsePolicy(EmailPolicy):
    """``email.policy.default`` for parsing, except that header values are fetched raw.

    The default policy builds header objects with a full RFC 5322 parser on each
    access, which is slow and, on hostile values, slower still. Here a fetch gives
    the stored (folded, 8-bit-escaped) string cut to ``max_fetch_chars``
    (8 KB for ``Content-*`` headers, whose parameter parser is quadratic);
    :mod:`.headers` decodes it.
    """

    max_fetch_chars = 65536

    def header_fetch_parse(self, name: str, value: Any) -> str:
        limit = 8192 if name.lower().startswith("content-") else self.max_fetch_chars
        return str(value)[:limit]


def content_type(part: Message) -> str:
    """The lower-case ``type/subtype`` of ``part``; odd values become ``application/octet-stream``."""
    try:
        ctype = part.get_content_type()
    except Exception:
        return "application/octet-stream"
    return ctype if _CTYPE.match(ctype) else "application/octet-stream"


def _filename(part: Message, hints: tuple[str, ...] = ()) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        return None
    return decode_header(name, hints=hints) or None


def _disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:
        return None


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:
        return None


def payload_bytes(part: Message) -> bytes:
    """The decoded body of a leaf part (base64/quoted-printable undone); never raises."""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    if isinstance(payload, list):
        chunks = []
        for sub in payload:
            if not isinstance(sub, Message):
                continue
            try:
                chunks.append(sub.as_bytes())
            except Exception:
                continue
        return b"\n".join(chunks)
    return b""


def recover_multipart(part: Message, ctype: str, policy: EmailPolicy) -> Message | None:
    """Re-parse a multipart whose boundary is missing or wrong, using the delimiter in its body."""
    payload = part.get_payload()
    if not isinstance(payload, str) or "--" not in payload:
        return None
    body = payload.encode("utf-8", "surrogateescape")
    counts: Counter[bytes] = Counter()
    for match in _DELIM.finditer(body):
        token = match.group(1).rstrip(b" \t\r")
        token = token[:-2] if token.endswith(b"--") else token
        if token.strip(b"- ") and b'"' not in token and b"\\" not in token:
            counts[token] += 1
    if not counts:
        return None
    boundary = counts.most_common(1)[0][0]
    header = b"Content-Type: " + ctype.encode("ascii") + b'; boundary="' + boundary + b'"\r\n\r\n'
    try:
        fixed = BytesParser(policy=policy).parsebytes(header + body)
    except Exception:
        return None
    if not fixed.is_multipart() or not fixed.get_payload():
        return None
    return fixed


def _extension(ctype: str) -> str:
    if ctype.startswith("message/") or ctype in ("text/rfc822-headers", "text/plain"):
        return ".txt"
    return mimetypes.guess_extension(ctype) or (".txt" if ctype.startswith("text/") else ".bin")


class Walker:
    """Collects text, HTML, attachments and notes from a parsed message (see module docstring)."""

    def __init__(
        self,
        *,
        max_depth: int,
        max_parts: int,
        max_nesting: int,
        max_html_chars: int,
        policy: EmailPolicy,
        hints: tuple[str, ...] = (),
    ) -> None:
        self.max_depth = max_depth
        self.max_parts = max_parts
        self.max_nesting = max_nesting
        self.max_html_chars = max_html_chars
        self.policy = policy
        self.texts: list[str] = []
        self.html: list[str] = []
        self.attachments: list[InboundAttachment] = []
        self.notes: list[str] = []
        self.visible_notes: list[str] = []
        self.parts = 0
        self.hints = hints
        self._enclosing: list[str] = []  # charsets declared on the enclosing parts, outermost first

    def _hints(self, part: Message | None = None) -> tuple[str, ...]:
        own = _charset(part) if part is not None else None
        return tuple(dict.fromkeys(([own] if own else []) + self._enclosing[::-1] + list(self.hints)))

    def note(self, text: str, *, visible: bool = False) -> None:
        """Record what was cut or repaired; ``visible`` notes are also shown in the text."""
        if text not in self.notes:
            self.notes.append(text)
            if visible:
                self.visible_notes.append(text)

    def walk(
        self, part: Message, *, depth: int = 0, nesting: int = 0, top: bool = True, want_text: bool = True
    ) -> None:
        """Visit ``part`` and everything below it."""
        charset = _charset(part) if part.is_multipart() else None
        if charset:
            self._enclosing.append(charset)
        try:
            self._visit(part, depth=depth, nesting=nesting, top=top, want_text=want_text)
        finally:
            if charset:
                self._enclosing.pop()

    def _visit(self, part: Message, *, depth: int, nesting: int, top: bool, want_text: bool) -> None:
        self.parts += 1
        if self.parts > self.max_parts:
            self.note(f"more than {self.max_parts} MIME parts: the rest is kept only in the raw message", visible=True)
            return
        ctype = content_type(part)
        if ctype in FORWARD_TYPES:
            self._forward(part, depth, nesting)
        elif part.is_multipart() and ctype.startswith("message/"):
            self._attachment(part, ctype)
        elif part.is_multipart():
            if nesting >= self.max_nesting:
                self.note(
                    f"MIME parts nested deeper than {self.max_nesting} levels are kept only in the raw message",
                    visible=True,
                )
                return
            subparts = [p for p in part.get_payload() if isinstance(p, Message)]
            if ctype == "multipart/alternative":
                self._alternative(subparts, depth, nesting + 1, top, want_text)
            else:
                for sub in subparts:
                    self.walk(sub, depth=depth, nesting=nesting + 1, top=top, want_text=want_text)
        elif ctype.startswith("multipart/"):
            fixed = recover_multipart(part, ctype, self.policy) if nesting < self.max_nesting else None
            if fixed is not None:
                self.note("broken multipart boundary repaired")
                self.walk(fixed, depth=depth, nesting=nesting + 1, top=top, want_text=want_text)
            else:
                self.note("multipart without usable boundary: body kept as text")
                self._body(part, "text/plain", top, want_text)
        else:
            filename = _filename(part, self._hints(part))
            if filename is None and _disposition(part) != "attachment" and ctype in BODY_TYPES:
                self._body(part, ctype, top, want_text)
            else:
                self._attachment(part, ctype, filename)

    def _alternative(self, subparts: list[Message], depth: int, nesting: int, top: bool, want_text: bool) -> None:
        kinds = [content_type(p) for p in subparts]
        plain = [p for p, k in zip(subparts, kinds) if k == "text/plain"]
        rich = [p for p, k in zip(subparts, kinds) if k == "text/html" or k.startswith("multipart/")]
        chosen: list[Message] = []
        if plain:
            chosen.append(plain[0])
            self.walk(plain[0], depth=depth, nesting=nesting, top=top, want_text=want_text)
            if rich:
                chosen.append(rich[-1])
                self.walk(rich[-1], depth=depth, nesting=nesting, top=top, want_text=False)
        elif rich:
            chosen.append(rich[-1])
            self.walk(rich[-1], depth=depth, nesting=nesting, top=top, want_text=want_text)
        for part, kind in zip(subparts, kinds):
            if part in chosen or kind in ("text/plain", "text/html") or kind.startswith("multipart/"):
                continue
            if not chosen and kind in BODY_TYPES:
                chosen.append(part)
                self.walk(part, depth=depth, nesting=nesting, top=top, want_text=want_text)
            else:
                self.walk(part, depth=depth, nesting=nesting, top=top, want_text=False)

    def _forward(self, part: Message, depth: int, nesting: int) -> None:
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if not isinstance(inner, Message):
            self._attachment(part, "message/rfc822", _filename(part, self._hints(part)))
            return
        if depth + 1 > self.max_depth:
            self.note(
                f"forwarded messages nested deeper than {self.max_depth} levels are kept only in the raw message",
                visible=True,
            )
            return
        lines = [FORWARD_LINE]
        for field in ("From", "Date", "Subject", "To"):
            value = decode_header(inner.get(field), hints=self._hints())
            if value:
                lines.append(f"{field}: {value[:998]}")
        self.texts.append("\n".join(lines))
        self.walk(inner, depth=depth + 1, nesting=nesting + 1, top=False, want_text=True)

    def _body(self, part: Message, ctype: str, top: bool, want_text: bool) -> None:
        if not want_text and not (top and ctype == "text/html"):
            return
        data = payload_bytes(part)
        charset = _charset(part)
        hints = self._hints()
        if ctype != "text/html":
            self.texts.append(decode_text(data, charset, hints).replace("\r\n", "\n").replace("\r", "\n"))
            return
        if charset is None:
            found = _META_CHARSET.search(data[:4096])
            charset = found.group(1).decode("ascii") if found else None
        cleaned = clean_html(decode_text(data, charset, hints), max_chars=self.max_html_chars)
        if cleaned.truncated:
            self.note(f"HTML body of {cleaned.original_chars} characters truncated to {self.max_html_chars}")
        if top:
            self.html.append(cleaned.html)
        if want_text:
            self.texts.append(html_to_text(cleaned.html))

    def _attachment(self, part: Message, ctype: str, filename: str | None = None) -> None:
        data = payload_bytes(part)
        index = len(self.attachments) + 1
        generated = f"attachment-{index}{_extension(ctype)}"
        name = safe_filename(filename, generated) if filename else generated
        self.attachments.append(InboundAttachment(name, ctype, data))
        if ctype in TNEF_TYPES or name.lower() == "winmail.dat":
            files = expand_tnef(data)
            if files:
                self.attachments.extend(files)
            else:
                self.note(f"TNEF attachment {name} could not be expanded; kept as is")
