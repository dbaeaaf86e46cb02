"""Safe names for files that senders named."""

from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f<>:\"/\\|?*\u2028\u2029]")
#: Windows device names: a file named so (with any extension) opens the device, not a file.
_DEVICES = {"con", "prn", "aux", "nul", "conin$", "conout$", "clock$"} | {
    f"{port}{n}" for port in ("com", "lpt") for n in (*"123456789", "¹", "²", "³")
}
MAX_NAME_BYTES = 200


def _visible(text: str) -> str:
    """``text`` without format characters (Unicode ``Cf``): bidi controls such as U+202E
    (``invoice\\u202egpj.exe`` would show as ``invoiceexe.jpg``), zero-width characters, BOM."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _not_a_device(text: str) -> str:
    """``CON``, ``nul.txt``, ``COM1.tar.gz`` get a leading ``_`` (Windows ignores trailing dots/spaces)."""
    stem = text.split(".", 1)[0].rstrip(" ").lower()
    return "_" + text if stem in _DEVICES else text


def safe_filename(name: str | None, default: str = "attachment") -> str:
    """A display/download name with no path, no control or bidi characters, no device name, bounded length.

    ``../../etc/passwd`` -> ``passwd``; ``C:\\x\\..\\y`` -> ``y``; names with NUL or
    300 characters are cleaned and shortened (the extension is kept);
    ``invoice\\u202egpj.exe`` -> ``invoicegpj.exe``; ``CON`` -> ``_CON``, ``nul.txt`` ->
    ``_nul.txt``. The blob itself is always stored under its SHA-256, never under this name.
    """
    text = _visible(unicodedata.normalize("NFC", name or ""))
    text = re.split(r"[/\\]", text)[-1]
    text = _UNSAFE.sub("_", text).strip(" .")
    if not text:
        return default
    text = _not_a_device(text)
    if len(text.encode("utf-8")) > MAX_NAME_BYTES:
        stem, dot, ext = text.rpartition(".")
        ext = ext if dot and len(ext) <= 16 else ""
        stem = stem if ext else text
        budget = MAX_NAME_BYTES - len(ext.encode("utf-8")) - (1 if ext else 0)
        stem = stem.encode("utf-8")[:budget].decode("utf-8", "ignore")
        text = f"{stem}.{ext}" if ext else stem
    return text
