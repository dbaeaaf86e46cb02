"""The core's ``file`` delivery: each message becomes an ``.eml`` file in ``[outbox] file_dir``.

For a desk without a mail server (``deskframe demo``, a test, a dry run): the file is the
message as it would be mailed (RFC 5322, UTF-8), named ``<Message-ID>.eml``.
It is written to a temporary name and renamed, so a reader never sees half a message; a
second delivery of the same message (the crash window) rewrites the same file. A message whose
bytes were composed at enqueue (:attr:`~deskframe.outbound.OutboundMessage.raw`, by
:func:`compose` or by the delivery of its own kind) is written as those bytes.
"""

from __future__ import annotations

import email.utils
import os
import re
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

from .mail_headers import set_text_header
from .outbound import DeliveryError, OutboundMessage

#: What a Message-ID may keep in a file name.
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")
#: Header fields the builder sets itself; extra headers of these names are ignored.
_OWN = {"from", "to", "subject", "message-id", "mime-version", "content-type", "content-transfer-encoding"}


def directory(desk: Any) -> Path:
    """Where ``file`` messages go: ``[outbox] file_dir``, else ``<data_dir>/outbox``."""
    configured = desk.config.outbox.file_dir
    return Path(configured) if configured else Path(desk.config.data_dir) / "outbox"


def as_email(message: OutboundMessage, *, blob: Callable[[str], bytes | None] | None = None) -> bytes:
    """``message`` as RFC 5322 bytes: its fixed Message-ID, recipients, bodies, extra headers and
    (with ``blob``, which reads a blob's bytes by SHA-256) attachments. Header values are kept on
    one line; without a ``Date`` header of its own the message gets the current time. A missing
    attachment is an ``OSError``."""
    mail = EmailMessage(policy=SMTP)
    mail["From"] = _one_line(message.sender or "deskframe@localhost")
    mail["To"] = ", ".join(_one_line(r) for r in message.recipients)
    set_text_header(mail, "Subject", _one_line(message.subject))
    mail["Message-ID"] = f"<{message.message_id}>"
    extra = [(n, v) for n, v in message.headers if n.lower() not in _OWN and re.fullmatch(r"[A-Za-z0-9-]{1,76}", n)]
    for name, value in extra:
        if not name.lower().startswith("content-"):
            mail[name] = _one_line(value)
    if message.ticket:
        mail["X-Deskframe-Ticket"] = _one_line(message.ticket)
    mail.set_content(message.text or "", charset="utf-8")
    if message.html:
        mail.add_alternative(message.html, subtype="html", charset="utf-8")
    for name, value in extra:  # set_content drops Content-* fields: these (Content-Language) come after it
        if name.lower().startswith("content-") and name not in mail:
            mail[name] = _one_line(value)
    for attachment in message.attachments:
        if blob is None:
            break
        data = blob(attachment.sha256)
        if data is None:
            raise FileNotFoundError(f"attachment {attachment.filename!r}: blob {attachment.sha256} is not stored")
        maintype, _, subtype = attachment.content_type.partition("/")
        mail.add_attachment(
            data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    if "Date" not in mail:
        mail["Date"] = email.utils.formatdate(usegmt=True)
    return mail.as_bytes()


def _one_line(value: str) -> str:
    return " ".join(str(value).split())


def file_name(message: OutboundMessage) -> str:
    """The file a message is written to: its Message-ID, made safe, with ``.eml``."""
    return _UNSAFE.sub("_", message.message_id or "message")[:180] + ".eml"


def compose(message: OutboundMessage, config: Any, blob: Callable[[str], bytes | None]) -> bytes:
    """The delivery's ``compose``: the message's bytes, made once at enqueue (:func:`as_email`)."""
    return as_email(message, blob=blob)


def deliver(message: OutboundMessage, desk: Any) -> None:
    """Write ``message`` as ``<dir>/<Message-ID>.eml`` (atomically: temporary file, then rename)."""
    folder = directory(desk)
    name = file_name(message)
    blobs = getattr(desk, "blobs", None)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        data = message.raw if message.raw is not None else as_email(message, blob=blobs.get if blobs else None)
        temporary = folder / f".{name}.tmp"
        temporary.write_bytes(data)
        os.replace(temporary, folder / name)
    except OSError as exc:
        raise DeliveryError(f"cannot write {folder / name}: {exc.strerror or exc}") from None
