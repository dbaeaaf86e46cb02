"""Build outgoing replies as bytes, with no way for ticket data to add header fields.

Subjects and display names come from customers; an attacker can put
``"\\r\\nBcc: x@evil"`` into them, raw or as an RFC 2047 encoded word
(``=?utf-8?q?x=0D=0ABcc:_x@evil?=``), which Python's header folding decodes
and would write out as a line of its own. So every such value is decoded here
first, control characters (CR, LF, NUL, U+2028 ...) become spaces, and any
remaining encoded-word marker is broken up before it reaches
:class:`email.message.EmailMessage`. Addresses must be plain ``local@domain``
(after trimming); anything else raises :class:`ValueError`.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import secrets
import time
from collections.abc import Iterable
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP

from deskframe.mail_headers import set_text_header
from deskframe.numbering import tag_subject

from .charsets import clean_text
from .headers import decode_words, single_line

_ADDR = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,253}[A-Za-z0-9])?$")
_DOMAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,253}[A-Za-z0-9])?$")
_MSGID = re.compile(r"^[^\s<>()\[\]\\,;:\"\x00-\x1f\x7f]{1,900}$")
_MAX_REFERENCES = 30
_MIME_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$")
#: Fields ``extra_headers`` may not set (the message's own structure and addressing).
_RESERVED = {"bcc", "cc", "mime-version", "content-type", "content-transfer-encoding", "date", "message-id"}


def header_text(value: str | None, *, max_chars: int = 900) -> str:
    """``value`` safe for one header: decoded, on one line, no encoded-word markers left."""
    text = str(value or "")[: max_chars * 4]
    for _ in range(4):
        decoded = decode_words(text)
        if decoded == text:
            break
        text = decoded
    text = single_line(clean_text(text)).replace("=?", "= ?")
    return text[:max_chars]


def _address(value: str | tuple[str, str]) -> Address:
    """An address from ``"Name <a@b>"``/``"a@b"`` text or a ``(name, address)`` pair."""
    if isinstance(value, tuple):
        name, addr = str(value[0] or ""), single_line(clean_text(str(value[1]))).strip("<> ")
    else:
        pairs = email.utils.getaddresses([single_line(clean_text(str(value)))])
        if len(pairs) != 1:
            raise ValueError(f"not one e-mail address: {value!r}")
        name, addr = pairs[0]
    if not _ADDR.match(addr or ""):
        raise ValueError(f"not an e-mail address: {value!r}")
    local, domain = addr.rsplit("@", 1)
    return Address(display_name=header_text(name, max_chars=200), username=local, domain=domain)


def new_message_id(domain: str, tag: str = "") -> str:
    """A new Message-ID (without brackets): ``[tag.]<time>.<random>@domain``.

    Short and of fixed length, unlike :func:`email.utils.make_msgid` (whose id with a
    pid, a 20-digit random number and a tag passes 78 characters and gets folded onto a
    second header line, which some readers keep as a leading space).
    """
    stamp = format(time.time_ns() // 1_000_000, "x")
    return f"{tag + '.' if tag else ''}{stamp}.{secrets.token_hex(5)}@{domain}"


def _msgid(value: str | None) -> str | None:
    token = (value or "").strip().strip("<>").strip()
    return token if _MSGID.match(token) else None


def compose_reply(
    *,
    from_addr: str | tuple[str, str],
    to_addrs: str | tuple[str, str] | Iterable[str | tuple[str, str]],
    subject: str,
    body: str,
    ticket_number: str | None,
    subject_hook: str = "Ticket#",
    in_reply_to: str | None = None,
    references: Iterable[str] = (),
    message_id_domain: str,
    auto: bool = False,
    loop_address: str | None = None,
    message_id: str | None = None,
    date: dt.datetime | None = None,
    html: str | None = None,
    extra_headers: Iterable[tuple[str, str]] = (),
    attachments: Iterable[tuple[str, str, bytes]] = (),
) -> bytes:
    """A reply as SMTP-ready bytes (CRLF line ends).

    Addresses are ``"Name <a@b>"`` text or ``(name, address)`` pairs (names
    with quotes or encoded words are safe either way). The subject carries
    ``[<subject_hook><ticket_number>]`` once;
    ``Message-ID`` is new (``message_id`` if given, else made under
    ``message_id_domain``); ``In-Reply-To``/``References`` thread it (the
    references end with ``in_reply_to``). ``auto=True`` marks an automatic
    answer: ``Auto-Submitted: auto-replied``, ``X-Auto-Response-Suppress: All``
    and ``X-Loop: <loop_address>`` (default ``from_addr``'s address). Without a
    ``ticket_number`` the subject is not tagged. ``html`` adds an HTML alternative;
    ``extra_headers`` adds fields (names of letters, digits and dashes; values made safe
    like the subject) other than those set here. ``attachments`` are ``(filename, content type,
    bytes)``: the message becomes ``multipart/mixed`` with one part each (the file name made
    safe like a header value; a content type that is not ``type/subtype`` is sent as
    ``application/octet-stream``).
    """
    if not _DOMAIN.match(message_id_domain or ""):
        raise ValueError(f"not a domain for Message-IDs: {message_id_domain!r}")
    if ticket_number is not None and not re.fullmatch(r"[0-9A-Za-z_-]{1,40}", str(ticket_number)):
        raise ValueError(f"not a ticket number: {ticket_number!r}")
    sender = _address(from_addr)
    recipients = [_address(a) for a in ([to_addrs] if isinstance(to_addrs, (str, tuple)) else list(to_addrs))]
    if not recipients:
        raise ValueError("a reply needs at least one recipient")

    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = recipients
    hook = header_text(subject_hook, max_chars=40)
    set_text_header(
        msg,
        "Subject",
        tag_subject(hook, str(ticket_number), header_text(subject)) if ticket_number else header_text(subject),
    )
    msg["Date"] = email.utils.format_datetime(date or dt.datetime.now(dt.timezone.utc))
    own_id = _msgid(message_id) or new_message_id(message_id_domain)
    msg["Message-ID"] = f"<{own_id}>"
    parent = _msgid(in_reply_to)
    chain = [i for i in (_msgid(r) for r in references) if i]
    if parent:
        msg["In-Reply-To"] = f"<{parent}>"
        chain.append(parent)
    chain = list(dict.fromkeys(chain))
    if len(chain) > _MAX_REFERENCES:
        chain = chain[:1] + chain[-(_MAX_REFERENCES - 1) :]
    if chain:
        msg["References"] = " ".join(f"<{i}>" for i in chain)
    if auto:
        loop = _address(loop_address) if loop_address else sender
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"
        msg["X-Loop"] = loop.addr_spec
    msg.set_content(clean_text(body or ""), charset="utf-8")
    if html:
        msg.add_alternative(html, subtype="html", charset="utf-8")
    own = {k.lower() for k in msg}  # after set_content, which drops Content-* fields (Content-Language)
    for name, value in extra_headers:
        if re.fullmatch(r"[A-Za-z0-9-]{1,76}", name) and name.lower() not in own | _RESERVED:
            msg[name] = header_text(value)
    for filename, content_type, data in attachments:
        kind = content_type.strip().lower()
        maintype, subtype = kind.split("/", 1) if _MIME_TYPE.match(kind) else ("application", "octet-stream")
        name = header_text(filename, max_chars=200).replace("/", "_").replace("\\", "_") or "attachment"
        msg.add_attachment(bytes(data), maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()
