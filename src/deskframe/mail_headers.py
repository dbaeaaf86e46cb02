"""Unstructured mail headers (``Subject``) that keep every space when they are folded.

The standard library's folding of a long non-ASCII header puts the space between two words
*between* two encoded words, where RFC 2047 says decoders ignore it: "Новый ответ по заявке"
arrives as "Новый ответпо заявке". :func:`set_text_header` encodes such a value with the
legacy :class:`email.header.Header`, which keeps spaces inside the encoded words, and stores
the folded lines as they are. ASCII values are set as usual.
"""

from __future__ import annotations

from email.header import Header
from email.message import EmailMessage


def set_text_header(msg: EmailMessage, name: str, value: str) -> None:
    """Set header ``name`` of ``msg`` to the one-line text ``value``, folded without losing spaces."""
    if value.isascii():
        msg[name] = value
        return
    folded = Header(value, "utf-8", header_name=name).encode(linesep="\n")
    msg.set_raw(name, folded)
