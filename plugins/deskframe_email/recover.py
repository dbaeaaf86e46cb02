"""Recover header blocks that the stdlib parser cuts short (a copy for parsing; the raw stays as it is).

The stdlib parser ends the header block at the first line that is neither a
header field nor an indented continuation, and reads everything after it as
body. Real mail breaks that rule in two ways, both in Zammad's parser corpus,
and Zammad recovers both; :func:`repair_header` does the same:

* **junk before the header**: a line such as ``---- Original email message ----``
  (or a few) before the first field. It is skipped when real header fields follow
  right after it.
* **continuation lines without indentation**: a relay that unfolds ``Received:``
  or ``References:`` lines, a ``boundary=`` parameter on its own line, base64
  tracker blobs. A run of such lines is a continuation of the field above it
  when a well-known field follows the run before the blank line; it is indented
  in the copy. A run that reaches the blank line (or the end), or holds a MIME
  delimiter (``--boundary``), is left alone: it is the body of a mail without a
  header/body separator.

The copy is only what the parser reads; ``InboundMessage.raw`` keeps the bytes as
they came.
"""

from __future__ import annotations

import re

#: A header field line (RFC 5322 field name: printable ASCII except the colon).
_FIELD = re.compile(rb"[\x21-\x39\x3b-\x7e]+:")
_NAME = re.compile(rb"([A-Za-z][A-Za-z0-9-]{0,76})[ \t]*:")
_BLANK_LINE = re.compile(rb"\n\r?\n")
_KNOWN = {
    b"received",
    b"from",
    b"to",
    b"cc",
    b"bcc",
    b"subject",
    b"date",
    b"message-id",
    b"in-reply-to",
    b"references",
    b"reply-to",
    b"sender",
    b"return-path",
    b"mime-version",
    b"delivered-to",
    b"errors-to",
    b"thread-topic",
    b"thread-index",
    b"accept-language",
    b"importance",
    b"priority",
    b"user-agent",
    b"organization",
    b"dkim-signature",
    b"domainkey-signature",
    b"authentication-results",
    b"received-spf",
    b"precedence",
    b"auto-submitted",
    b"disposition-notification-to",
    b"comments",
    b"keywords",
    b"envelope-to",
    b"status",
}
_KNOWN_PREFIXES = (b"x-", b"content-", b"list-", b"arc-", b"resent-")
#: Junk lines skipped before the first field, and real fields that must follow them.
MAX_JUNK_LINES = 5
_FIELDS_AFTER_JUNK = 3
#: Unindented lines folded into the field above them, at most, per run.
MAX_RUN = 100
#: Bytes of header looked at (a larger header is parsed as it is).
MAX_HEADER_BYTES = 1 << 20


def _is_field(line: bytes) -> bool:
    return bool(_FIELD.match(line))


def _is_continuation(line: bytes) -> bool:
    return line[:1] in (b" ", b"\t")


def _well_known(line: bytes) -> bool:
    match = _NAME.match(line)
    if not match:
        return False
    name = match.group(1).lower()
    return name in _KNOWN or name.startswith(_KNOWN_PREFIXES)


def _skip_junk(lines: list[bytes], start: int) -> int | None:
    """Index of the first field line after junk at ``start``, or ``None`` if it is no header."""
    for index in range(start + 1, min(start + 1 + MAX_JUNK_LINES, len(lines))):
        if not lines[index].strip(b"\r"):
            return None
        if _is_field(lines[index]):
            following = lines[index : index + _FIELDS_AFTER_JUNK * 3]
            if sum(1 for line in following if _well_known(line)) >= _FIELDS_AFTER_JUNK:
                return index
            return None
    return None


def repair_header(raw: bytes) -> bytes | None:
    """A copy of ``raw`` whose header the stdlib parser reads whole, or ``None`` if it needs no repair."""
    found = _BLANK_LINE.search(raw, 0, MAX_HEADER_BYTES)
    if found is None and len(raw) > MAX_HEADER_BYTES:
        return None
    end = found.start() if found else len(raw)
    lines = raw[:end].split(b"\n")
    start = 1 if lines[0].startswith(b"From ") else 0
    if start >= len(lines):
        return None
    changed = False
    if not _is_field(lines[start]):
        first = _skip_junk(lines, start)
        if first is None:
            return None
        del lines[start:first]
        changed = True
    index = start
    while index < len(lines):
        line = lines[index]
        if _is_field(line) or _is_continuation(line):
            index += 1
            continue
        if line.startswith(b"--"):
            break  # a MIME delimiter right after the header: the body starts here
        run_end = index
        while (
            run_end < len(lines)
            and run_end - index <= MAX_RUN
            and not _is_field(lines[run_end])
            and not _is_continuation(lines[run_end])
            and lines[run_end].strip(b"\r")
        ):
            run_end += 1
        if (
            run_end >= len(lines)
            or run_end - index > MAX_RUN
            or not _well_known(lines[run_end])
            or any(lines[fold].startswith(b"--") for fold in range(index, run_end))
        ):
            break  # the body of a mail without a separator: leave it to the parser
        for fold in range(index, run_end):
            lines[fold] = b" " + lines[fold]
        changed = True
        index = run_end
    if not changed:
        return None
    return b"\n".join(lines) + raw[end:]
