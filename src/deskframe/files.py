"""Safe names for files that senders named."""

from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*]")
MAX_NAME_BYTES = 200


def safe_filename(name: str | None, default: str = "attachment") -> str:
    """A display/download name with no path, no control characters, bounded length.

    ``../../etc/passwd`` -> ``passwd``; ``C:\\x\\..\\y`` -> ``y``; names with NUL or
    300 characters are cleaned and shortened (the extension is kept). The blob
    itself is always stored under its SHA-256, never under this name.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[/\\]", text)[-1]
    text = _UNSAFE.sub("_", text).strip(" .")
    if not text:
        return default
    if len(text.encode("utf-8")) > MAX_NAME_BYTES:
        stem, dot, ext = text.rpartition(".")
        ext = ext if dot and len(ext) <= 16 else ""
        stem = stem if ext else text
        budget = MAX_NAME_BYTES - len(ext.encode("utf-8")) - (1 if ext else 0)
        stem = stem.encode("utf-8")[:budget].decode("utf-8", "ignore")
        text = f"{stem}.{ext}" if ext else stem
    return text
