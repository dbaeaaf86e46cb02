"""Expand ``winmail.dat`` (TNEF) attachments into their files, with :mod:`tnefparse`.

tnefparse trusts the counts it reads: a property count of 2**32 in a short
object makes it loop for hours, and every object is read from a fresh copy of
the rest of the data. So :func:`expand_tnef` first walks the objects itself and
hands tnefparse a filtered stream: the OEM code page (replaced by 1252 when
unknown), the TNEF version, and the attachment objects whose property counts
fit their size (attachment property blocks holding an embedded message are
left out, so no recursion). When the stream would still cost too much, or
anything fails, the result is empty and the caller keeps the ``.dat`` as is.
"""

from __future__ import annotations

import codecs
import mimetypes
import struct

from deskframe.files import safe_filename
from deskframe.model import InboundAttachment

from .charsets import decode_text

TNEF_SIGNATURE = 0x223E9F78
MAX_FILES = 100
#: Bytes tnefparse may copy in all (objects kept x stream size).
MAX_COPY_BYTES = 400 * 1024 * 1024

_LVL_MESSAGE, _LVL_ATTACHMENT = 1, 2
_ATT_DATA, _ATT_TITLE, _ATT_RENDDATA, _ATT_MAPI = 0x800F, 0x8010, 0x9002, 0x9005
_TNEF_VERSION, _OEM_CODEPAGE = 0x9006, 0x9007
_IMESSAGE_SIG = b"\x07\x03\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46"
_HEADER = struct.Struct("<BHHI")


def is_tnef(data: bytes) -> bool:
    """True if ``data`` starts with the TNEF signature."""
    return len(data) >= 6 and struct.unpack_from("<I", data)[0] == TNEF_SIGNATURE


def _object(level: int, name: int, kind: int, payload: bytes) -> bytes:
    checksum = sum(payload) & 0xFFFF
    return _HEADER.pack(level, name, kind, len(payload)) + payload + struct.pack("<H", checksum)


def _codepage_ok(payload: bytes) -> bool:
    if len(payload) < 4:
        return False
    page = struct.unpack_from("<I", payload)[0]
    name = {20127: "ascii", 20866: "koi8-r", 28591: "iso-8859-1", 65001: "utf-8"}.get(page, f"cp{page}")
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def filter_stream(data: bytes) -> tuple[bytes, int]:
    """A TNEF stream holding only what file extraction needs, and its object count."""
    objects = [_object(_LVL_MESSAGE, _OEM_CODEPAGE, 0x0006, struct.pack("<II", 1252, 0))]
    offset, in_attachment = 6, False
    while offset + 12 < len(data):
        level, name, kind, size = _HEADER.unpack_from(data, offset)
        length = min(len(data) - offset, size + 11)
        payload = data[offset + 9 : offset + length - 2]
        offset += length
        if level == _LVL_MESSAGE and name == _OEM_CODEPAGE and _codepage_ok(payload):
            objects[0] = _object(level, name, kind, payload)
        elif level == _LVL_MESSAGE and name == _TNEF_VERSION:
            objects.append(_object(level, name, kind, payload))
        elif level == _LVL_ATTACHMENT and name == _ATT_RENDDATA:
            in_attachment = True
            objects.append(_object(level, name, kind, payload))
        elif level == _LVL_ATTACHMENT and in_attachment and name in (_ATT_DATA, _ATT_TITLE):
            objects.append(_object(level, name, kind, payload))
        elif level == _LVL_ATTACHMENT and in_attachment and name == _ATT_MAPI:
            count = struct.unpack_from("<I", payload)[0] if len(payload) >= 4 else 1 << 32
            if count <= len(payload) // 4 and _IMESSAGE_SIG not in payload:
                objects.append(_object(level, name, kind, payload))
    stream = data[:6] + b"".join(objects)
    return stream, len(objects)


def _name(attachment: object, index: int) -> str:
    for getter in ("long_filename", "name"):
        try:
            value = getattr(attachment, getter)
            value = value() if callable(value) else value
        except Exception:
            continue
        if isinstance(value, bytes):
            value = decode_text(value.rstrip(b"\x00"))
        if isinstance(value, str) and value.strip("\x00 "):
            return value.strip("\x00 ")
    return f"winmail-{index}.bin"


def expand_tnef(data: bytes) -> list[InboundAttachment]:
    """The files inside a TNEF blob; empty if there are none or it cannot be read (never raises)."""
    if not is_tnef(data):
        return []
    try:
        stream, count = filter_stream(data)
        if count * len(stream) > MAX_COPY_BYTES:
            return []
        from tnefparse.tnef import TNEF

        parsed = TNEF(stream, do_checksum=False)
        files = []
        for index, attachment in enumerate(parsed.attachments[:MAX_FILES], start=1):
            content = attachment.data
            if not isinstance(content, (bytes, bytearray)) or not content:
                continue
            name = _name(attachment, index)
            ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            files.append(InboundAttachment(safe_filename(name, f"winmail-{index}.bin"), ctype, bytes(content)))
        return files
    except Exception:
        return []
