"""Gettext catalogs of plugins, compiled from their ``.po`` files in memory.

A plugin keeps ``locale/<lang>/LC_MESSAGES/<domain>.po`` beside its modules (as package
data) and asks :func:`catalog_translations` for a language. A compiled ``.mo`` next to a
``.po`` is used when it is at least as new; otherwise the ``.po`` is compiled with
``babel.messages`` on first use, so a fresh clone installed with ``pip install -e .``
needs no build step. A language without a catalog gets the message ids (English).
"""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path


def compile_po(po: Path, domain: str) -> bytes:
    """The ``.mo`` bytes of a ``.po`` file (fuzzy entries left out, as msgfmt does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh, domain=domain)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


@functools.lru_cache(maxsize=64)
def catalog_translations(locale_dir: Path, domain: str, language: str) -> gettext.NullTranslations:
    """The translations of ``language`` (``"ru"``, or a locale such as ``"ru_RU"``: its
    language part is tried too) from ``locale_dir``; the message ids when there is no catalog."""
    for code in dict.fromkeys((language, language.replace("-", "_").split("_")[0])):
        po = Path(locale_dir) / code / "LC_MESSAGES" / f"{domain}.po"
        if not po.is_file():
            continue
        mo = po.with_suffix(".mo")
        if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
            data = mo.read_bytes()
        else:
            data = compile_po(po, domain)
        return gettext.GNUTranslations(io.BytesIO(data))
    return gettext.NullTranslations()
