"""Plain text from outside made safe to store and to write to a terminal.

Mail bodies, chat messages, imported articles and sender names can carry terminal
control sequences: ``ESC [2J`` clears the screen, OSC 8 hides a link behind harmless
text, backspaces and carriage returns overwrite what was printed before. deskframe
removes them where outside text is stored as plain text (intake, imports) and where
text is shown on a terminal (the CLI), with :func:`clean_text` (and :func:`clean_line`
for one-line fields).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["clean_line", "clean_message", "clean_text"]

#: Whole escape sequences, removed with their parameters so no ``[2J`` is left behind:
#: CSI (ESC [ or 8-bit 0x9B), OSC (ESC ] or 0x9D) up to BEL or ST, DCS/SOS/PM/APC strings
#: up to ST (an unterminated string loses only its introducer, never the text after it),
#: and the two-character ESC sequences.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c\n]{0,4096}(?:\x07|\x1b\\|\x9c)"
    r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c\n]{0,4096}(?:\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]?"
)
#: C0 and C1 control characters other than tab and newline (CR is turned into newline first).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """``text`` without C0/C1 control characters and escape sequences; tab and newline are kept.

    CRLF and a lone CR become a newline; NUL, backspace, ESC sequences (CSI, OSC 8 links,
    DCS ...) and the 8-bit C1 controls go. Text without any control character is
    returned unchanged (the same object), so clean text costs one scan.
    """
    if not _CONTROL.search(text):
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SEQUENCE.sub("", text)
    return _CONTROL.sub("", text)


def clean_line(text: str) -> str:
    """:func:`clean_text` for a one-line field (subject, sender, table cell): tabs and newlines become spaces."""
    cleaned = clean_text(text)
    if "\n" in cleaned or "\t" in cleaned:
        cleaned = cleaned.replace("\n", " ").replace("\t", " ")
    return cleaned


def clean_message(message: Any) -> Any:
    """An :class:`~deskframe.model.InboundMessage` with its plain-text fields cleaned
    (subject, text, sender, sender name, control header values); the message itself if all were clean."""
    import attrs

    changes: dict[str, Any] = {}
    for name, clean in (
        ("subject", clean_line),
        ("text", clean_text),
        ("sender", clean_line),
        ("sender_name", clean_line),
    ):
        value = getattr(message, name)
        if isinstance(value, str):
            cleaned = clean(value)
            if cleaned is not value and cleaned != value:
                changes[name] = cleaned
    headers = message.headers
    if any(isinstance(v, str) and _CONTROL.search(v) for v in headers.values()):
        changes["headers"] = {k: clean_line(v) if isinstance(v, str) else v for k, v in headers.items()}
    return attrs.evolve(message, **changes) if changes else message
